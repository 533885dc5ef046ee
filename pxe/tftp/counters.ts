/**
 * What the TFTP server served, refused and dropped, by reason. One live object per server,
 * updated in place; the API reads it (copy with `structuredClone` to snapshot).
 */
import type { RefusalReason } from './file-source.js';
import type { SessionOutcome } from './session.js';

export type RequestRefusal = RefusalReason | 'not-found' | 'write-request' | 'bad-mode' | 'limit-total' | 'limit-client' | 'source-error';
export type ErrorReason = Exclude<SessionOutcome, 'ok'> | 'decode' | 'stray-packet' | 'unexpected-packet';

export interface TftpCounters {
  /** Read and write requests received on the listening port. */
  requests: number;
  /** Transfers completed (the client acknowledged the last block). */
  served: number;
  bytesServed: number;
  /** Transfers running now. */
  active: number;
  /** Repeated RRQs from a client whose transfer had not started yet (ignored). */
  duplicates: number;
  /** Retransmission timer expiries (each resends the outstanding window or OACK). */
  retransmits: number;
  /** Requests not served, by reason; `limit-total` ones are not answered (the client asks again). */
  refused: Partial<Record<RequestRefusal, number>>;
  errors: Partial<Record<ErrorReason, number>>;
}

export function createCounters(): TftpCounters {
  return { requests: 0, served: 0, bytesServed: 0, active: 0, duplicates: 0, retransmits: 0, refused: {}, errors: {} };
}

export function countRefusal(counters: TftpCounters, reason: RequestRefusal): void {
  counters.refused[reason] = (counters.refused[reason] ?? 0) + 1;
}

export function countError(counters: TftpCounters, reason: ErrorReason): void {
  counters.errors[reason] = (counters.errors[reason] ?? 0) + 1;
}
