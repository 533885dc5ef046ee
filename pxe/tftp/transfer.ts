/**
 * The read-transfer state machine: `step(state, event) → [state, actions]`. Pure: no sockets,
 * timers or files — the session adapter performs the actions.
 *
 * - RFC 1350 §6: DATA n+1 only after ACK n; the final block is shorter than blksize (possibly
 *   empty). Block numbers are 16 bits on the wire and roll over to 0 after 65535 (files over
 *   32 MB at 512-byte blocks); the machine counts absolute blocks and maps ACKs back.
 * - Sorcerer's Apprentice (RFC 1123 §4.2.3.1): a duplicate ACK never triggers a retransmission;
 *   only our own timer does.
 * - RFC 2347 §3: with accepted options the server sends OACK and waits for ACK 0.
 * - RFC 7440 §4: windowsize blocks go out before waiting; an ACK for a block inside the window
 *   means the client lost what follows, so sending restarts right after it.
 * - RFC 1350 §4: a packet from another transfer id gets ERROR 5 and does not disturb the transfer.
 * - Retransmission interval: the client's `timeout` option when it sent one (RFC 2349 §2);
 *   otherwise adaptive, estimated from ACK round trips as TCP does (RFC 6298 §2, Karn's rule:
 *   no sample from a retransmitted window), between `minRetransmitMs` and `retransmitMs`,
 *   doubled per consecutive timeout. A lost tail of a window then costs milliseconds on a LAN.
 *
 * States are immutable: each step returns a new state, `advance(state, { the fields that changed })`
 * (NaN stands for "no time" or "no sample yet"). `advance` writes every field in one literal, in
 * one order, so every state has the same shape: a spread copy of a state holding fractional
 * times takes V8's slow per-property path, which cost more per ACK than the rest of `step`.
 */
import { ErrorCode, type TftpOptions, type TftpPacket } from './codec.js';

export interface RetransmitPolicy {
  /** Retransmission interval (ms) before any round trip was measured, and the adaptive ceiling. */
  readonly retransmitMs: number;
  /** Floor of the adaptive interval (ms). */
  readonly minRetransmitMs: number;
  /** Upper bound of the doubled interval (ms). */
  readonly maxRetransmitMs: number;
  /** Retransmissions of the same window before giving up. */
  readonly maxRetries: number;
}

export type TransferOutcome = 'ok' | 'timeout' | 'client-error' | 'illegal-operation';

export type TransferPhase = 'idle' | 'negotiating' | 'sending' | 'done';

export interface TransferState {
  readonly phase: TransferPhase;
  readonly size: number;
  readonly blksize: number;
  readonly windowsize: number;
  /** Absolute number of the final (short) block: floor(size / blksize) + 1. */
  readonly lastBlock: number;
  /** Highest absolute block the client acknowledged (0 before any DATA was acknowledged). */
  readonly acked: number;
  /** Highest absolute block sent so far. */
  readonly sent: number;
  readonly retries: number;
  readonly baseTimeoutMs: number;
  /** True when the client fixed the interval with the timeout option. */
  readonly fixedTimeout: boolean;
  /** When the outstanding window was sent (ms, caller's clock); NaN when untimed or retransmitted. */
  readonly sentAt: number;
  /** Smoothed round trip (RFC 6298), NaN before the first sample. */
  readonly srtt: number;
  readonly rttvar: number;
  readonly oack: TftpOptions;
  readonly policy: RetransmitPolicy;
}

/** `at` is the caller's monotonic clock in ms; without it no round trip is measured. */
export type TransferEvent =
  | { readonly kind: 'start'; readonly at?: number }
  | { readonly kind: 'packet'; readonly packet: TftpPacket; readonly at?: number }
  | { readonly kind: 'timeout' }
  /** A packet from an address/port that is not this transfer's peer (RFC 1350 §4). */
  | { readonly kind: 'stray' };

