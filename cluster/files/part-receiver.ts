/**
 * Receives a file's bytes from a Striker's content route into a part file, from the part's
 * length on (`Range: bytes=<held>-` after a cut), and answers the SHA-256 of the whole part once
 * it holds every byte. Both the agent's `file.fetch` and a Striker's copy from a peer use it.
 *
 *   - An answer that is not the bytes (an HTTP error, a Range answered with other bytes) is
 *     `Refused`: the caller asks the next Striker. A transport failure (silence, a cut) is an
 *     ordinary error: what arrived is kept in the part, so the next request goes on from there.
 *   - A Striker that ignores the Range (200) restarts the part from byte 0.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { sharedBuffer, WorkerSha256 } from './sha256-worker.js';

/** A Striker's answer that is not the bytes: the next one is asked. */
export class Refused extends Error {}

export interface PartRequest {
  url: string;
  headers: Record<string, string>;
  part: string;
  /** Bytes the part holds already (the request asks for the rest). */
  held: number;
  sizeBytes: number;
  signal: AbortSignal;
  idleTimeoutMs: number;
  /** Flush written bytes to the disk on the side each time this many more were written (0: never here). */
  syncEveryBytes?: number;
  /** Where the SHA-256 is computed (default: a worker thread, beside the transfer). */
  hashIn?: 'worker' | 'main';
  /** Called on the side, one call at a time, about every `everyMs` while bytes arrive; a failure ends the transfer. */
  progress?: { everyMs: number; report: (bytes: number) => Promise<void> };
}

/** Bytes gathered before one write to the part. */
const WRITE_BYTES = 4 * 1024 * 1024;
/** Buffers of WRITE_BYTES in the ring: one filling, the others being written and hashed. */
const RING = 4;
/** Written bytes flushed to the disk on the side each time this many more were written (by default). */
const SYNC_EVERY_BYTES = 128 * 1024 * 1024;

/** Feeds a file's first `length` bytes into `hash` (so a fetch can go on from there). */
async function hashPrefix(path: string, length: number, hash: Hash): Promise<void> {
  if (length === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

/** The SHA-256 of a whole file, hex. */
export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashPrefix(path, Infinity, hash);
  return hash.digest('hex');
}

async function writeAll(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  for (let written = 0; written < length; ) {
    const { bytesWritten } = await handle.write(buffer, written, length - written, position + written);
    written += bytesWritten;
  }
}

/** Fetches the bytes from `held` on into the part; the SHA-256 of the whole part once it holds every byte. */
export async function receivePart(r: PartRequest): Promise<string> {
  const { held, sizeBytes } = r;
  const get = startGet(r.url, { ...r.headers, ...(held > 0 ? { range: `bytes=${held}-` } : {}) }, r.signal, r.idleTimeoutMs);
  try {
    const res = await get.response;
    const header = (name: string): string | undefined => {
      const v = res.headers[name];
      return Array.isArray(v) ? v.at(-1) : v;
    };
    let from: number;
    if (res.statusCode === 206 && held > 0) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header('content-range') ?? '');
      if (m === null || Number(m[1]) !== held || Number(m[3]) !== sizeBytes) {
        throw new Refused(`answered Range bytes=${held}- with Content-Range '${header('content-range')}'`);
      }
      from = held;
    } else if (res.statusCode === 200) {
      from = 0;
    } else {
      const body = (await textOf(res, 2000)).slice(0, 300);
      let message = body;
      try {
        message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body;
      } catch {
        // not JSON: the text as it is
      }
      throw new Refused(`HTTP ${res.statusCode}: ${message}`);
    }
    if (Number(header('content-length')) !== sizeBytes - from) {
      throw new Error(`the Striker's answer has Content-Length '${header('content-length') ?? ''}', not the ${sizeBytes - from} bytes from byte ${from}`);
    }
    return await intoPart(res, from, r);
  } catch (error) {
    throw r.signal.aborted ? error : get.named(error);
  } finally {
    get.close();
  }
}

