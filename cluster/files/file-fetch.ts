/**
 * `file.fetch` on a host (the agent's runner, injected by the app): gets a file's bytes from a
 * Striker over HTTP with the host's agent credential and puts them in the payload's directory.
 *
 *   - The bytes go to `<directory>/.<name>.part`. After a cut (the connection dropped, the agent
 *     restarted) the fetch goes on with `Range: bytes=<part length>-` instead of starting over; a
 *     Striker that ignores the Range (200) restarts the part from byte 0.
 *   - The strikers are asked in the agent's order; one that does not answer, or answers without the
 *     bytes (404: the upload went to another Striker), is left for the next. A round in which
 *     every Striker refused ends the job with each one's answer.
 *   - When the part holds every byte, its SHA-256 is compared with the payload's: equal, it is
 *     synced and renamed into place and the host reports `ready`; different, the part is deleted
 *     and the host reports `failed` with both hashes — never `ready`.
 *   - A file already in place with the right size and SHA-256 is reported ready without a fetch.
 * The host's state (fetching with bytes so far, ready, failed with why) is posted to the Striker
 * as the fetch goes.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostJobContext, HostJobPayload, HostJobResult, HostJobRunner } from '../../striker/agent/index.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import { streamedGet } from './streamed-get.js';

export interface FileFetchDeps {
  /** The Strikers the agent knows, in its order. */
  strikerUrls: readonly string[];
  /** The host's agent credential now (read again at each fetch: a rotation replaces it). */
  credential: () => Promise<string>;
  /** How long a Striker may stay silent (no header, no byte) before it counts as gone (ms). */
  idleTimeoutMs?: number;
  /** Rounds over every Striker when they do not answer, before the job fails (and is retried). */
  rounds?: number;
  /** Pause between rounds (ms). */
  pauseMs?: number;
  /** The host reports how many bytes it holds after each this many. */
  reportEveryBytes?: number;
}

type Payload = HostJobPayload<'file.fetch'>;
type State = { state: 'fetching' | 'ready' | 'failed'; bytes: number; error?: string };

