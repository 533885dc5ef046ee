/**
 * What HttpSource promises whatever the upstream does: real servers on 127.0.0.1 ephemeral ports
 * (node:http, raw TCP peers scripted per connection, python3's http.server), each case asserting the
 * outcome — the stored bytes, or the exact error code and message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { Checksum } from '../metadata/checksum.js';
import { ContentStore } from '../store/content-store.js';
import { HttpSource, type HttpSourceOptions } from './http-source.js';

interface File { name: string; body: Buffer; checksum: Checksum }
const file = (name: string, body: Buffer): File => ({ name, body, checksum: { algorithm: 'sha256', value: createHash('sha256').update(body).digest('hex') } });
const files = Array.from({ length: 120 }, (_, i) => file(`f${String(i).padStart(3, '0')}.rpm`, randomBytes(100 + ((i * 997) % 9000))));
const big = file('big.rpm', randomBytes(700_000));
const byPath = new Map([...files, big].map((f) => [`/${f.name}`, f]));
const signal = new AbortController().signal;
let dir: string;
const closers: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-http-contract-'));
  await Promise.all([...files, big].map((f) => writeFile(join(dir, f.name), f.body)));
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await rm(dir, { recursive: true, force: true });
});

function source(port: number, options: HttpSourceOptions = {}): HttpSource {
  const s = new HttpSource(`http://127.0.0.1:${port}/`, { maxSockets: 2, pipelineDepth: 8, ...options });
  closers.push(() => s.close());
  return s;
}

async function freshStore(): Promise<ContentStore> {
  const store = new ContentStore(await mkdtemp(join(dir, 'store-')));
  await store.ensurePartialDir();
  return store;
}

/** Fetches every file at once (as the sync's pool does) and returns what each stored path holds, as sha256. */
async function fetchAll(s: HttpSource, some: readonly File[], store?: ContentStore, fetchSignal = signal): Promise<string[]> {
  const st = store ?? await freshStore();
  const paths = await Promise.all(some.map((f) => s.fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, st, { signal: fetchSignal })));
  return Promise.all(paths.map(async (p) => createHash('sha256').update(await readFile(p)).digest('hex')));
}
const sums = (some: readonly File[]) => some.map((f) => f.checksum.value);

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StrikerError);
  return { code: (error as StrikerError).code, message: (error as StrikerError).message };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  closers.push(() => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }));
  return (server.address() as AddressInfo).port;
}

/** A node:http server over the files, with Range; `handle` may take a request over first. */
async function nodeServer(options: { maxRequestsPerSocket?: number; handle?: (req: IncomingMessage, res: ServerResponse) => boolean } = {}) {
  const stats = { connections: 0, requests: [] as { path: string; range?: string }[] };
  const server = createServer((req, res) => {
    stats.requests.push({ path: req.url ?? '', ...(req.headers.range ? { range: req.headers.range } : {}) });
    if (options.handle?.(req, res)) return;
    const f = byPath.get(req.url ?? '');
    if (f === undefined) { res.writeHead(404, { 'content-length': 9 }).end('not found'); return; }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      res.writeHead(206, { 'content-length': f.body.length - start, 'content-range': `bytes ${start}-${f.body.length - 1}/${f.body.length}` }).end(f.body.subarray(start));
    } else {
      res.writeHead(200, { 'content-length': f.body.length }).end(f.body);
    }
  });
  if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  server.on('connection', () => { stats.connections++; });
  return { port: await listen(server), stats };
}

/** A raw TCP peer: `onData` decides what each connection gets. */
async function rawServer(onData: (socket: Socket, data: string, state: { seen: number; buffered: string }) => void) {
  const stats = { connections: 0 };
  const server = createNetServer((s) => {
    stats.connections++;
    const state = { seen: 0, buffered: '' };
    s.on('data', (d) => onData(s, d.toString('latin1'), state));
    s.on('error', () => {});
  });
  return { port: await listen(server), stats };
}

