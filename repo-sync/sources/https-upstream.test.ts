/**
 * An https upstream signed by a private CA (an internal mirror on an offline site): trusted only
 * when the repo names that CA, with a clear error otherwise. Certificates are made by the real
 * `openssl` CLI; the upstream is Node's TLS server (OpenSSL underneath).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import { repoConfigSchema } from '../config.js';
import { ContentStore } from '../store/content-store.js';
import { HttpSource } from './http-source.js';

let dir: string;
let server: Server;
let url: string;
let caPem: string;
let otherCaPem: string;
const body = randomBytes(300_000);
const checksum = { algorithm: 'sha256' as const, value: createHash('sha256').update(body).digest('hex') };
/** Small enough to go over the pipelined connections (TLS connections of their own), not the streaming ones. */
const small = randomBytes(3000);
const smallChecksum = { algorithm: 'sha256' as const, value: createHash('sha256').update(small).digest('hex') };
const signal = new AbortController().signal;

async function makeCa(name: string): Promise<void> {
  await runCommand(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${name}`, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`)], { timeoutMs: 30_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-https-upstream-'));
  await makeCa('site-ca');
  await makeCa('other-ca');
  await writeFile(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  await runCommand(['openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=mirror.internal',
    '-keyout', join(dir, 'mirror.key'), '-out', join(dir, 'mirror.csr')], { timeoutMs: 30_000 });
  await runCommand(['openssl', 'x509', '-req', '-in', join(dir, 'mirror.csr'), '-CA', join(dir, 'site-ca.pem'), '-CAkey', join(dir, 'site-ca.key'),
    '-CAcreateserial', '-days', '2', '-extfile', join(dir, 'san.cnf'), '-out', join(dir, 'mirror.pem')], { timeoutMs: 30_000 });
  caPem = await readFile(join(dir, 'site-ca.pem'), 'utf8');
  otherCaPem = await readFile(join(dir, 'other-ca.pem'), 'utf8');
  server = createServer({ key: await readFile(join(dir, 'mirror.key')), cert: await readFile(join(dir, 'mirror.pem')) }, (req, res) => {
    if (req.url === '/repo/Packages/p.rpm') return res.end(body);
    if (req.url === '/repo/Packages/s.rpm') return res.end(small);
    if (req.url === '/repo/repodata/repomd.xml') return res.end('<repomd/>');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/repo/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function freshStore(): Promise<ContentStore> {
  const store = new ContentStore(await mkdtemp(join(dir, 'store-')));
  await store.ensurePartialDir();
  return store;
}

describe('https upstream with a private CA', () => {
  it('downloads and verifies when the repo names the CA', async () => {
    const source = new HttpSource(url, { ca: caPem });
    try {
      expect((await source.readSmall('repodata/repomd.xml', 1024, signal))?.toString()).toBe('<repomd/>');
      const path = await source.fetchToStore('Packages/p.rpm', { checksum, size: body.length }, await freshStore(), { signal });
      expect((await readFile(path)).equals(body)).toBe(true);
      const smallPath = await source.fetchToStore('Packages/s.rpm', { checksum: smallChecksum, size: small.length }, await freshStore(), { signal });
      expect((await readFile(smallPath)).equals(small)).toBe(true);
    } finally {
      source.close();
    }
  });

  it.each([
    ['no CA', undefined],
    ['another CA', 'other'],
  ])('refuses the upstream with %s, saying what to do, and stores nothing', async (_label, which) => {
    const source = new HttpSource(url, which === 'other' ? { ca: otherCaPem } : {});
    const store = await freshStore();
    try {
      const error = await source.fetchToStore('Packages/p.rpm', { checksum, size: body.length }, store, { signal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StrikerError);
      expect((error as StrikerError).code).toBe('REPO_FETCH_FAILED');
      expect((error as StrikerError).message).toMatch(/certificate/i);
      expect((error as StrikerError).message).toMatch(/caCertificate/);
      expect(await store.has(checksum)).toBe(false);
      const smallError = await source.fetchToStore('Packages/s.rpm', { checksum: smallChecksum, size: small.length }, store, { signal }).catch((e: unknown) => e);
      expect((smallError as StrikerError).code).toBe('REPO_FETCH_FAILED');
      expect((smallError as StrikerError).message).toMatch(/certificate.*caCertificate/is);
      expect(await store.has(smallChecksum)).toBe(false);
    } finally {
      source.close();
    }
  });

  it('the repo config takes a PEM CA only for https urls', () => {
    const ok = repoConfigSchema.safeParse({ name: 'internal', source: { kind: 'http', url, caCertificate: caPem } });
    expect(ok.success).toBe(true);
    const notPem = repoConfigSchema.safeParse({ name: 'internal', source: { kind: 'http', url, caCertificate: 'hello' } });
    expect(notPem.success).toBe(false);
    expect(JSON.stringify(notPem.error?.issues)).toMatch(/PEM certificate/);
    const plainHttp = repoConfigSchema.safeParse({ name: 'internal', source: { kind: 'http', url: 'http://mirror/repo/', caCertificate: caPem } });
    expect(plainHttp.success).toBe(false);
    expect(plainHttp.error?.issues[0]?.path).toEqual(['source', 'caCertificate']);
  });
});
