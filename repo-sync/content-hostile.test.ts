/**
 * The repo routes against hostile files planted directly in a published snapshot and an imported
 * tree (as if import had let them through): nothing outside the tree is served, FIFOs, sockets and
 * devices are never opened for reading, nothing blocks (health answers throughout, over a real
 * listening server with the front door), every answer is inert in a browser, and Range and
 * conditional requests get their RFC 9110 statuses from the routes themselves.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontDoor } from '../striker/http/front-door.js';
import { layHostileEntries, type HostileSet } from '../test/support/hostile-files.js';
import { registerRepoRoutes, type RepoRouteCounters } from './content-routes.js';

const SECRET = `TOPSECRET-${randomBytes(8).toString('hex')}`;
const PG_SECRET = `PGSECRET-${randomBytes(8).toString('hex')}`;
const CSP = "default-src 'none'; sandbox";
let dir: string;
let app: FastifyInstance;
let counters: RepoRouteCounters;
let base: string;
let big: Buffer;
const planted: HostileSet[] = [];
const logLines: { level: number; msg: string; path?: string; why?: string }[] = [];
const prefixes = ['/repos/base', '/trees/alma'];

function expectInert(headers: Record<string, unknown> | Headers): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  expect(get('content-security-policy')).toBe(CSP);
  expect(get('x-content-type-options')).toBe('nosniff');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-hostile-'));
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await writeFile(join(dir, 'postgres.json'), `{"password":"${PG_SECRET}"}`);
  const snap = join(dir, 'published', 'base', 'snapshots', 's1');
  const tree = join(dir, 'trees', '.snapshots', 'alma-1');
  big = randomBytes(300 * 1024);
  for (const d of [snap, tree]) {
    await mkdir(join(d, 'repodata'), { recursive: true });
    await writeFile(join(d, 'repodata', 'repomd.xml'), '<repomd/>');
    await writeFile(join(d, 'big.rpm'), big);
    planted.push(await layHostileEntries(d, join(dir, 'secret.txt'), { alsoLinkTo: { 'postgres.json': join(dir, 'postgres.json'), shadow: '/etc/shadow' } }));
  }
  await symlink('snapshots/s1', join(dir, 'published', 'base', 'current'));
  await symlink('.snapshots/alma-1', join(dir, 'trees', 'alma'));
  await writeFile(join(dir, 'published', 'RPM-GPG-KEY-striker'), '-----BEGIN PGP PUBLIC KEY BLOCK-----');
  const logStream = new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(JSON.parse(chunk.toString()) as (typeof logLines)[number]); done(); } });
  const frontDoor = new FrontDoor();
  app = Fastify({ loggerInstance: pino({ level: 'warn' }, logStream) as FastifyBaseLogger, serverFactory: frontDoor.serverFactory });
  app.get('/api/health', async () => ({ ok: true }));
  counters = await registerRepoRoutes(app, { reposDir: join(dir, 'published'), treesDir: join(dir, 'trees'), frontDoor });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serving hostile files', () => {
  it('refuses every link out of the tree, FIFO, device and socket with a 404 JSON error, counted', async () => {
    for (const prefix of prefixes) {
      for (const { tail, what } of planted[0]!.refused) {
        const before = counters.refused;
        const r = await app.inject({ url: `${prefix}/${tail}` });
        expect(r.statusCode, `${prefix}/${tail} (${what})`).toBe(404);
        expect(r.json()).toMatchObject({ error: { code: 'NOT_FOUND', requestId: expect.any(String) } });
        expectInert(r.headers);
        expect(r.body).not.toContain(SECRET);
        expect(r.body).not.toContain(PG_SECRET);
        expect(r.body).not.toMatch(/root:/);
        expect(counters.refused, what).toBe(before + 1);
      }
    }
  });

  it('serves links that stay inside the tree', async () => {
    for (const prefix of prefixes) {
      for (const { tail, what } of planted[0]!.inside) {
        const r = await app.inject({ url: `${prefix}/${tail}` });
        expect(r.statusCode, what).toBe(200);
        expect(r.body).toBe('inside the tree');
      }
    }
  });

  it('logs a refused path at warn once, with the path', async () => {
    const url = '/trees/alma/sub/rel-secret.rpm';
    const before = logLines.length;
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}${url}`)).status).toBe(404);
    const lines = logLines.slice(before).filter((l) => l.msg === 'served path refused');
    expect(lines).toHaveLength(0); // already logged by the first test
    const fresh = '/repos/base/self/sub/rel-secret.rpm?x=1';
    await fetch(`${base}${fresh}`);
    await fetch(`${base}${fresh}`);
    const logged = logLines.slice(before).filter((l) => l.msg === 'served path refused');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, path: '/repos/base/self/sub/rel-secret.rpm', why: expect.stringMatching(/^leaves the tree \(resolves to .*secret/) });
    const fifo = logLines.find((l) => l.path === '/trees/alma/fifo');
    expect(fifo?.why).toBe('not a regular file: FIFO');
  });

  it('never blocks on FIFOs, devices or sockets: health answers and the thread pool stays free', async () => {
    // More FIFO requests than libuv has threads: an open(2) waiting for a writer would hold them all.
    const hostile = Array.from({ length: 12 }, (_, i) => fetch(`${base}/${i % 2 ? 'trees/alma' : 'repos/base'}/${['fifo', 'fifo.xml', 'self/fifo', 'null', 'sock', 'loop-dev'][i % 6]}`));
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    const statuses = await Promise.all(hostile.map(async (p) => (await p).status));
    expect(statuses.every((s) => s === 404)).toBe(true);
    // The same again, now that the route has seen them once: still refused (nothing was kept for the front door).
    for (const tail of ['fifo', 'null', 'sock']) expect((await fetch(`${base}/trees/alma/${tail}`)).status).toBe(404);
    // A file never read before needs the thread pool (realpath, open, read): it is answered.
    await writeFile(join(dir, 'trees', '.snapshots', 'alma-1', 'late.txt'), 'late');
    const late = await fetch(`${base}/trees/alma/late.txt`);
    expect(await late.text()).toBe('late');
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });

  it('serves markup and script as text, unknown types as octet-stream, and packages and keys as themselves, all inert', async () => {
    const expected: Record<string, string> = {
      'RELEASE-NOTES.xml': 'text/plain; charset=utf-8',
      'notes.xhtml': 'text/plain; charset=utf-8',
      'logo.svg': 'text/plain; charset=utf-8',
      'index.html': 'text/plain; charset=utf-8',
      'readme.htm': 'text/plain; charset=utf-8',
      noext: 'application/octet-stream',
      'big.rpm': 'application/x-redhat-package-manager',
    };
    for (const prefix of prefixes) {
      for (const [name, type] of Object.entries(expected)) {
        for (const round of [1, 2]) { // the second GET of a small file comes from the front door
          const r = await fetch(`${base}${prefix}/${name}`);
          expect(r.status, `${prefix}/${name} round ${round}`).toBe(200);
          expect(r.headers.get('content-type'), name).toBe(type);
          expectInert(r.headers);
          await r.arrayBuffer();
        }
      }
    }
    const key = await fetch(`${base}/repos/RPM-GPG-KEY-striker`);
    expect(key.headers.get('content-type')).toBe('application/pgp-keys');
    expectInert(key.headers);
  });

  it('makes every error answer inert too', async () => {
    const answers = await Promise.all([
      app.inject({ url: '/repos/base/a%5cb' }),
      app.inject({ url: '/repos/nope/repodata/repomd.xml' }),
      app.inject({ url: '/repos/base' }),
      app.inject({ url: '/trees' }),
      app.inject({ method: 'POST', url: '/trees/alma/x', payload: {} }),
      app.inject({ url: '/trees/alma/big.rpm', headers: { 'if-match': '"nope"' } }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([400, 404, 404, 404, 404, 412]);
    for (const a of answers) expectInert(a.headers);
    expect(answers[0]!.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: { problems: [{ path: 'url' }] } } });
  });

  it('answers Range and conditionals per RFC 9110, from memory and from disk', async () => {
    for (const [url, size] of [['/trees/alma/repodata/repomd.xml', 9], ['/repos/base/big.rpm', big.length]] as const) {
      const full = await app.inject({ url });
      expect(full.statusCode).toBe(200);
      const etag = String(full.headers.etag);
      const lastModified = String(full.headers['last-modified']);
      const unsatisfiable = await app.inject({ url, headers: { range: `bytes=${size}-` } });
      expect(unsatisfiable.statusCode).toBe(416);
      expect(unsatisfiable.headers['content-range']).toBe(`bytes */${size}`);
      expectInert(unsatisfiable.headers);
      const part = await app.inject({ url, headers: { range: 'bytes=2-5' } });
      expect(part.statusCode).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 2-5/${size}`);
      expect(part.headers['content-length']).toBe('4');
      expectInert(part.headers);
      expect(part.rawPayload).toEqual(full.rawPayload.subarray(2, 6));
      const suffix = await app.inject({ url, headers: { range: 'bytes=-3' } });
      expect(suffix.rawPayload).toEqual(full.rawPayload.subarray(size - 3));
      expect((await app.inject({ url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
      expect((await app.inject({ url, headers: { 'if-modified-since': lastModified } })).statusCode).toBe(304);
      expect((await app.inject({ url, headers: { 'if-match': '"other"' } })).statusCode).toBe(412);
      expect((await app.inject({ url, headers: { 'if-unmodified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } })).statusCode).toBe(412);
      const kept = await app.inject({ url, headers: { 'if-match': etag, range: 'bytes=0-0', 'if-range': etag } });
      expect(kept.statusCode).toBe(206);
      const head = await app.inject({ method: 'HEAD', url, headers: { range: 'bytes=0-0' } });
      expect(head.statusCode).toBe(200);
      expect(head.headers['content-length']).toBe(String(size));
      expect(head.rawPayload.length).toBe(0);
    }
    const streamed = await fetch(`${base}/repos/base/big.rpm`, { headers: { range: `bytes=1000-${big.length - 1}` } });
    expect(streamed.status).toBe(206);
    expect(Buffer.from(await streamed.arrayBuffer()).equals(big.subarray(1000))).toBe(true);
  });
});