const response = (f: File) => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${f.body.length}\r\n\r\n`), f.body]);

describe('HttpSource contract: small files over pipelined connections', () => {
  it('a keep-alive server: every file stored with the right bytes, over at most maxSockets connections', async () => {
    const { port, stats } = await nodeServer();
    expect(await fetchAll(source(port), files)).toEqual(sums(files));
    expect(stats.connections).toBeLessThanOrEqual(2);
    expect(stats.requests).toHaveLength(files.length);
  });

  it('requests are pipelined: a server that answers only once 8 requests have arrived on the connection serves them all', async () => {
    const { port } = await rawServer((s, data, state) => {
      state.buffered += data;
      const asked = [...state.buffered.matchAll(/GET \/(\S+) HTTP\/1\.1\r\n[^]*?\r\n\r\n/g)];
      if (asked.length < 8) return;
      state.buffered = '';
      s.write(Buffer.concat(asked.map((m) => response(byPath.get(`/${m[1]!}`)!))));
    });
    const some = files.slice(0, 16);
    expect(await fetchAll(source(port, { maxSockets: 1, idleTimeoutMs: 5_000 }), some)).toEqual(sums(some));
  });

  it('a 404 fails that file only; the files pipelined around it are stored', async () => {
    const { port } = await nodeServer();
    const s = source(port);
    const store = await freshStore();
    const results = await Promise.allSettled([files[0]!, file('nope.rpm', randomBytes(10)), files[1]!].map((f) =>
      s.fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, store, { signal })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'REPO_FETCH_FAILED', message: `GET http://127.0.0.1:${port}/nope.rpm failed: HTTP 404 Not Found` });
  });

  it('a server that announces a close every 5 requests (Node maxRequestsPerSocket): the requests behind go again, none fails, none retried', async () => {
    const { port, stats } = await nodeServer({ maxRequestsPerSocket: 5 });
    expect(await fetchAll(source(port, { attempts: 1 }), files)).toEqual(sums(files));
    expect(stats.connections).toBeGreaterThanOrEqual(Math.ceil(files.length / 5));
  });

  it('python3 http.server (HTTP/1.0, one response per connection): every file stored', async () => {
    const py: ChildProcess = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    closers.push(() => { py.kill('SIGTERM'); });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      py.stdout!.on('data', (d) => { out += String(d); const m = /port (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
      py.once('exit', (code) => reject(new Error(`python3 http.server exited (${code})`)));
    });
    const some = files.slice(0, 30);
    expect(await fetchAll(source(port), some)).toEqual(sums(some));
  });

  it('a server that drops the connection unannounced after 3 responses: the lost requests are tried again and stored', async () => {
    const { port, stats } = await rawServer((s, data, state) => {
      for (const m of data.matchAll(/GET \/(\S+) HTTP\/1\.1/g)) {
        if (state.seen++ >= 3) { s.destroy(); return; }
        s.write(response(byPath.get(`/${m[1]!}`)!));
      }
    });
    const some = files.slice(0, 40);
    expect(await fetchAll(source(port, { pipelineDepth: 6 }), some)).toEqual(sums(some));
    expect(stats.connections).toBeGreaterThanOrEqual(Math.ceil(some.length / 3));
  });

  it('a body longer than primary.xml says is refused; the requests pipelined behind it are stored', async () => {
    const { port } = await nodeServer();
    const s = source(port, { maxSockets: 1 });
    const store = await freshStore();
    const long = files.find((f) => f.body.length > 5000)!;
    const small = files.filter((f) => f.body.length < 5000).slice(0, 3);
    const results = await Promise.allSettled([
      s.fetchToStore(long.name, { checksum: long.checksum, size: 1000 }, store, { signal }),
      ...small.map((f) => s.fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, store, { signal })),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'REPO_VERIFY_FAILED', message: `http://127.0.0.1:${port}/${long.name}: expected 1000 bytes — got ${long.body.length}` } });
    expect(results.slice(1).map((r) => r.status)).toEqual(small.map(() => 'fulfilled'));
    expect(await store.has(long.checksum)).toBe(false);
  });

  it('a chunked body that runs past the expected size is refused', async () => {
    const { port } = await rawServer((s) => {
      s.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'800\r\n'}${'x'.repeat(0x800)}\r\n${'800\r\n'}${'x'.repeat(0x800)}\r\n`);
    });
    const f = files[0]!;
    expect(await failure(source(port).fetchToStore(f.name, { checksum: f.checksum, size: 3000 }, await freshStore(), { signal })))
      .toEqual({ code: 'REPO_VERIFY_FAILED', message: `http://127.0.0.1:${port}/${f.name}: expected 3000 bytes — got 4096` });
  });

  it('a server that never answers: "no data for N ms"', async () => {
    const { port } = await rawServer(() => {});
    const f = files[0]!;
    expect(await failure(source(port, { idleTimeoutMs: 200 }).fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, await freshStore(), { signal })))
      .toEqual({ code: 'REPO_FETCH_FAILED', message: `GET http://127.0.0.1:${port}/${f.name} failed: no data for 200 ms` });
  });

  it('a server that stalls inside a body: "no data for N ms"', async () => {
    const { port } = await rawServer((s) => { s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome of it'); });
    const f = files[0]!;
    expect(await failure(source(port, { idleTimeoutMs: 200 }).fetchToStore(f.name, { checksum: f.checksum, size: 100 }, await freshStore(), { signal })))
      .toEqual({ code: 'REPO_FETCH_FAILED', message: `GET http://127.0.0.1:${port}/${f.name} failed: no data for 200 ms` });
  });

  it('garbage instead of HTTP is a clear error, not tried again, and nobody crashes', async () => {
    const { port, stats } = await rawServer((s) => { s.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'); });
    const f = files[0]!;
    const { code, message } = await failure(source(port, { maxSockets: 1 }).fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, await freshStore(), { signal }));
    expect(code).toBe('REPO_FETCH_FAILED');
    expect(message).toBe(`GET http://127.0.0.1:${port}/${f.name} failed: Response does not match the HTTP/1.1 protocol (Expected HTTP/, RTSP/ or ICE/)`);
    expect(stats.connections).toBe(1);
  });

  it('a response cut short is tried again, then fails saying what was missing', async () => {
    const { port, stats } = await rawServer((s) => { s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'); });
    const f = files[0]!;
    expect(await failure(source(port, { attempts: 3 }).fetchToStore(f.name, { checksum: f.checksum, size: 100 }, await freshStore(), { signal })))
      .toEqual({ code: 'REPO_FETCH_FAILED', message: `GET http://127.0.0.1:${port}/${f.name} failed: connection closed inside the response (91 of 100 body bytes missing)` });
    expect(stats.connections).toBe(3);
  });

  it('connection refused fails with the socket error', async () => {
    const probe = createNetServer();
    const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    const f = files[0]!;
    expect(await failure(source(port).fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, await freshStore(), { signal })))
      .toEqual({ code: 'REPO_FETCH_FAILED', message: `GET http://127.0.0.1:${port}/${f.name} failed: connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('an abort fails queued and in-flight requests with the abort reason, and the source still works after', async () => {
    // Answers in order, as HTTP/1.1 must: nothing more on a connection once hang.rpm was asked for.
    const { port } = await rawServer((s, data, state) => {
      for (const m of data.matchAll(/GET \/(\S+) HTTP\/1\.1/g)) {
        if (m[1] === 'hang.rpm') state.seen = -1;
        if (state.seen < 0) return;
        s.write(response(byPath.get(`/${m[1]!}`)!));
      }
    });
    const s = source(port, { maxSockets: 1, pipelineDepth: 2 });
    const store = await freshStore();
    const ac = new AbortController();
    const hang = file('hang.rpm', randomBytes(10));
    const pending = Promise.allSettled([hang, ...files.slice(0, 4)].map((f) => s.fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, store, { signal: ac.signal })));
    await new Promise((r) => setTimeout(r, 50));
    ac.abort(new Error('cancelled by the user'));
    expect((await pending).map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'stored'))).toEqual(['cancelled by the user', ...files.slice(0, 4).map(() => 'cancelled by the user')]);
    await expect(s.fetchToStore(files[5]!.name, { checksum: files[5]!.checksum, size: files[5]!.body.length }, store, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    expect(await fetchAll(s, files.slice(5, 8), store)).toEqual(sums(files.slice(5, 8)));
  });

  it('a redirect loop stops after 5 hops', async () => {
    const { port } = await nodeServer({ handle: (_req, res) => { res.writeHead(302, { location: '/again.rpm', 'content-length': 0 }).end(); return true; } });
    const f = files[0]!;
    expect(await failure(source(port).fetchToStore(f.name, { checksum: f.checksum, size: f.body.length }, await freshStore(), { signal })))
      .toEqual({ code: 'REPO_FETCH_FAILED', message: `GET http://127.0.0.1:${port}/${f.name} failed: more than 5 redirects` });
  });
});

describe('HttpSource contract: large files stream to a partial file and resume', () => {
  it('a connection lost mid-body is tried again with Range from where the partial ends (206 appends)', async () => {
    let cut = true;
    const { port, stats } = await nodeServer({
      handle: (req, res) => {
        if (req.url !== '/big.rpm' || !cut) return false;
        cut = false;
        res.writeHead(200, { 'content-length': big.body.length });
        res.write(big.body.subarray(0, 300_000), () => setTimeout(() => res.destroy(), 50));
        return true;
      },
    });
    expect(await fetchAll(source(port), [big])).toEqual(sums([big]));
    expect(stats.requests.map((r) => r.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
  });

  it('a server that answers the Range request with a 200 restarts the file', async () => {
    let cut = true;
    const { port, stats } = await nodeServer({
      handle: (req, res) => {
        if (req.url !== '/big.rpm') return false;
        res.writeHead(200, { 'content-length': big.body.length });
        if (cut) { cut = false; res.write(big.body.subarray(0, 300_000), () => setTimeout(() => res.destroy(), 50)); } else res.end(big.body);
        return true;
      },
    });
    expect(await fetchAll(source(port), [big])).toEqual(sums([big]));
    expect(stats.requests).toHaveLength(2);
    expect(stats.requests[1]!.range).toMatch(/^bytes=\d+-$/);
  });

  it('a 206 that does not start where the partial ends is refused', async () => {
    const { port } = await nodeServer({
      handle: (req, res) => {
        if (req.url !== '/big.rpm' || req.headers.range === undefined) return false;
        res.writeHead(206, { 'content-length': big.body.length, 'content-range': `bytes 0-${big.body.length - 1}/${big.body.length}` }).end(big.body);
        return true;
      },
    });
    const store = await freshStore();
    await writeFile(store.partialPathFor(big.checksum), big.body.subarray(0, 1000));
    expect(await failure(source(port).fetchToStore(big.name, { checksum: big.checksum, size: big.body.length }, store, { signal })))
      .toEqual({ code: 'REPO_FETCH_FAILED', message: `GET http://127.0.0.1:${port}/big.rpm failed: asked for bytes from 1000 — the 206 has Content-Range 'bytes 0-${big.body.length - 1}/${big.body.length}'` });
  });

  it('an upstream that keeps dropping the connection fails after the tries, keeping the partial', async () => {
    const { port, stats } = await nodeServer({
      handle: (req, res) => {
        if (req.url !== '/big.rpm') return false;
        const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
        res.writeHead(start > 0 ? 206 : 200, { 'content-length': big.body.length - start, ...(start > 0 ? { 'content-range': `bytes ${start}-${big.body.length - 1}/${big.body.length}` } : {}) });
        res.write(big.body.subarray(start, start + 100_000), () => setTimeout(() => res.destroy(), 50));
        return true;
      },
    });
    const store = await freshStore();
    const { code, message } = await failure(source(port, { attempts: 3 }).fetchToStore(big.name, { checksum: big.checksum, size: big.body.length }, store, { signal }));
    expect(code).toBe('REPO_FETCH_FAILED');
    // Each try resumes where the partial ends and adds what the server sent before it cut the
    // connection (100,000 bytes, or fewer when the cut overtakes them on a busy machine); the
    // partial keeps every byte that arrived, and the message counts what the last response lacked.
    const starts = stats.requests.map((r) => (r.range === undefined ? 0 : Number(/^bytes=(\d+)-$/.exec(r.range)?.[1])));
    expect(starts).toHaveLength(3);
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBeGreaterThan(0);
    expect(starts[2]).toBeGreaterThan(starts[1]!);
    const partial = await readFile(store.partialPathFor(big.checksum));
    expect(partial.length).toBeGreaterThanOrEqual(starts[2]!);
    expect(partial.length).toBeLessThanOrEqual(300_000);
    expect(partial.equals(big.body.subarray(0, partial.length))).toBe(true);
    expect(message).toBe(`GET http://127.0.0.1:${port}/big.rpm failed: connection closed inside the response (${big.body.length - partial.length} of ${big.body.length - starts[2]!} body bytes missing)`);
  });
});
