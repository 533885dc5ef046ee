import { describe, expect, it } from 'vitest';
import { debounceStep, type AlertState, type DebounceInput } from './debounce.js';

const WINDOW = 60_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');

/** Runs inputs at offsets (ms from t0) and returns what was sent, in order. */
function run(events: readonly [number, DebounceInput][], windowMs = WINDOW): { sent: string[]; state: AlertState | undefined } {
  let state: AlertState | undefined;
  const sent: string[] = [];
  for (const [at, input] of events) {
    const step = debounceStep(state, input, new Date(t0 + at), windowMs);
    state = step.state;
    if (step.send) sent.push(`${step.send}@${at}`);
  }
  return { sent, state };
}

describe('debounceStep', () => {
  it.each<[string, [number, DebounceInput][], string[], string | undefined]>([
    ['a set is held for the window, then sent', [[0, 'set'], [30_000, 'tick'], [60_000, 'tick']], ['set@60000'], 'raised'],
    ['a set that repeats is not re-sent', [[0, 'set'], [60_000, 'tick'], [90_000, 'set'], [200_000, 'set'], [300_000, 'tick']], ['set@60000'], 'raised'],
    ['a clear is sent once after a sent set', [[0, 'set'], [60_000, 'tick'], [100_000, 'clear'], [160_000, 'tick'], [170_000, 'clear'], [300_000, 'tick']], ['set@60000', 'clear@160000'], 'cleared'],
    ['a set cleared inside the window sends nothing', [[0, 'set'], [10_000, 'clear'], [100_000, 'tick']], [], 'cleared'],
    ['a set returning while its clear is held cancels the clear', [[0, 'set'], [60_000, 'tick'], [70_000, 'clear'], [80_000, 'set'], [200_000, 'tick']], ['set@60000'], 'raised'],
    ['a clear with no set is nothing', [[0, 'clear'], [100_000, 'tick']], [], undefined],
    ['a set after a cleared occurrence starts a new one', [[0, 'set'], [10_000, 'clear'], [20_000, 'set'], [80_000, 'tick']], ['set@80000'], 'raised'],
  ])('%s', (_name, events, sent, phase) => {
    const r = run(events);
    expect(r.sent).toEqual(sent);
    expect(r.state?.phase).toBe(phase);
  });

  it('sends at once with a zero window', () => {
    expect(run([[0, 'set'], [1, 'set'], [2, 'clear'], [3, 'clear']], 0).sent).toEqual(['set@0', 'clear@2']);
  });
});
