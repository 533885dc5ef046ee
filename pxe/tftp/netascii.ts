/**
 * netascii mode (RFC 1350 §5, RFC 764): the sender turns LF into CR LF and a bare CR into
 * CR NUL. `toNetascii` is the pure conversion; `netasciiFile` wraps an `OpenFile` so the
 * transfer sees the converted stream, with its exact size counted up front (bounded memory:
 * one 64 KiB chunk at a time). The converted stream is read forward only — the session reads
 * every block once and keeps the window for retransmissions.
 */
import type { OpenFile } from './file-source.js';

const CR = 0x0d;
const LF = 0x0a;
const CHUNK = 64 * 1024;

/** Convert one chunk; CR and LF are single bytes, so chunks convert independently. */
export function toNetascii(input: Uint8Array): Buffer {
  let extra = 0;
  for (const byte of input) if (byte === CR || byte === LF) extra++;
  const out = Buffer.allocUnsafe(input.length + extra);
  let at = 0;
  for (const byte of input) {
    if (byte === LF) {
      out[at++] = CR;
      out[at++] = LF;
    } else if (byte === CR) {
      out[at++] = CR;
      out[at++] = 0;
    } else {
      out[at++] = byte;
    }
  }
  return out;
}

/** Size of the file after conversion: one extra byte per CR and per LF. */
export async function netasciiSize(file: OpenFile): Promise<number> {
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(file.size, 1)));
  let extra = 0;
  for (let position = 0; position < file.size; ) {
    const n = await file.read([chunk], position);
    if (n === 0) break;
    for (let i = 0; i < n; i++) if (chunk[i] === CR || chunk[i] === LF) extra++;
    position += n;
  }
  return file.size + extra;
}

export async function netasciiFile(file: OpenFile): Promise<OpenFile> {
  const size = await netasciiSize(file);
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(file.size, 1)));
  let inputAt = 0;
  let outputAt = 0;
  let pending: Buffer = Buffer.alloc(0);
  return {
    size,
    async read(targets, position) {
      if (position !== outputAt) throw new RangeError(`netascii stream is read forward only: at ${outputAt}, asked ${position}`);
      let total = 0;
      for (const target of targets) {
        let filled = 0;
        while (filled < target.length) {
          if (pending.length === 0) {
            if (inputAt >= file.size) break;
            const n = await file.read([chunk], inputAt);
            if (n === 0) break;
            inputAt += n;
            pending = toNetascii(chunk.subarray(0, n));
          }
          const take = Math.min(pending.length, target.length - filled);
          target.set(pending.subarray(0, take), filled);
          pending = pending.subarray(take);
          filled += take;
        }
        total += filled;
        if (filled < target.length) break;
      }
      outputAt += total;
      return total;
    },
    close: () => file.close(),
  };
}
