/**
 * De-bounce of one condition (source, host, key): a pure step from the occurrence's state, what
 * happened (a set, a clear, or time passing) and the time, to the next state and what to send.
 *
 * - A set is held for `windowMs` before it is sent; a set that repeats is not sent again.
 * - A clear is sent once, and only after the set was sent; it too is held for the window.
 * - A set and a clear that flap inside the window are held: a set cleared before it was sent
 *   sends nothing, and a set that returns while its clear is held cancels the clear.
 * A window of 0 sends at once.
 */
export type AlertPhase = 'pending' | 'raised' | 'clearing' | 'cleared';

export interface AlertState {
  phase: AlertPhase;
  /** When the phase began (the window runs from here). */
  since: Date;
  setSent: boolean;
  clearSent: boolean;
}

export type DebounceInput = 'set' | 'clear' | 'tick';

export interface DebounceStep {
  /** The next state; undefined when there is no occurrence (a clear or tick for a condition never set). */
  state: AlertState | undefined;
  send: 'set' | 'clear' | null;
}

export function debounceStep(state: AlertState | undefined, input: DebounceInput, now: Date, windowMs: number): DebounceStep {
  const open = state !== undefined && state.phase !== 'cleared' ? state : undefined;
  const elapsed = (s: AlertState) => now.getTime() - s.since.getTime() >= windowMs;
  if (open === undefined) {
    if (input !== 'set') return { state, send: null };
    if (windowMs <= 0) return { state: { phase: 'raised', since: now, setSent: true, clearSent: false }, send: 'set' };
    return { state: { phase: 'pending', since: now, setSent: false, clearSent: false }, send: null };
  }
  switch (open.phase) {
    case 'cleared':
      return { state: open, send: null };
    case 'pending':
      if (input === 'clear') return { state: { ...open, phase: 'cleared', since: now }, send: null };
      if (input === 'tick' && elapsed(open)) return { state: { ...open, phase: 'raised', since: now, setSent: true }, send: 'set' };
      return { state: open, send: null };
    case 'raised':
      if (input !== 'clear') return { state: open, send: null };
      if (windowMs <= 0) return { state: { ...open, phase: 'cleared', since: now, clearSent: true }, send: 'clear' };
      return { state: { ...open, phase: 'clearing', since: now }, send: null };
    case 'clearing':
      if (input === 'set') return { state: { ...open, phase: 'raised', since: now }, send: null };
      if (input === 'tick' && elapsed(open)) return { state: { ...open, phase: 'cleared', since: now, clearSent: true }, send: 'clear' };
      return { state: open, send: null };
  }
}
