/**
 * The repo routes' front door (answers from memory before fastify) over real HTTP: it must answer
 * exactly what the routes answer, leave everything unusual to them, and follow snapshot switches.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontDoor } from '../striker/http/front-door.js';
import { registerRepoRoutes, type RepoRouteCounters } from './content-routes.js';

let dir: string;
let app: FastifyInstance;
let counters: RepoRouteCounters;
let base: string;
let big: Buffer;
/** Requests the front door answered (before fastify). */
let frontDoorAnswers = 0;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

async function publish(repo: string, id: string, files: Record<string, string | Buffer>): Promise<void> {
  const snap = join(dir, 'published', repo, 'snapshots', id);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(snap, path, '..'), { recursive: true });
    await writeFile(join(snap, path), text);
  }
  const link = join(dir, 'published', repo, 'current');
  await symlink(`snapshots/${id}`, `${link}.new`);
  await rename(`${link}.new`, link);
}

/** One raw HTTP/1.1 exchange, so the request line reaches the server exactly as written (no half-close: Node drops a pending async answer when the client ends first). */
function rawGet(path: string, extra = ''): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (b) => { data += b.toString('latin1'); });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-front-door-'));
  await mkdir(join(dir, 'trees'), { recursive: true });
  await writeFile(join(dir, 'outside'), 'secret');
  big = randomBytes(5 * 1024 * 1024 + 123);
  await publish('base', 's1', { 'repodata/repomd.xml': '<repomd>one</repomd>', 'Packages/a-1.0-1.noarch.rpm': 'A'.repeat(3000), 'Packages/big-1.0-1.noarch.rpm': big });
  await publish('big', 'b1', { 'Packages/shrinks.rpm': randomBytes(64 * 1024 * 1024) });
  const frontDoor = new FrontDoor();
  const add = frontDoor.add.bind(frontDoor);
  frontDoor.add = (handler) => add((req, res) => {
    const answered = handler(req, res);
    if (answered) frontDoorAnswers += 1;
    return answered;
  });
  app = Fastify({ logger: false, serverFactory: frontDoor.serverFactory });
  counters = await registerRepoRoutes(app, { reposDir: join(dir, 'published'), treesDir: join(dir, 'trees'), frontDoor });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('repo front door', () => {
  it('answers a file already in memory with the same bytes and headers the route sent', async () => {
    const url = `${base}/repos/base/Packages/a-1.0-1.noarch.rpm`;
    const first = await fetch(url); // routed: loads the small-file cache
    const firstBody = await first.text();
    const before = counters.fromMemory;
    const answeredBefore = frontDoorAnswers;
    const second = await fetch(url); // the front door
    expect(await second.text()).toBe(firstBody);
    expect(firstBody).toBe('A'.repeat(3000));
    expect(counters.fromMemory).toBe(before + 1);
    expect(frontDoorAnswers).toBe(answeredBefore + 1);
    for (const name of ['content-type', 'etag', 'last-modified', 'accept-ranges', 'cache-control', 'content-length']) {
      expect(second.headers.get(name), name).toBe(first.headers.get(name));
    }
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('3000');
    expect(await head.text()).toBe('');
  });

  it('streams a large file byte-identical, with the same headers whether or not the request is conditional', async () => {
    const url = `${base}/repos/base/Packages/big-1.0-1.noarch.rpm`;
    const bodies = await Promise.all(Array.from({ length: 8 }, async () => {
      const r = await fetch(url);
      expect(r.status).toBe(200);
      return Buffer.from(await r.arrayBuffer());
    }));
    for (const body of bodies) expect(md5(body)).toBe(md5(big));
    const ours = await fetch(url);
    await ours.arrayBuffer();
    // If-Match: * always holds (RFC 9110 §13.1.1): the conditional path must answer the same.
    const theirs = await fetch(url, { headers: { 'if-match': '*' } });
    expect(md5(Buffer.from(await theirs.arrayBuffer()))).toBe(md5(big));
    for (const name of ['content-type', 'etag', 'last-modified', 'accept-ranges', 'cache-control', 'content-length']) {
      expect(ours.headers.get(name), name).toBe(theirs.headers.get(name));
    }
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(big.length));
    expect(await head.text()).toBe('');
  });

  it('survives clients that hang up mid-download and a file that shrinks while being sent', async () => {
    const url = `${base}/repos/base/Packages/big-1.0-1.noarch.rpm`;
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      const r = await fetch(url, { signal: controller.signal });
      const reader = r.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.read().catch(() => undefined);
    }
    const shrinking = await fetch(`${base}/repos/big/Packages/shrinks.rpm`);
    const reader = shrinking.body!.getReader();
    await reader.read();
    await truncate(join(dir, 'published', 'big', 'snapshots', 'b1', 'Packages', 'shrinks.rpm'), 1024 * 1024);
    let received = 0;
    const outcome = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        received += value.length;
      }
    })().catch(() => 'cut');
    expect(outcome).toBe('cut'); // never a short body passed off as complete
    expect(received).toBeLessThan(64 * 1024 * 1024);
    const after = await fetch(url);
    expect(md5(Buffer.from(await after.arrayBuffer()))).toBe(md5(big));
  });

  it('leaves Range and conditional requests to the routes', async () => {
    const url = `${base}/repos/base/Packages/a-1.0-1.noarch.rpm`;
    const full = await fetch(url);
    const etag = full.headers.get('etag')!;
    await full.arrayBuffer();
    const answeredBefore = frontDoorAnswers;
    const part = await fetch(url, { headers: { range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-9/3000');
    expect(await part.text()).toBe('A'.repeat(10));
    // Raw requests: fetch adds Cache-Control: no-cache to conditional requests (Fetch standard), which rightly defeats a 304.
    expect(await rawGet('/repos/base/Packages/a-1.0-1.noarch.rpm', `If-None-Match: ${etag}\r\n`)).toMatch(/^HTTP\/1\.1 304 /);
    const raw = await rawGet('/repos/base/Packages/a-1.0-1.noarch.rpm', 'If-Modified-Since: Tue, 01 Jan 2999 00:00:00 GMT\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 304 /);
    expect(frontDoorAnswers).toBe(answeredBefore);
  });

  it.each([
    '/repos/base/../base/repodata/repomd.xml',
    '/repos/base/./repodata/repomd.xml',
    '/repos/base/repodata//repomd.xml',
    '/repos/base/repodata/../../../../outside',
    '/repos/base/%2e%2e/snapshots/s1/repodata/repomd.xml',
  ])('never answers the unusual request line %s from memory', async (path) => {
    await fetch(`${base}/repos/base/repodata/repomd.xml`).then((r) => r.arrayBuffer()); // in memory now
    const before = counters.fromMemory;
    const response = await rawGet(path);
    expect(response).toMatch(/^HTTP\/1\.1 (400|404) /);
    expect(response).not.toMatch(/secret/);
    expect(counters.fromMemory).toBe(before);
  });

  it('follows a snapshot switch and a repo removed and made again', async () => {
    const url = `${base}/repos/base/repodata/repomd.xml`;
    expect(await (await fetch(url)).text()).toBe('<repomd>one</repomd>');
    expect(await (await fetch(url)).text()).toBe('<repomd>one</repomd>'); // from memory
    await publish('base', 's2', { 'repodata/repomd.xml': '<repomd>two</repomd>' });
    /** The first answer for which `done` holds, asking again for up to 5 s (inotify is asynchronous). */
    const seen = async (done: (status: number, body: string) => boolean) => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const r = await fetch(url);
        const body = await r.text();
        if (done(r.status, body) || Date.now() > deadline) return `${r.status} ${body}`;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    expect(await seen((_, body) => body.includes('two'))).toBe('200 <repomd>two</repomd>');
    for (let i = 0; i < 20; i++) expect(await (await fetch(url)).text()).toBe('<repomd>two</repomd>');

    await rm(join(dir, 'published', 'base'), { recursive: true });
    expect(await seen((status) => status === 404)).toMatch(/^404 /);
    expect((await fetch(url)).status).toBe(404);
    await publish('base', 's3', { 'repodata/repomd.xml': '<repomd>three</repomd>' });
    expect(await seen((_, body) => body.includes('three'))).toBe('200 <repomd>three</repomd>');
    expect(await (await fetch(url)).text()).toBe('<repomd>three</repomd>');
  });
});