export type TransferAction =
  | { readonly kind: 'send-oack'; readonly options: TftpOptions }
  /** Send absolute blocks first..last (inclusive); wire number = block & 0xffff. */
  | { readonly kind: 'send-data'; readonly first: number; readonly last: number }
  | { readonly kind: 'send-error'; readonly to: 'peer' | 'stray'; readonly code: number; readonly message: string }
  | { readonly kind: 'arm-timer'; readonly ms: number }
  | { readonly kind: 'finish'; readonly outcome: TransferOutcome; readonly bytes: number; readonly reason: string };

export interface TransferParams {
  readonly size: number;
  readonly blksize: number;
  readonly windowsize: number;
  /** Interval the client asked for with the `timeout` option, or null. */
  readonly timeoutMs: number | null;
  /** Options for the OACK; empty means none was accepted and no OACK is sent. */
  readonly oack: TftpOptions;
  readonly policy: RetransmitPolicy;
}

export function createTransfer(params: TransferParams): TransferState {
  return {
    phase: 'idle',
    size: params.size,
    blksize: params.blksize,
    windowsize: params.windowsize,
    lastBlock: Math.floor(params.size / params.blksize) + 1,
    acked: 0,
    sent: 0,
    retries: 0,
    baseTimeoutMs: params.timeoutMs ?? params.policy.retransmitMs,
    fixedTimeout: params.timeoutMs !== null,
    sentAt: NaN,
    srtt: NaN,
    rttvar: 0,
    oack: params.oack,
    policy: params.policy,
  };
}

type Result = [TransferState, TransferAction[]];

/** The fields a step changes; the rest are fixed when the transfer is created. */
type StateChange = Partial<Pick<TransferState, 'phase' | 'acked' | 'sent' | 'retries' | 'sentAt' | 'srtt' | 'rttvar'>>;

/** `state` with `change` applied (see the header: one literal, one shape). */
function advance(state: TransferState, change: StateChange): TransferState {
  return {
    phase: change.phase ?? state.phase,
    size: state.size,
    blksize: state.blksize,
    windowsize: state.windowsize,
    lastBlock: state.lastBlock,
    acked: change.acked ?? state.acked,
    sent: change.sent ?? state.sent,
    retries: change.retries ?? state.retries,
    baseTimeoutMs: state.baseTimeoutMs,
    fixedTimeout: state.fixedTimeout,
    sentAt: change.sentAt ?? state.sentAt,
    srtt: change.srtt ?? state.srtt,
    rttvar: change.rttvar ?? state.rttvar,
    oack: state.oack,
    policy: state.policy,
  };
}

export function step(state: TransferState, event: TransferEvent): Result {
  if (state.phase === 'done') return [state, []];
  switch (event.kind) {
    case 'start':
      if (state.phase !== 'idle') return [state, []];
      if (state.oack.size > 0) {
        const next = advance(state, { phase: 'negotiating', sentAt: event.at ?? NaN });
        return [next, [{ kind: 'send-oack', options: state.oack }, arm(next)]];
      }
      return sendWindow(state, 0, event.at);
    case 'stray':
      return [state, [{ kind: 'send-error', to: 'stray', code: ErrorCode.UnknownTransferId, message: 'Unknown transfer ID' }]];
    case 'timeout':
      return onTimeout(state);
    case 'packet':
      return onPacket(state, event.packet, event.at);
  }
}

function onPacket(state: TransferState, packet: TftpPacket, at: number | undefined): Result {
  if (state.phase === 'idle') return [state, []];
  switch (packet.kind) {
    case 'ACK':
      return onAck(state, packet.block, at);
    case 'ERROR':
      return finish(state, 'client-error', `client sent ERROR ${packet.code}: ${packet.message.slice(0, 100)}`, []);
    default:
      return finish(state, 'illegal-operation', `client sent ${packet.kind} during a read transfer`, [
        { kind: 'send-error', to: 'peer', code: ErrorCode.IllegalOperation, message: `Unexpected ${packet.kind}` },
      ]);
  }
}

