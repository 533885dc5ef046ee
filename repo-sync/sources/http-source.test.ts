import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstreamServer, type UpstreamServer } from '../../test/support/rpm-upstream-server.js';
import type { Checksum } from '../metadata/checksum.js';
import { ContentStore } from '../store/content-store.js';
import { HttpSource } from './http-source.js';

let dir: string;
let store: ContentStore;
const body = randomBytes(600_000);
const checksum: Checksum = { algorithm: 'sha256', value: createHash('sha256').update(body).digest('hex') };
const servers: UpstreamServer[] = [];
const signal = new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-http-source-'));
  await mkdir(join(dir, 'up'));
  await writeFile(join(dir, 'up', 'f.rpm'), body);
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function fresh(faults = {}) {
  store = new ContentStore(join(dir, `store-${servers.length}`));
  await store.ensurePartialDir();
  const s = await startUpstreamServer(join(dir, 'up'), faults);
  servers.push(s);
  return s;
}

describe('HttpSource.fetchToStore', () => {
  it('downloads, verifies and stores under <algo>/<hh>/<hash>', async () => {
    const s = await fresh();
    const path = await new HttpSource(s.url).fetchToStore('f.rpm', { checksum, size: body.length }, store, { signal });
    expect(path).toBe(join(store.root, 'sha256', checksum.value.slice(0, 2), checksum.value));
    expect((await readFile(path)).equals(body)).toBe(true);
  });

  it('resumes a partial file with a Range request', async () => {
    const s = await fresh();
    await writeFile(store.partialPathFor(checksum), body.subarray(0, 123_456));
    let bytes = 0;
    await new HttpSource(s.url).fetchToStore('f.rpm', { checksum, size: body.length }, store, { signal, onBytes: (n) => { bytes += n; } });
    expect(s.requests).toEqual([{ path: 'f.rpm', range: 'bytes=123456-', status: 206 }]);
    expect(bytes).toBe(body.length - 123_456);
    expect(await store.has(checksum)).toBe(true);
  });

  it('restarts from zero when the server ignores Range (200)', async () => {
    const s = await fresh({ ignoreRange: true });
    await writeFile(store.partialPathFor(checksum), body.subarray(0, 1000));
    const path = await new HttpSource(s.url).fetchToStore('f.rpm', { checksum, size: body.length }, store, { signal });
    expect(s.requests[0]!.status).toBe(200);
    expect((await readFile(path)).equals(body)).toBe(true);
  });

  it('a complete but wrong partial is discarded and fetched again', async () => {
    const s = await fresh();
    await writeFile(store.partialPathFor(checksum), randomBytes(body.length));
    await new HttpSource(s.url).fetchToStore('f.rpm', { checksum, size: body.length }, store, { signal });
    expect(s.requests).toEqual([{ path: 'f.rpm', status: 200 }]);
  });

  it('a checksum mismatch deletes the partial and never enters the store', async () => {
    const s = await fresh();
    const wrong: Checksum = { algorithm: 'sha256', value: 'f'.repeat(64) };
    await expect(new HttpSource(s.url).fetchToStore('f.rpm', { checksum: wrong, size: body.length }, store, { signal })).rejects.toThrow(/sha256 checksum mismatch — expected f{64}, got [0-9a-f]{64}/);
    expect(await store.has(wrong)).toBe(false);
    await expect(stat(store.partialPathFor(wrong))).rejects.toThrow(/ENOENT/);
  });

  it('a body longer than primary.xml says is refused', async () => {
    const s = await fresh();
    await expect(new HttpSource(s.url).fetchToStore('f.rpm', { checksum, size: 1000 }, store, { signal })).rejects.toThrow(/expected 1000 bytes — got \d+/);
  });

  it('a stalled upstream times out with a clear error, keeping the partial for later', async () => {
    const s = await fresh({ stallAfterBytes: 50_000 });
    await expect(new HttpSource(s.url, { idleTimeoutMs: 300 }).fetchToStore('f.rpm', { checksum, size: body.length }, store, { signal }))
      .rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/f\.rpm failed: no data for 300 ms/);
    expect((await stat(store.partialPathFor(checksum))).size).toBe(50_000);
  });

  it('HTTP errors and cancellation', async () => {
    const s = await fresh();
    await expect(new HttpSource(s.url).fetchToStore('missing.rpm', { checksum }, store, { signal })).rejects.toThrow(/failed: HTTP 404/);
    await expect(new HttpSource(s.url).fetchToStore('f.rpm', { checksum }, store, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });

  it('follows redirects to another mirror and still verifies', async () => {
    const s = await fresh();
    const redirector = createServer((req, res) => res.writeHead(302, { location: `${s.url}${req.url?.slice(1) ?? ''}` }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    const port = (redirector.address() as AddressInfo).port;
    try {
      const path = await new HttpSource(`http://127.0.0.1:${port}/`).fetchToStore('f.rpm', { checksum, size: body.length }, store, { signal });
      expect((await readFile(path)).equals(body)).toBe(true);
      expect(s.requests.map((r) => r.path)).toEqual(['f.rpm']);
    } finally {
      await new Promise((r) => redirector.close(r));
    }
  });

  it('small files (pipelined): verified in memory; a redirect is followed; a wrong body never enters the store', async () => {
    const s = await fresh();
    const small = randomBytes(5000);
    const smallSum: Checksum = { algorithm: 'sha256', value: createHash('sha256').update(small).digest('hex') };
    await writeFile(join(dir, 'up', 'small.rpm'), small);
    const redirector = createServer((req, res) => res.writeHead(301, { location: `${s.url}${req.url?.slice(1) ?? ''}` }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    const port = (redirector.address() as AddressInfo).port;
    try {
      const direct = new HttpSource(s.url);
      const path = await direct.fetchToStore('small.rpm', { checksum: smallSum, size: small.length }, store, { signal });
      expect((await readFile(path)).equals(small)).toBe(true);
      await rm(path);
      const viaRedirect = new HttpSource(`http://127.0.0.1:${port}/`);
      expect((await readFile(await viaRedirect.fetchToStore('small.rpm', { checksum: smallSum, size: small.length }, store, { signal }))).equals(small)).toBe(true);
      const wrong: Checksum = { algorithm: 'sha256', value: 'ab'.repeat(32) };
      await expect(direct.fetchToStore('small.rpm', { checksum: wrong, size: small.length }, store, { signal })).rejects.toThrow(/small\.rpm: sha256 checksum mismatch/);
      expect(await store.has(wrong)).toBe(false);
      await expect(direct.fetchToStore('small.rpm', { checksum: smallSum, size: 100 }, store, { signal })).rejects.toThrow(/expected 100 bytes — got \d+/);
      await expect(direct.fetchToStore('gone.rpm', { checksum: smallSum, size: 100 }, store, { signal })).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/gone\.rpm failed: HTTP 404/);
      direct.close();
      viaRedirect.close();
    } finally {
      await new Promise((r) => redirector.close(r));
    }
  });

  it('never resolves an href outside the base URL', async () => {
    const s = await fresh();
    await expect(new HttpSource(`${s.url}repo/`).readSmall('../f.rpm', 1000, signal)).rejects.toThrow(/resolves outside/);
  });
});
