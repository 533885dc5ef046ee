/**
 * The agent's `file.fetch` runner against a real HTTP server that plays a Striker's agent file
 * route: it can cut the connection part-way, flip bytes, answer 404, or not be there at all.
 * Outcomes asserted: the file in place byte-identical, the Range of a resumed fetch and the bytes
 * served in all, a corrupted copy deleted and reported failed (never ready), the fallback to the
 * next Striker.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostJobContext, HostJobPayload } from '../../striker/agent/index.js';
import { fileFetchRunner } from './file-fetch.js';

const data = randomBytes(3 * 1024 * 1024 + 17);
const sha256 = createHash('sha256').update(data).digest('hex');
const fileId = '0f0f0f0f-1111-4222-8333-444455556666';
const dir = mkdtempSync(join(tmpdir(), 'file-fetch-'));

interface Striker {
  url: string;
  server: Server;
  /** Each request's Range header ('' when none). */
  ranges: string[];
  served: number;
  /** Cut the next answer's connection after this many body bytes. */
  cutAfter?: number;
  /** Send this many body bytes, then the rest only once the host reported bytes on the way. */
  pauseAt?: number;
  /** Flip the byte at this offset of the file in every answer. */
  flipAt?: number;
  status?: number;
  /** What it answers to the agent's "do you hold it?" (default: whether it serves the bytes). */
  claimsHeld?: boolean;
  probes: number;
  credentials: string[];
}