/** Feeds a file's first `length` bytes into `hash` (so a fetch can go on from there). */
async function hashPrefix(path: string, length: number, hash: Hash): Promise<void> {
  if (length === 0) return;
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

const sizeOf = (path: string) => stat(path).then((s) => s.size, () => undefined);

async function hashOf(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Bytes gathered before one write to the part. */
const WRITE_BYTES = 4 * 1024 * 1024;
/** The connection's read buffer (at most WRITE_BYTES: one read fits a buffer after one flush). */
const READ_BYTES = 1024 * 1024;

async function writeAll(handle: FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  for (let written = 0; written < length; ) {
    const { bytesWritten } = await handle.write(buffer, written, length - written, position + written);
    written += bytesWritten;
  }
}

/** A Striker's answer that is not the bytes: the next one is asked. */
class Refused extends Error {}

export function fileFetchRunner(deps: FileFetchDeps): HostJobRunner<'file.fetch'> {
  const idleTimeoutMs = deps.idleTimeoutMs ?? 30_000;
  const rounds = deps.rounds ?? 5;
  const pauseMs = deps.pauseMs ?? 1000;
  const reportEvery = deps.reportEveryBytes ?? 64 * 1024 * 1024;
  if (deps.strikerUrls.length === 0) throw new TypeError('file.fetch needs at least one Striker URL');
  return async (ctx: HostJobContext<Payload>): Promise<HostJobResult> => {
    const p = ctx.payload;
    const report = (s: State) => ctx.api('POST', `files/${p.fileId}/state`, { jobId: ctx.jobId, ...s });
    const target = join(p.directory, p.name);
    const part = join(p.directory, `.${p.name}.part`);
    await mkdir(p.directory, { recursive: true });

    if ((await sizeOf(target)) === p.sizeBytes && (await hashOf(target)) === p.sha256) {
      await report({ state: 'ready', bytes: p.sizeBytes });
      return { noChange: `${target} is there already with SHA-256 ${p.sha256}` };
    }

    const refusals = new Map<string, string>();
    /** The SHA-256 of the whole part, when a fetch ended with every byte. */
    let fetched: string | undefined;
    let attempt = 0;
    let index = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      let held = (await sizeOf(part)) ?? 0;
      if (held > p.sizeBytes) {
        await rm(part, { force: true });
        held = 0;
      }
      if (held === p.sizeBytes) break;
      const base = deps.strikerUrls[index % deps.strikerUrls.length]!;
      try {
        await report({ state: 'fetching', bytes: held });
        fetched = await fetchFrom(ctx, base, held, p, part, await deps.credential(), report);
        break;
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const why = error instanceof Error ? error.message : String(error);
        if (error instanceof Refused) refusals.set(base, why);
        else refusals.delete(base);
        ctx.logger.warn({ peer: base, err: error }, 'file fetch from a Striker stopped; asking the next');
        index++;
        if (index % deps.strikerUrls.length === 0) {
          attempt++;
          if (refusals.size === deps.strikerUrls.length) {
            const reason = `no Striker gave the bytes of ${p.name}: ${[...refusals].map(([u, w]) => `${u}: ${w}`).join('; ')}`;
            await report({ state: 'failed', bytes: (await sizeOf(part)) ?? 0, error: reason });
            throw new StrikerError('NOT_FOUND', reason, { retryable: false });
          }
          if (attempt >= rounds) throw new StrikerError('PEER_UNREACHABLE', `the Strikers did not deliver ${p.name} in ${rounds} rounds: ${why}`);
          await new Promise((r) => setTimeout(r, pauseMs));
        }
      }
    }

    const sha256 = fetched ?? (await hashOf(part));
    if (sha256 !== p.sha256) {
      await rm(part, { force: true });
      const reason = `the fetched bytes of ${p.name} have SHA-256 ${sha256}, not ${p.sha256}; the copy was deleted`;
      await report({ state: 'failed', bytes: 0, error: reason });
      throw new StrikerError('VALIDATION_FAILED', reason, { retryable: false });
    }
    const handle = await open(part, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(part, target);
    await report({ state: 'ready', bytes: p.sizeBytes });
    return { message: `${target}: ${p.sizeBytes} bytes, SHA-256 checked` };
  };

  /** Fetches the bytes from `held` on into the part; the SHA-256 of the whole part once it holds every byte. */
  async function fetchFrom(ctx: HostJobContext<Payload>, base: string, held: number, p: Payload, part: string, credential: string, report: (s: State) => Promise<unknown>): Promise<string> {
    const res = await streamedGet(`${base}/api/agent/files/${p.fileId}/content`, { authorization: `Bearer ${credential}`, ...(held > 0 ? { range: `bytes=${held}-` } : {}) }, { signal: ctx.signal, idleTimeoutMs, readBytes: READ_BYTES });
    let from: number;
    if (res.statusCode === 206 && held > 0) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
      if (m === null || Number(m[1]) !== held || Number(m[3]) !== p.sizeBytes) {
        res.destroy();
        throw new Refused(`answered Range bytes=${held}- with Content-Range '${res.headers['content-range']}'`);
      }
      from = held;
    } else if (res.statusCode === 200) {
      from = 0;
    } else {
      const body = (await res.text(2000)).slice(0, 300);
      let message = body;
      try {
        message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body;
      } catch {
        // not JSON: the text as it is
      }
      throw new Refused(`HTTP ${res.statusCode}: ${message}`);
    }
    if (Number(res.headers['content-length']) !== p.sizeBytes - from) {
      res.destroy();
      throw new Error(`the Striker's answer has Content-Length '${res.headers['content-length'] ?? ''}', not the ${p.sizeBytes - from} bytes from byte ${from}`);
    }
    const hash = createHash('sha256');
    await hashPrefix(part, from, hash);
    let done = from;
    let nextReport = from + reportEvery;
    // Each read is hashed and copied into one of two large buffers: one is written while the
    // other fills; when both are busy the socket waits. After a cut, what arrived is still
    // written (the final SHA-256 covers it), so the next request goes on from the last byte
    // received; it hashes the part again.
    const handle = await open(part, from === 0 ? 'w' : 'r+');
    const buffers = [Buffer.allocUnsafe(WRITE_BYTES), Buffer.allocUnsafe(WRITE_BYTES)];
    let slot = 0;
    let fill = 0;
    let position = from;
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      if (fill === 0) return;
      writing = writeAll(handle, buffers[slot]!, fill, position);
      position += fill;
      slot ^= 1;
      fill = 0;
    };
    let reporting: Promise<void> | undefined;
    let reportFailure: unknown;
    const progress = async () => {
      await report({ state: 'fetching', bytes: done });
      await ctx.progress(Math.floor((done * 99) / p.sizeBytes), 'Fetched {bytes} of {size} bytes of {name}', { bytes: done, size: p.sizeBytes, name: p.name });
    };
    try {
      // The chunk is a view of the connection's read buffer: it stays as it is until the promise
      // returned here settles (the socket waits), so the part that did not fit is copied after the flush.
      await res.body((chunk) => {
        done += chunk.length;
        hash.update(chunk);
        const n = Math.min(chunk.length, WRITE_BYTES - fill);
        chunk.copy(buffers[slot]!, fill, 0, n);
        fill += n;
        if (done >= nextReport && reporting === undefined) {
          // Reported on the side, one report at a time: the bytes do not wait for the Striker's database.
          nextReport = done + reportEvery;
          reporting = progress().then(() => undefined, (error: unknown) => void (reportFailure ??= error)).finally(() => (reporting = undefined));
        }
        if (fill < WRITE_BYTES) return undefined;
        return flush().then(() => void (fill = chunk.copy(buffers[slot]!, 0, n)));
      });
      await reporting;
      if (reportFailure !== undefined) throw reportFailure;
      await flush();
      await writing;
    } catch (error) {
      await flush().then(() => writing).catch(() => undefined);
      await reporting;
      throw error;
    } finally {
      await writing.catch(() => undefined);
      await handle.close();
    }
    if (done !== p.sizeBytes) throw new Error(`the Striker's answer ended after ${done} of ${p.sizeBytes} bytes`);
    return hash.digest('hex');
  }
}
