/**
 * Option negotiation for a read request (RFC 2347 §3). Pure.
 *
 * - blksize (RFC 2348 §2): 8..65464; a larger request is answered with our cap (the server may
 *   answer with a smaller value); values out of range or not numeric are ignored.
 * - timeout (RFC 2349 §2): 1..255 seconds, echoed unchanged when accepted.
 * - tsize (RFC 2349 §3): in a RRQ the client sends 0 and the server answers with the size; it is
 *   only acknowledged when the size is known before sending (not for netascii sizes we did not count).
 * - windowsize (RFC 7440 §3): 1..65535; answered with min(requested, our cap, windowBytesMax /
 *   blksize). The byte cap keeps a window inside a client's default socket receive buffer
 *   (Linux: 208 KiB, and a fragmented 8 KiB datagram costs ~14 KiB of it): a window that
 *   overflows it loses its tail on every round.
 * Unknown options are ignored (RFC 2347 §3). No accepted option → no OACK, data starts at block 1.
 */
import type { TftpOptions } from './codec.js';

export interface NegotiationLimits {
  /** Largest blksize we answer (≤ 65464). */
  readonly blksizeMax: number;
  /** Largest windowsize we answer (≥ 1). */
  readonly windowsizeMax: number;
  /** Largest window in payload bytes (windowsize × blksize); a window of 1 is always allowed. */
  readonly windowBytesMax?: number;
}

export interface Negotiated {
  readonly blksize: number;
  readonly windowsize: number;
  /** Retransmission interval the client asked for, in ms; null when it did not ask. */
  readonly timeoutMs: number | null;
  /** The OACK's options, in the order the client sent them. Empty: send no OACK. */
  readonly accepted: ReadonlyMap<string, string>;
}

export const BLKSIZE_MIN = 8;
export const BLKSIZE_MAX = 65464;
export const DEFAULT_BLKSIZE = 512;

export function negotiate(requested: TftpOptions, limits: NegotiationLimits, size: number | null): Negotiated {
  let blksize = DEFAULT_BLKSIZE;
  let windowsize = 1;
  let windowRequested: number | null = null;
  let timeoutMs: number | null = null;
  const accepted = new Map<string, string>();
  for (const [name, raw] of requested) {
    const value = parseDecimal(raw);
    if (value === null) continue;
    switch (name) {
      case 'blksize':
        if (value < BLKSIZE_MIN || value > BLKSIZE_MAX) break;
        blksize = Math.min(value, limits.blksizeMax);
        accepted.set(name, String(blksize));
        break;
      case 'timeout':
        if (value < 1 || value > 255) break;
        timeoutMs = value * 1000;
        accepted.set(name, String(value));
        break;
      case 'tsize':
        if (size === null) break;
        accepted.set(name, String(size));
        break;
      case 'windowsize':
        if (value < 1 || value > 65535) break;
        windowRequested = value;
        accepted.set(name, ''); // filled in below, once blksize is known
        break;
      default:
        break;
    }
  }
  if (windowRequested !== null) {
    const byBytes = Math.max(1, Math.floor((limits.windowBytesMax ?? Number.MAX_SAFE_INTEGER) / blksize));
    windowsize = Math.min(windowRequested, limits.windowsizeMax, byBytes);
    accepted.set('windowsize', String(windowsize));
  }
  return { blksize, windowsize, timeoutMs, accepted };
}

/** A plain decimal integer (no sign, no spaces, at most 10 digits), else null. */
function parseDecimal(raw: string): number | null {
  return /^[0-9]{1,10}$/.test(raw) ? Number(raw) : null;
}