async function striker(): Promise<Striker> {
  const s = { ranges: [], served: 0, probes: 0, credentials: [] } as unknown as Striker;
  s.server = createServer((req, res) => {
    if (req.url === `/api/agent/files/${fileId}/held`) {
      s.probes++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ held: s.claimsHeld ?? s.status === undefined }));
      return;
    }
    s.ranges.push(req.headers.range ?? '');
    s.credentials.push(req.headers.authorization ?? '');
    if (req.url !== `/api/agent/files/${fileId}/content`) return void res.writeHead(404).end();
    if (s.status !== undefined) {
      res.writeHead(s.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'the bytes of x on this Striker do not exist' } }));
      return;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    let body = Buffer.from(data.subarray(start));
    if (s.flipAt !== undefined && s.flipAt >= start) body[s.flipAt - start] = body[s.flipAt - start]! ^ 0xff;
    res.writeHead(m ? 206 : 200, { 'content-length': body.length, ...(m ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}) });
    if (s.cutAfter !== undefined) {
      const cut = s.cutAfter;
      s.cutAfter = undefined;
      body = body.subarray(0, cut);
      s.served += body.length;
      res.write(body, () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    s.served += body.length;
    if (s.pauseAt !== undefined) {
      const rest = body.subarray(s.pauseAt);
      const since = Date.now();
      res.write(body.subarray(0, s.pauseAt));
      const later = () => (reportedBytes > 0 || Date.now() - since > 10_000 ? res.end(rest) : setTimeout(later, 5));
      later();
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
  return s;
}

let a: Striker;
let b: Striker;
let n = 0;
/** The last bytes the host reported while fetching (the paused Striker waits for them). */
let reportedBytes = 0;
beforeAll(async () => {
  [a, b] = [await striker(), await striker()];
});
afterAll(async () => {
  await Promise.all([a, b].map((s) => new Promise((r) => s.server.close(r))));
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  reportedBytes = 0;
  for (const s of [a, b]) Object.assign(s, { ranges: [], served: 0, probes: 0, cutAfter: undefined, pauseAt: undefined, flipAt: undefined, status: undefined, claimsHeld: undefined, credentials: [] });
});

/** Runs the runner once with a fresh destination; what it reported and how it ended. */
async function run(urls: string[], prepare?: (directory: string) => void, hashIn: 'worker' | 'main' = 'worker', reportEveryMs?: number, fetchWith: 'curl' | 'node' = receiver) {
  const directory = join(dir, `d${n++}`);
  prepare?.(directory);
  const states: { state: string; bytes: number; error?: string }[] = [];
  const payload: HostJobPayload<'file.fetch'> = { fileId, name: 'alma.iso', sizeBytes: data.length, sha256, directory };
  const ctx: HostJobContext<HostJobPayload<'file.fetch'>> = {
    jobId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', payload, signal: new AbortController().signal, logger: pino({ level: 'silent' }),
    progress: async () => undefined, note: async () => undefined,
    api: async <T>(_m: string, path: string, body?: object) => {
      expect(path).toBe(`files/${fileId}/state`);
      states.push(body as (typeof states)[number]);
      if ((body as { state?: string }).state === 'fetching') reportedBytes = (body as { bytes: number }).bytes;
      return undefined as T;
    },
  };
  const runner = fileFetchRunner({ strikerUrls: urls, credential: async () => 'host-secret', pauseMs: 10, rounds: 3, hashIn, fetchWith, ...(reportEveryMs === undefined ? {} : { reportEveryMs }) });
  const outcome = await runner(ctx).then((r) => ({ ok: true as const, r }), (e: Error) => ({ ok: false as const, e }));
  return { directory, states, outcome, target: join(directory, 'alma.iso'), part: join(directory, '.alma.iso.part') };
}

/** The receiver the runs of a `describe.each` below use. */
let receiver: 'curl' | 'node' = 'curl';

describe.each(['curl', 'node'] as const)('file.fetch receiving with %s', (fetchWith) => {
  beforeAll(() => void (receiver = fetchWith));

  it('fetches the file with the host credential, checks it, renames it into place and reports ready', async () => {
    const r = await run([a.url]);
    expect(r.outcome.ok).toBe(true);
    expect(readFileSync(r.target).equals(data)).toBe(true);
    expect(existsSync(r.part)).toBe(false);
    expect(a.credentials).toEqual(['Bearer host-secret']);
    expect(r.states.at(0)).toMatchObject({ state: 'fetching', bytes: 0 });
    expect(r.states.at(-1)).toMatchObject({ state: 'ready', bytes: data.length });
  });

  it('reports the bytes it holds by time while they arrive, not per chunk', async () => {
    // Every 0 ms: reports (one at a time) with the bytes so far, while the Striker holds the rest back until one came.
    a.pauseAt = 1024 * 1024;
    const often = await run([a.url], undefined, 'worker', 0);
    expect(often.outcome.ok).toBe(true);
    const between = often.states.filter((s) => s.state === 'fetching' && s.bytes > 0 && s.bytes < data.length);
    expect(between.length).toBeGreaterThan(0);
    expect(between.map((s) => s.bytes)).toEqual([...between.map((s) => s.bytes)].sort((x, y) => x - y));
    // Every 10 minutes: the first report and the last only, whatever the chunks.
    a.pauseAt = undefined;
    const seldom = await run([a.url], undefined, 'worker', 600_000);
    expect(seldom.outcome.ok).toBe(true);
    expect(seldom.states.map((s) => [s.state, s.bytes])).toEqual([['fetching', 0], ['ready', data.length]]);
  });

  it('goes on from the bytes it holds after a cut (Range from the part length), serving less than 1.5× the file', async () => {
    a.cutAfter = 1024 * 1024 + 5;
    const r = await run([a.url]);
    expect(r.outcome.ok).toBe(true);
    expect(readFileSync(r.target).equals(data)).toBe(true);
    expect(a.ranges[0]).toBe('');
    expect(a.ranges).toHaveLength(2);
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(a.ranges[1]!)![1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(1024 * 1024 + 5);
    expect(a.served).toBeLessThan(data.length * 1.5);
  });

  it.each(fetchWith === 'node' ? (['worker', 'main'] as const) : (['worker'] as const))('checks the SHA-256 hashed in the %s thread: a cut copy resumed is ready, a corrupted one is not', async (hashIn) => {
    a.cutAfter = 2 * 1024 * 1024 + 3;
    const good = await run([a.url], undefined, hashIn);
    expect(good.outcome.ok).toBe(true);
    expect(readFileSync(good.target).equals(data)).toBe(true);
    a.flipAt = 5;
    const bad = await run([a.url], undefined, hashIn);
    expect(bad.outcome.ok).toBe(false);
    expect(existsSync(bad.target)).toBe(false);
    expect(bad.states.at(-1)).toMatchObject({ state: 'failed' });
  });

  it('resumes a part left by an earlier run (the agent restarted) with a Range', async () => {
    const r = await run([a.url], (d) => {
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, '.alma.iso.part'), data.subarray(0, 2_000_000));
    });
    expect(r.outcome.ok).toBe(true);
    expect(a.ranges).toEqual(['bytes=2000000-']);
    expect(readFileSync(r.target).equals(data)).toBe(true);
  });

  it('never marks a corrupted copy ready: the part is deleted and the host reports failed with both hashes', async () => {
    a.flipAt = 1_500_000;
    const r = await run([a.url]);
    expect(r.outcome.ok).toBe(false);
    expect(existsSync(r.target)).toBe(false);
    expect(existsSync(r.part)).toBe(false);
    expect(r.states.some((s) => s.state === 'ready')).toBe(false);
    expect(r.states.at(-1)).toMatchObject({ state: 'failed' });
    expect(r.states.at(-1)!.error).toContain(sha256);
    expect(r.outcome.ok ? '' : r.outcome.e.message).toMatch(/SHA-256 [0-9a-f]{64}, not [0-9a-f]{64}; the copy was deleted/);
  });

  it('falls back to the next Striker when one is not there or has no bytes (404)', async () => {
    const gone = 'http://127.0.0.1:1';
    const r1 = await run([gone, b.url]);
    expect(r1.outcome.ok).toBe(true);
    expect(b.ranges).toHaveLength(1);
    // A Striker that said it holds the bytes but answers 404 (it lost them meanwhile): the next one.
    a.status = 404;
    a.claimsHeld = true;
    const r2 = await run([a.url, b.url]);
    expect(r2.outcome.ok).toBe(true);
    // curl keeps an error answer out of the part and its text is read with a second GET.
    expect(a.ranges).toEqual(fetchWith === 'curl' ? ['', ''] : ['']);
    expect(readFileSync(r2.target).equals(data)).toBe(true);
  });

  it('asks a Striker that holds the bytes first, whatever its place in the agent\'s list', async () => {
    a.claimsHeld = false;
    const r = await run([a.url, b.url]);
    expect(r.outcome.ok).toBe(true);
    expect([a.probes, b.probes]).toEqual([1, 1]);
    expect(a.ranges).toEqual([]);
    expect(b.ranges).toEqual(['']);
    expect(readFileSync(r.target).equals(data)).toBe(true);
  });

  it('fails for good, with each Striker\'s answer, when every Striker refuses', async () => {
    a.status = 404;
    b.status = 404;
    const r = await run([a.url, b.url]);
    expect(r.outcome.ok).toBe(false);
    expect(r.states.at(-1)).toMatchObject({ state: 'failed' });
    expect(r.states.at(-1)!.error).toContain(`${a.url}: HTTP 404`);
    expect(r.states.at(-1)!.error).toContain(`${b.url}: HTTP 404`);
  });

  it('reports a file already in place ready without fetching it', async () => {
    const r = await run([a.url], (d) => {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'alma.iso'), data);
    });
    expect(r.outcome).toMatchObject({ ok: true, r: { noChange: expect.stringContaining(sha256) } });
    expect(a.ranges).toEqual([]);
    expect(r.states).toEqual([{ jobId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', state: 'ready', bytes: data.length }]);
  });
});

describe('the agent configuration\'s files section', () => {
  it('defaults to the hashing thread and a flush every 128 MiB, and names a bad field', async () => {
    const { parseFileFetchConfig } = await import('./file-fetch.js');
    expect(parseFileFetchConfig(undefined)).toEqual({ hashIn: 'worker', syncEveryBytes: 128 * 1024 * 1024, fetchWith: 'curl' });
    expect(parseFileFetchConfig({ hashIn: 'main', syncEveryBytes: 0, fetchWith: 'node' })).toEqual({ hashIn: 'main', syncEveryBytes: 0, fetchWith: 'node' });
    expect(() => parseFileFetchConfig({ fetchWith: 'wget' })).toThrow(/files\.fetchWith[\s\S]*must be curl or node|must be curl or node[\s\S]*files\.fetchWith/);
    expect(() => parseFileFetchConfig({ hashIn: 'gpu', syncEvery: 1 })).toThrow(/files\.hashIn[\s\S]*must be worker or main|must be worker or main[\s\S]*files\.hashIn/);
  });
});