function onAck(state: TransferState, wireBlock: number, at: number | undefined): Result {
  if (state.phase === 'negotiating') {
    // RFC 2347 §3: the client accepts the OACK with ACK 0; anything else is stale.
    if (wireBlock !== 0) return [state, []];
    return sendWindow(state, 0, at);
  }
  const ahead = (wireBlock - (state.acked & 0xffff)) & 0xffff;
  // ahead 0: duplicate ACK — ignored (Sorcerer's Apprentice). Beyond `sent`: stale or bogus.
  if (ahead === 0 || state.acked + ahead > state.sent) return [state, []];
  const acked = state.acked + ahead;
  if (acked === state.lastBlock) {
    return [advance(state, { phase: 'done', acked, retries: 0, sentAt: NaN }), [{ kind: 'finish', outcome: 'ok', bytes: state.size, reason: 'complete' }]];
  }
  return sendWindow(state, acked, at);
}

function onTimeout(state: TransferState): Result {
  if (state.phase === 'idle') return [state, []];
  const retries = state.retries + 1;
  if (retries > state.policy.maxRetries) {
    return finish(state, 'timeout', `no answer after ${state.policy.maxRetries} retransmissions`, [
      { kind: 'send-error', to: 'peer', code: ErrorCode.NotDefined, message: 'Timeout' },
    ]);
  }
  const next = advance(state, { retries, sentAt: NaN });
  if (state.phase === 'negotiating') return [next, [{ kind: 'send-oack', options: state.oack }, arm(next)]];
  // Resend everything still outstanding: acked+1 .. sent.
  return [next, [{ kind: 'send-data', first: state.acked + 1, last: state.sent }, arm(next)]];
}

/**
 * `acked` is now acknowledged (0: the OACK, or nothing yet): take a round-trip sample (RFC 6298
 * §2.2–2.3, only from a window sent once — Karn's rule) and send the window after it (RFC 7440 §4).
 */
function sendWindow(state: TransferState, acked: number, at: number | undefined): Result {
  let srtt = state.srtt;
  let rttvar = state.rttvar;
  if (at !== undefined && state.retries === 0 && !Number.isNaN(state.sentAt)) {
    const sample = Math.max(0, at - state.sentAt);
    if (Number.isNaN(srtt)) {
      srtt = sample;
      rttvar = sample / 2;
    } else {
      rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - sample);
      srtt = 0.875 * srtt + 0.125 * sample;
    }
  }
  const last = Math.min(acked + state.windowsize, state.lastBlock);
  const next = advance(state, { phase: 'sending', acked, sent: last, retries: 0, sentAt: at ?? NaN, srtt, rttvar });
  return [next, [{ kind: 'send-data', first: acked + 1, last }, arm(next)]];
}

function arm(state: TransferState): TransferAction {
  const cap = Math.max(state.policy.maxRetransmitMs, state.baseTimeoutMs);
  return { kind: 'arm-timer', ms: Math.min(Math.round(interval(state) * 2 ** state.retries), cap) };
}

/** RFC 6298 §2.3: RTO = SRTT + max(G, 4·RTTVAR), here between the policy's floor and ceiling. */
function interval(state: TransferState): number {
  if (state.fixedTimeout || Number.isNaN(state.srtt)) return state.baseTimeoutMs;
  const rto = state.srtt + Math.max(1, 4 * state.rttvar);
  return Math.min(state.baseTimeoutMs, Math.max(state.policy.minRetransmitMs, rto));
}

function finish(state: TransferState, outcome: TransferOutcome, reason: string, before: TransferAction[]): Result {
  const bytes = outcome === 'ok' ? state.size : Math.min(state.acked * state.blksize, state.size);
  const done = advance(state, { phase: 'done', sentAt: NaN });
  return [done, [...before, { kind: 'finish', outcome, bytes, reason }]];
}
