import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRepoRoutes, safeTail, type RepoRouteCounters } from './content-routes.js';

let dir: string;
let app: FastifyInstance;
let counters: RepoRouteCounters;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-serve-'));
  const repos = join(dir, 'published');
  await mkdir(join(repos, 'base', 'snapshots', 's1', 'repodata'), { recursive: true });
  await writeFile(join(repos, 'base', 'snapshots', 's1', 'repodata', 'repomd.xml'), '<repomd/>');
  await writeFile(join(repos, 'base', 'snapshots', 's1.json'), '{"secret":true}');
  await symlink('snapshots/s1', join(repos, 'base', 'current'));
  await writeFile(join(repos, 'RPM-GPG-KEY-striker'), '-----BEGIN PGP PUBLIC KEY BLOCK-----');
  await writeFile(join(repos, 'base', 'RPM-GPG-KEY-upstream'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\nupstream');
  await mkdir(join(repos, 'nokey', 'snapshots', 's1'), { recursive: true });
  await symlink('snapshots/s1', join(repos, 'nokey', 'current'));
  await mkdir(join(dir, 'trees', '.snapshots', 'alma-1', 'images'), { recursive: true });
  await writeFile(join(dir, 'trees', '.snapshots', 'alma-1', '.treeinfo'), '[general]');
  await writeFile(join(dir, 'trees', '.snapshots', 'alma-1', 'images', 'k'), Buffer.alloc(5000, 1));
  await symlink('.snapshots/alma-1', join(dir, 'trees', 'alma'));
  await writeFile(join(dir, 'outside'), 'secret');
  app = Fastify();
  counters = await registerRepoRoutes(app, { reposDir: repos, treesDir: join(dir, 'trees') });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('registerRepoRoutes', () => {
  it('serves the current snapshot of a repo, with ETag', async () => {
    const r = await app.inject({ url: '/repos/base/repodata/repomd.xml' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('<repomd/>');
    expect(r.headers.etag).toBeTruthy();
    const again = await app.inject({ url: '/repos/base/repodata/repomd.xml', headers: { 'if-none-match': String(r.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('answers small files from memory with the same validators, and sees a switched snapshot at once', async () => {
    const before = counters.fromMemory;
    const a = await app.inject({ url: '/repos/base/repodata/repomd.xml' });
    const b = await app.inject({ url: '/repos/base/repodata/repomd.xml' });
    expect(counters.fromMemory).toBe(before + 2);
    expect(b.body).toBe('<repomd/>');
    expect(b.headers.etag).toBe(a.headers.etag);
    expect(b.headers['content-type']).toBe('text/plain; charset=utf-8');
    const s2 = join(dir, 'published', 'base', 'snapshots', 's2', 'repodata');
    await mkdir(s2, { recursive: true });
    await writeFile(join(s2, 'repomd.xml'), '<repomd>two</repomd>');
    await symlink('snapshots/s2', join(dir, 'published', 'base', 'current.new'));
    await rename(join(dir, 'published', 'base', 'current.new'), join(dir, 'published', 'base', 'current'));
    const c = await app.inject({ url: '/repos/base/repodata/repomd.xml' });
    expect(c.body).toBe('<repomd>two</repomd>');
    await rename(join(dir, 'published', 'base', 'current'), join(dir, 'published', 'base', 'current.two'));
    await symlink('snapshots/s1', join(dir, 'published', 'base', 'current'));
    expect((await app.inject({ url: '/repos/base/repodata/repomd.xml' })).body).toBe('<repomd/>');
  });

  it('serves ranges of tree files and HEAD', async () => {
    const r = await app.inject({ url: '/trees/alma/images/k', headers: { range: 'bytes=10-19' } });
    expect(r.statusCode).toBe(206);
    expect(r.headers['content-range']).toBe('bytes 10-19/5000');
    expect(r.rawPayload.length).toBe(10);
    const head = await app.inject({ method: 'HEAD', url: '/trees/alma/.treeinfo' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe('9');
  });

  it('serves the signing key', async () => {
    const r = await app.inject({ url: '/repos/RPM-GPG-KEY-striker' });
    expect(r.body).toMatch(/BEGIN PGP PUBLIC KEY BLOCK/);
  });

  it("serves a repo's upstream key from beside its snapshots, and 404 for a repo without one", async () => {
    const r = await app.inject({ url: '/repos/base/RPM-GPG-KEY-upstream' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('-----BEGIN PGP PUBLIC KEY BLOCK-----\nupstream');
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect((await app.inject({ url: '/repos/nokey/RPM-GPG-KEY-upstream' })).statusCode).toBe(404);
  });

  it.each([
    '/repos/base/../snapshots/s1.json',
    '/repos/base/%2e%2e/snapshots/s1.json',
    '/repos/base/repodata/..%2f..%2f..%2f..%2foutside',
    '/repos/base/repodata//repomd.xml',
    '/repos/base/repodata%5c..%5crepomd.xml',
    '/trees/alma/%00',
    '/repos/.hidden/x',
    '/trees/..%2f/outside',
  ])('refuses %s with 400 and counts it', async (url) => {
    const before = counters.refused;
    const r = await app.inject({ url });
    expect([400, 404]).toContain(r.statusCode);
    expect(r.body).not.toMatch(/secret/);
    if (r.statusCode === 400) expect(counters.refused).toBe(before + 1);
  });

  it.each([
    '/repos/base/../snapshots/s1.json',
    '/repos/base/./repodata/repomd.xml',
    '/repos/base/repodata/../../../../outside',
    '/trees/alma/../../outside',
  ])('refuses the raw, un-normalized request line GET %s with 400', async (path) => {
    if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const before = counters.refused;
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let data = '';
      socket.on('data', (b) => { data += b.toString(); });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).not.toMatch(/secret/);
    expect(counters.refused).toBe(before + 1);
  });

  it('404 for unknown repos and files', async () => {
    expect((await app.inject({ url: '/repos/nope/repodata/repomd.xml' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/repos/base/repodata/nope.xml' })).statusCode).toBe(404);
  });

  it('safeTail keeps ordinary paths and refuses unsafe ones', () => {
    expect(safeTail('Packages/a/alpha.rpm')).toBe('Packages/a/alpha.rpm');
    expect(safeTail('images/pxeboot/')).toBe('images/pxeboot/');
    for (const bad of ['', '..', 'a/../b', './a', 'a//b', 'a\\b', 'a\u0000']) expect(safeTail(bad)).toBeUndefined();
  });
});
