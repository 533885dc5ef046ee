import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { BodyTooLargeError, PipelinedHttp } from './pipelined-http.js';

const files = Array.from({ length: 120 }, (_, i) => ({ name: `f${String(i).padStart(3, '0')}.rpm`, body: randomBytes(100 + ((i * 997) % 9000)) }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const signal = new AbortController().signal;
let dir: string;
const closers: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-pipelined-'));
  for (const f of files) await writeFile(join(dir, f.name), f.body);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await rm(dir, { recursive: true, force: true });
});

function client(port: number, extra: Partial<ConstructorParameters<typeof PipelinedHttp>[0]> = {}): PipelinedHttp {
  const c = new PipelinedHttp({ host: `127.0.0.1:${port}`, connections: 2, depth: 8, connect: () => connect({ host: '127.0.0.1', port }), ...extra });
  closers.push(() => c.close());
  return c;
}

async function listen(server: Server | ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return (server.address() as AddressInfo).port;
}

/** A Node HTTP server on the directory; counts connections and requests. */
async function nodeServer(options: { maxRequestsPerSocket?: number } = {}) {
  const stats = { connections: 0, requests: 0 };
  const byName = new Map(files.map((f) => [`/${f.name}`, f.body]));
  const server = createServer((req, res) => {
    stats.requests++;
    const body = byName.get(req.url ?? '');
    if (body === undefined) res.writeHead(404, { 'content-length': 9 }).end('not found');
    else res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  server.on('connection', () => { stats.connections++; });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  closers.push(() => { for (const s of sockets) s.destroy(); });
  return { port: await listen(server), stats };
}

/** A raw TCP peer scripted per connection: `answer(requestCount, socket)` decides what happens. */
async function rawServer(onData: (socket: Socket, data: string, state: { seen: number }) => void) {
  const stats = { connections: 0 };
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    stats.connections++;
    sockets.add(s);
    const state = { seen: 0 };
    s.on('data', (d) => onData(s, d.toString('latin1'), state));
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  closers.push(() => { for (const s of sockets) s.destroy(); });
  return { port: await listen(server), stats };
}

const getAll = (c: PipelinedHttp, names: readonly string[], s = signal) => Promise.all(names.map((n) => c.get(`/${n}`, 16_384, s)));

describe('PipelinedHttp against real servers', () => {
  it('pipelines over at most `connections` keep-alive connections; every body is the right one', async () => {
    const { port, stats } = await nodeServer();
    const answers = await getAll(client(port), files.map((f) => f.name));
    expect(answers.map((a) => a.status)).toEqual(files.map(() => 200));
    expect(answers.map((a) => sha(a.body))).toEqual(files.map((f) => sha(f.body)));
    expect(stats.connections).toBeLessThanOrEqual(2);
    expect(stats.requests).toBe(files.length);
  });

  it('a 404 answers that request only; the rest of the pipeline is unaffected', async () => {
    const { port } = await nodeServer();
    const answers = await getAll(client(port), ['f000.rpm', 'nope.rpm', 'f001.rpm']);
    expect(answers.map((a) => [a.status, a.body.length])).toEqual([[200, files[0]!.body.length], [404, 0], [200, files[1]!.body.length]]);
  });

  it('a server that announces a close every 5 requests (Node maxRequestsPerSocket): unanswered requests go again, none fail', async () => {
    const { port, stats } = await nodeServer({ maxRequestsPerSocket: 5 });
    const answers = await getAll(client(port, { maxAttempts: 1 }), files.map((f) => f.name));
    expect(answers.map((a) => sha(a.body))).toEqual(files.map((f) => sha(f.body)));
    expect(stats.connections).toBeGreaterThanOrEqual(Math.ceil(files.length / 5));
  });

  it('python3 http.server (HTTP/1.0, one response per connection): falls back to one request per connection', async () => {
    const py: ChildProcess = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    closers.push(() => { py.kill('SIGTERM'); });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      py.stdout!.on('data', (d) => { out += String(d); const m = /port (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
      py.once('exit', (code) => reject(new Error(`python3 http.server exited (${code})`)));
    });
    const some = files.slice(0, 30);
    const answers = await getAll(client(port), some.map((f) => f.name));
    expect(answers.map((a) => sha(a.body))).toEqual(some.map((f) => sha(f.body)));
  });

  it('a server that drops the connection unannounced after 3 responses: the lost requests are retried', async () => {
    const bodies = new Map(files.map((f) => [f.name, f.body]));
    const { port, stats } = await rawServer((s, data, state) => {
      for (const m of data.matchAll(/GET \/(\S+) HTTP\/1\.1/g)) {
        if (state.seen++ >= 3) { s.destroy(); return; }
        const body = bodies.get(m[1]!)!;
        s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
      }
    });
    const some = files.slice(0, 40);
    const answers = await getAll(client(port, { depth: 6 }), some.map((f) => f.name));
    expect(answers.map((a) => sha(a.body))).toEqual(some.map((f) => sha(f.body)));
    expect(stats.connections).toBeGreaterThanOrEqual(Math.ceil(some.length / 3));
  });

  it('a body longer than allowed fails that request; the requests behind it are answered (on a new connection)', async () => {
    const { port } = await nodeServer();
    const c = client(port, { connections: 1 });
    const big = files.find((f) => f.body.length > 5000)!;
    const small = files.filter((f) => f.body.length < 5000).slice(0, 3);
    const results = await Promise.allSettled([c.get(`/${big.name}`, 1000, signal), ...small.map((f) => c.get(`/${f.name}`, 16_384, signal))]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(BodyTooLargeError) });
    expect(results.slice(1).map((r) => (r.status === 'fulfilled' ? sha(r.value.body) : 'failed'))).toEqual(small.map((f) => sha(f.body)));
  });

  it('a stall fails the requests in flight with "no data for N ms"', async () => {
    const { port } = await rawServer(() => {});
    await expect(client(port, { idleTimeoutMs: 200 }).get('/f000.rpm', 16_384, signal)).rejects.toThrow(/no data for 200 ms/);
  });

  it('garbage instead of HTTP is a DecodeError for the request being answered, and nobody crashes', async () => {
    const { port } = await rawServer((s) => { s.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'); });
    await expect(client(port, { connections: 1, maxAttempts: 2 }).get('/f000.rpm', 16_384, signal)).rejects.toThrow(DecodeError);
  });

  it('a response cut short fails its request with what was missing', async () => {
    const { port } = await rawServer((s) => { s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'); });
    await expect(client(port).get('/f000.rpm', 16_384, signal)).rejects.toThrow(/connection closed inside a response \(91 body bytes missing\)/);
  });

  it('connection refused fails after maxAttempts with the socket error', async () => {
    const probe = createNetServer();
    const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as AddressInfo).port)));
    await new Promise((r) => probe.close(r));
    await expect(client(port, { maxAttempts: 2 }).get('/f000.rpm', 16_384, signal)).rejects.toThrow(/connection closed before the response \(connect ECONNREFUSED/);
  });

  it('an abort fails queued and in-flight requests with the abort reason, and the client still works after', async () => {
    const { port } = await rawServer(() => {}); // never answers: everything stays in flight or queued
    const c = client(port, { connections: 1, depth: 2 });
    const ac = new AbortController();
    const pending = Promise.allSettled(files.slice(0, 5).map((f) => c.get(`/${f.name}`, 16_384, ac.signal)));
    await new Promise((r) => setTimeout(r, 50));
    ac.abort(new Error('cancelled by the user'));
    const results = await pending;
    expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'ok'))).toEqual(files.slice(0, 5).map(() => 'cancelled by the user'));
    await expect(c.get('/x', 10, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('refuses request targets that could split the request', async () => {
    const c = client(1);
    await expect(c.get('/a b', 10, signal)).rejects.toThrow(/not a request target/);
    await expect(c.get('/a\r\nX: y', 10, signal)).rejects.toThrow(/not a request target/);
    await expect(c.get('http://elsewhere/', 10, signal)).rejects.toThrow(/not a request target/);
  });
});