/**
 * One GET with node:http's client on a connection of its own (`agent: false`; TLS for https:
 * with Node's default trust: the system's CAs and NODE_EXTRA_CA_CERTS), closed by `close`.
 * Silence for `idleTimeoutMs` (connecting, before the head, within the body) ends it; `named`
 * gives a transport failure the name an operator reads.
 */
function startGet(url: string, headers: Record<string, string>, signal: AbortSignal, idleTimeoutMs: number) {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${url}`);
  let silent = false;
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'GET', headers, signal, agent: false });
  req.setTimeout(idleTimeoutMs, () => {
    silent = true;
    req.destroy();
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.on('error', reject);
  });
  req.end();
  return {
    response,
    close: () => req.destroy(),
    named: (error: unknown): unknown => {
      if (silent) return new Error(`the Striker was silent for ${idleTimeoutMs} ms`, { cause: error });
      if (!(error instanceof Error) || error instanceof Refused) return error;
      const code = (error as { code?: string }).code;
      if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
        return new Error(`the Striker closed the connection before the whole answer (${error.message})`, { cause: error });
      }
      if (code?.startsWith('HPE_') === true) return new Error(`not an HTTP answer (${error.message})`, { cause: error });
      return error;
    },
  };
}

/** Reads an error answer's text (at most `maxBytes`), then drops the rest. */
async function textOf(body: Readable, maxBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      parts.push(chunk.subarray(0, maxBytes - size));
      size += Math.min(chunk.length, maxBytes - size);
      if (size >= maxBytes) break;
    }
  } catch {
    // what arrived before the connection failed
  }
  body.destroy();
  return Buffer.concat(parts).toString('utf8');
}

/**
 * Writes the body into the part from byte `from` on and hashes it; the SHA-256 of the whole part
 * when the body ended with every byte.
 */
async function intoPart(body: Readable, from: number, r: PartRequest): Promise<string> {
  const { sizeBytes } = r;
  const hasher: Hasher = r.hashIn === 'main' ? mainThreadHasher() : workerHasher();
  const handle = await open(r.part, from === 0 ? 'w' : 'r+');
  let done = from;
  // Each chunk is copied into the ring's current buffer; a full buffer is written (the thread
  // pool) and hashed (the hashing thread) while the next ones fill, and is filled again only once
  // both are done: the body is read on only while a buffer is free. What was written is flushed
  // to the disk on the side every `syncEveryBytes`, so the sync after the last byte has little
  // left to do. After a cut, what arrived is still written (the final SHA-256 covers it), so the
  // next request goes on from the last byte received; it hashes the part again.
  const ring = Array.from({ length: RING }, () => ({ buffer: hasher.buffer(WRITE_BYTES), busy: Promise.resolve() }));
  let slot = 0;
  let fill = 0;
  let position = from;
  let failure: unknown;
  let syncing: Promise<void> | undefined;
  let writing: Promise<void> = Promise.resolve();
  const syncEvery = r.syncEveryBytes === undefined ? SYNC_EVERY_BYTES : r.syncEveryBytes === 0 ? Infinity : r.syncEveryBytes;
  let nextSync = from + syncEvery;
  const settle = (p: Promise<unknown>) => p.then(() => undefined, (error: unknown) => void (failure ??= error));
  const everyMs = r.progress?.everyMs ?? Infinity;
  let nextReport = performance.now() + everyMs;
  let reporting: Promise<void> | undefined;
  let reportFailure: unknown;
  /** Sends the current buffer to be written and hashed; waits for the next one to be free. */
  const flush = async () => {
    if (fill > 0) {
      const b = ring[slot]!;
      // One write at a time, in order (the thread pool would otherwise run them at once, and they
      // take turns on the file's lock in the kernel anyway): the part then only ever grows by
      // whole written bytes, so its length after a crash is where the next request goes on.
      const [length, at] = [fill, position];
      writing = writing.then(() => writeAll(handle, b.buffer, length, at));
      b.busy = settle(Promise.all([writing, hasher.update(b.buffer, fill)]));
      position += fill;
      fill = 0;
      slot = (slot + 1) % RING;
      if (position >= nextSync && syncing === undefined) {
        nextSync = position + syncEvery;
        // Written so far, not yet on the disk: flushed now, beside the transfer.
        const written = Promise.all(ring.map((x) => x.busy));
        syncing = settle(written.then(() => handle.datasync())).finally(() => (syncing = undefined));
      }
    }
    await ring[slot]!.busy;
    if (failure !== undefined) throw failure;
  };
  try {
    await hasher.prefix(r.part, from);
    // The body flows ('data'): node:http pauses the socket only when this pauses the body (every
    // ring buffer busy), not after each chunk as a reader that pulls would make it.
    await new Promise<void>((resolve, reject) => {
      const stop = (error: unknown) => {
        body.pause();
        reject(error);
      };
      /** Copies `chunk` from `at` on into the ring; pauses the body while a full buffer waits for a free one. */
      const take = (chunk: Buffer, at: number): void => {
        while (at < chunk.length) {
          const n = chunk.copy(ring[slot]!.buffer, fill, at);
          fill += n;
          at += n;
          done += n;
          if (fill === WRITE_BYTES) {
            body.pause();
            const rest = at;
            flush().then(() => {
              take(chunk, rest);
              if (!body.destroyed) body.resume();
            }, stop);
            return;
          }
        }
        if (reportFailure !== undefined) return stop(reportFailure);
        if (r.progress !== undefined && reporting === undefined && performance.now() >= nextReport) {
          // Reported by time, on the side, one report at a time: the bytes do not wait for the Striker's database.
          nextReport = performance.now() + everyMs;
          reporting = r.progress.report(done).then(() => undefined, (error: unknown) => void (reportFailure ??= error)).finally(() => (reporting = undefined));
        }
      };
      body.on('data', (chunk: Buffer) => {
        if (done + chunk.length > sizeBytes) return stop(new Error(`the Striker's answer is longer than the ${sizeBytes - from} bytes it announced`));
        take(chunk, 0);
      });
      body.once('end', resolve);
      body.once('error', reject);
      body.once('close', () => reject(new Error(`the Striker closed the connection after ${done - from} of ${sizeBytes - from} bytes`)));
    });
    await reporting;
    if (reportFailure !== undefined) throw reportFailure;
    await flush();
    await Promise.all(ring.map((x) => x.busy));
    await syncing;
    if (failure !== undefined) throw failure;
    if (done !== sizeBytes) throw new Error(`the Striker's answer ended after ${done} of ${sizeBytes} bytes`);
    return await hasher.digest();
  } catch (error) {
    body.destroy();
    await flush().catch(() => undefined);
    await reporting;
    throw error;
  } finally {
    await Promise.all(ring.map((x) => x.busy));
    await syncing;
    await handle.close();
    await hasher.close();
  }
}

/** Where the SHA-256 of a transfer is computed: a worker thread, or the main thread. */
interface Hasher {
  /** A buffer `update` can take. */
  buffer(bytes: number): Buffer;
  prefix(path: string, length: number): Promise<void>;
  update(buffer: Buffer, length: number): Promise<void>;
  digest(): Promise<string>;
  close(): Promise<void>;
}

function workerHasher(): Hasher {
  const w = new WorkerSha256();
  return { buffer: sharedBuffer, prefix: (path, length) => w.updateFromFile(path, length), update: (b, n) => w.update(b, n), digest: () => w.digest(), close: () => w.close() };
}

function mainThreadHasher(): Hasher {
  const hash = createHash('sha256');
  return {
    buffer: (bytes) => Buffer.allocUnsafeSlow(bytes),
    prefix: (path, length) => hashPrefix(path, length, hash),
    update: async (b, n) => void hash.update(b.subarray(0, n)),
    digest: async () => hash.digest('hex'),
    close: async () => undefined,
  };
}
