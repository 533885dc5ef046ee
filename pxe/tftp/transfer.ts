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

export interface TransferState {
  readonly phase: 'idle' | 'negotiating' | 'sending' | 'done';
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
  /** When the outstanding window was sent (ms, caller's clock); null after a retransmission. */
  readonly sentAt: number | null;
  /** Smoothed round trip and its variation (RFC 6298), null before the first sample. */
  readonly srtt: number | null;
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
    sentAt: null,
    srtt: null,
    rttvar: 0,
    oack: params.oack,
    policy: params.policy,
  };
}

type Result = [TransferState, TransferAction[]];

export function step(state: TransferState, event: TransferEvent): Result {
  if (state.phase === 'done') return [state, []];
  switch (event.kind) {
    case 'start':
      if (state.phase !== 'idle') return [state, []];
      if (state.oack.size > 0) {
        const next = { ...state, phase: 'negotiating' as const, sentAt: event.at ?? null };
        return [next, [{ kind: 'send-oack', options: state.oack }, arm(next)]];
      }
      return sendWindow({ ...state, phase: 'sending' }, event.at);
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
    return sendWindow({ ...measure(state, at), phase: 'sending', retries: 0 }, at);
  }
  const ahead = (wireBlock - (state.acked & 0xffff)) & 0xffff;
  // ahead 0: duplicate ACK — ignored (Sorcerer's Apprentice). Beyond `sent`: stale or bogus.
  if (ahead === 0 || state.acked + ahead > state.sent) return [state, []];
  const acked = state.acked + ahead;
  const next = { ...measure(state, at), acked, retries: 0 };
  if (acked === state.lastBlock) return finish(next, 'ok', 'complete', []);
  return sendWindow(next, at);
}

/** RFC 6298 §2.2–2.3 round-trip estimate from a window that was sent once (Karn's rule). */
function measure(state: TransferState, at: number | undefined): TransferState {
  if (at === undefined || state.sentAt === null || state.retries > 0) return state;
  const sample = Math.max(0, at - state.sentAt);
  if (state.srtt === null) return { ...state, srtt: sample, rttvar: sample / 2 };
  const rttvar = 0.75 * state.rttvar + 0.25 * Math.abs(state.srtt - sample);
  return { ...state, srtt: 0.875 * state.srtt + 0.125 * sample, rttvar };
}

function onTimeout(state: TransferState): Result {
  if (state.phase === 'idle') return [state, []];
  const retries = state.retries + 1;
  if (retries > state.policy.maxRetries) {
    return finish(state, 'timeout', `no answer after ${state.policy.maxRetries} retransmissions`, [
      { kind: 'send-error', to: 'peer', code: ErrorCode.NotDefined, message: 'Timeout' },
    ]);
  }
  const next = { ...state, retries, sentAt: null };
  if (state.phase === 'negotiating') return [next, [{ kind: 'send-oack', options: state.oack }, arm(next)]];
  // Resend everything still outstanding: acked+1 .. sent.
  return [next, [{ kind: 'send-data', first: state.acked + 1, last: state.sent }, arm(next)]];
}

/** Send the window after the last acknowledged block (RFC 7440 §4). */
function sendWindow(state: TransferState, at: number | undefined): Result {
  const first = state.acked + 1;
  const last = Math.min(state.acked + state.windowsize, state.lastBlock);
  const next = { ...state, sent: last, sentAt: at ?? null };
  return [next, [{ kind: 'send-data', first, last }, arm(next)]];
}

function arm(state: TransferState): TransferAction {
  const cap = Math.max(state.policy.maxRetransmitMs, state.baseTimeoutMs);
  return { kind: 'arm-timer', ms: Math.min(Math.round(interval(state) * 2 ** state.retries), cap) };
}

/** RFC 6298 §2.3: RTO = SRTT + max(G, 4·RTTVAR), here between the policy's floor and ceiling. */
function interval(state: TransferState): number {
  if (state.fixedTimeout || state.srtt === null) return state.baseTimeoutMs;
  const rto = state.srtt + Math.max(1, 4 * state.rttvar);
  return Math.min(state.baseTimeoutMs, Math.max(state.policy.minRetransmitMs, rto));
}

function finish(state: TransferState, outcome: TransferOutcome, reason: string, before: TransferAction[]): Result {
  const bytes = outcome === 'ok' ? state.size : Math.min(state.acked * state.blksize, state.size);
  return [{ ...state, phase: 'done' }, [...before, { kind: 'finish', outcome, bytes, reason }]];
}
