/**
 * `file.fetch` on a host (the agent's runner, injected by the app): gets a file's bytes from a
 * Striker over HTTP with the host's agent credential and puts them in the payload's directory.
 *
 *   - The bytes go to `<directory>/.<name>.part`, received by curl (`curl-receiver.ts`; the
 *     configuration's `fetchWith: node`: node:http's client, `part-receiver.ts`). After a cut (the connection dropped, the agent
 *     restarted) the fetch goes on with `Range: bytes=<part length>-` instead of starting over; a
 *     Striker that ignores the Range (200) restarts the part from byte 0.
 *   - The Strikers that hold the bytes now (`GET …/held`, asked of each at once) are asked first,
 *     then the others, each group in the agent's order; one that does not answer, or answers
 *     without the bytes (404: it is still fetching its own copy from a peer), is left for the next. A round in which
 *     every Striker refused ends the job with each one's answer.
 *   - When the part holds every byte, its SHA-256 is compared with the payload's: equal, it is
 *     synced and renamed into place and the host reports `ready`; different, the part is deleted
 *     and the host reports `failed` with both hashes — never `ready`.
 *   - A file already in place with the right size and SHA-256 is reported ready without a fetch.
 * The host's state (fetching with bytes so far, ready, failed with why) is posted to the Striker
 * as the fetch goes.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostJobContext, HostJobPayload, HostJobResult, HostJobRunner } from '../../striker/agent/index.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import { z } from 'zod';
import { runCommand, type CommandRunner } from '../../striker/core/command/run-command.js';
import { receivePartWithCurl } from './curl-receiver.js';
import { receivePart, Refused, sha256Of, type PartRequest } from './part-receiver.js';

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
  /** How often (ms) the host reports how many bytes it holds while they arrive. */
  reportEveryMs?: number;
  /** Where the SHA-256 is computed: a worker thread beside the transfer (default), or the main thread. */
  hashIn?: 'worker' | 'main';
  /** Flush written bytes to the disk on the side every this many (0: only after the last byte). */
  syncEveryBytes?: number;
  /** What receives the bytes: `curl` writing the part with the SHA-256 read behind it (default), or node:http's client. */
  fetchWith?: 'curl' | 'node';
  /** Runs curl (the command adapter). */
  run?: CommandRunner;
}

/** The agent configuration's `files:` section (what of the runner an operator may set). */
export const fileFetchConfigSchema = z.strictObject({
  /** `main` turns the hashing thread off: the SHA-256 is then computed between reads on the main thread. */
  hashIn: z.enum(['worker', 'main'], { error: 'must be worker or main' }).default('worker'),
  /** Written bytes are flushed to the disk on the side each time this many more were written; 0: only once, after the last byte. */
  syncEveryBytes: z.number().int().min(0).max(1024 ** 4).default(128 * 1024 * 1024),
  /** `curl` writes the part itself (the hashing thread reads it behind curl); `node`: node:http's client, the body through the main thread. */
  fetchWith: z.enum(['curl', 'node'], { error: 'must be curl or node' }).default('curl'),
});

export function parseFileFetchConfig(input: unknown): z.output<typeof fileFetchConfigSchema> {
  return parseOrThrow(fileFetchConfigSchema, input ?? {}, 'agent files configuration', 'files');
}

type Payload = HostJobPayload<'file.fetch'>;
type State = { state: 'fetching' | 'ready' | 'failed'; bytes: number; error?: string };

const sizeOf = (path: string) => stat(path).then((s) => s.size, () => undefined);

export function fileFetchRunner(deps: FileFetchDeps): HostJobRunner<'file.fetch'> {
  const idleTimeoutMs = deps.idleTimeoutMs ?? 30_000;
  const rounds = deps.rounds ?? 5;
  const pauseMs = deps.pauseMs ?? 1000;
  const reportEveryMs = deps.reportEveryMs ?? 2000;
  const probeTimeoutMs = Math.min(idleTimeoutMs, 5000);
  if (deps.strikerUrls.length === 0) throw new TypeError('file.fetch needs at least one Striker URL');
  return async (ctx: HostJobContext<Payload>): Promise<HostJobResult> => {
    const p = ctx.payload;
    const report = (s: State) => ctx.api('POST', `files/${p.fileId}/state`, { jobId: ctx.jobId, ...s });
    const target = join(p.directory, p.name);
    const part = join(p.directory, `.${p.name}.part`);
    await mkdir(p.directory, { recursive: true });

    if ((await sizeOf(target)) === p.sizeBytes && (await sha256Of(target)) === p.sha256) {
      await report({ state: 'ready', bytes: p.sizeBytes });
      return { noChange: `${target} is there already with SHA-256 ${p.sha256}` };
    }

    const urls = await holdersFirst(ctx, p, await deps.credential());
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
      const base = urls[index % urls.length]!;
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
        if (index % urls.length === 0) {
          attempt++;
          if (refusals.size === urls.length) {
            const reason = `no Striker gave the bytes of ${p.name}: ${[...refusals].map(([u, w]) => `${u}: ${w}`).join('; ')}`;
            await report({ state: 'failed', bytes: (await sizeOf(part)) ?? 0, error: reason });
            throw new StrikerError('NOT_FOUND', reason, { retryable: false });
          }
          if (attempt >= rounds) throw new StrikerError('PEER_UNREACHABLE', `the Strikers did not deliver ${p.name} in ${rounds} rounds: ${why}`);
          await new Promise((r) => setTimeout(r, pauseMs));
        }
      }
    }

    const sha256 = fetched ?? (await sha256Of(part));
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

  /**
   * The agent's Strikers with those that hold the bytes now first (each asked at once, briefly;
   * one that does not answer goes last), so a Striker still fetching its own copy is not asked first.
   */
  async function holdersFirst(ctx: HostJobContext<Payload>, p: Payload, credential: string): Promise<readonly string[]> {
    if (deps.strikerUrls.length < 2) return deps.strikerUrls;
    const answers = await Promise.all(deps.strikerUrls.map(async (url) => {
      try {
        const r = await fetch(`${url}/api/agent/files/${p.fileId}/held`, { headers: { authorization: `Bearer ${credential}` }, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(probeTimeoutMs)]) });
        return r.ok && ((await r.json()) as { held?: unknown }).held === true ? 0 : 1;
      } catch {
        return 2;
      }
    }));
    return deps.strikerUrls.map((url, i) => ({ url, rank: answers[i]! })).sort((x, y) => x.rank - y.rank).map((x) => x.url);
  }

  /** Fetches the bytes from `held` on into the part; the SHA-256 of the whole part once it holds every byte. */
  function fetchFrom(ctx: HostJobContext<Payload>, base: string, held: number, p: Payload, part: string, credential: string, report: (s: State) => Promise<unknown>): Promise<string> {
    const request: PartRequest = {
      url: `${base}/api/agent/files/${p.fileId}/content`,
      headers: { authorization: `Bearer ${credential}` },
      part,
      held,
      sizeBytes: p.sizeBytes,
      signal: ctx.signal,
      idleTimeoutMs,
      hashIn: deps.hashIn ?? 'worker',
      ...(deps.syncEveryBytes === undefined ? {} : { syncEveryBytes: deps.syncEveryBytes }),
      progress: {
        everyMs: reportEveryMs,
        report: async (done) => {
          await report({ state: 'fetching', bytes: done });
          await ctx.progress(Math.floor((done * 99) / p.sizeBytes), 'Fetched {bytes} of {size} bytes of {name}', { bytes: done, size: p.sizeBytes, name: p.name });
        },
      },
    };
    return (deps.fetchWith ?? 'curl') === 'curl' ? receivePartWithCurl(request, deps.run ?? runCommand) : receivePart(request);
  }
}
