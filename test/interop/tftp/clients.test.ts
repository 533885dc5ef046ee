/**
 * Real TFTP clients (tftp-hpa, atftp, curl, busybox) against Striker's TFTP server on loopback:
 * byte-identical files across blksize 512/1468/8192/65464, windowsize 1/4/16/64 and tsize
 * (RFC 2348, 2349, 7440), netascii, virtual files, 100 concurrent transfers, a 100 MB file.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atftpGet, busyboxGet, curlGet, hpaGet, type ClientRun, type GetOptions } from './tftp-clients.js';
import { randomBytes, sha256, startFixture, type Fixture } from './tftp-fixture.js';

const matrix = randomBytes(3 * 1024 * 1024 + 777);
const text = Buffer.from('first line\nsecond line\r\nbare\rcarriage\n'.repeat(500));
let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture({
    'matrix.bin': matrix,
    'exact.bin': randomBytes(512 * 8),
    'empty.bin': Buffer.alloc(0),
    'text.txt': text,
    'one-mb.bin': randomBytes(1024 * 1024),
  });
});
afterAll(async () => {
  await fx?.cleanup();
});

type Get = (port: number, remote: string, local: string, options?: GetOptions) => Promise<ClientRun>;

async function fetchAndHash(client: Get, remote: string, options: GetOptions = {}): Promise<{ run: ClientRun; hash: string }> {
  const local = join(fx.out, `${remote.replaceAll('/', '_')}-${Math.random().toString(36).slice(2)}`);
  const run = await client(fx.port, remote, local, options);
  expect(run.code, `${run.argv.join(' ')}\n${run.output}`).toBe(0);
  const hash = sha256(await readFile(local));
  await rm(local);
  return { run, hash };
}

describe('real clients fetch byte-identical files', () => {
  it("transfers go through the native socket addon (dgram-fallback.test.ts covers node:dgram)", () => {
    expect(fx.server.sockets).toBe('native');
  });

  const cases: { client: string; get: Get; options: GetOptions }[] = [
    { client: 'tftp-hpa', get: hpaGet, options: {} },
    ...[512, 1468, 8192, 65464].map((blksize) => ({ client: 'atftp', get: atftpGet, options: { blksize, windowsize: 1, tsize: true } })),
    ...[4, 16, 64].map((windowsize) => ({ client: 'atftp', get: atftpGet, options: { blksize: 1468, windowsize, tsize: true } })),
    { client: 'atftp', get: atftpGet, options: { blksize: 512, windowsize: 16 } },
    { client: 'atftp', get: atftpGet, options: { blksize: 8192, windowsize: 4, tsize: true } },
    ...[512, 1468, 8192, 65464].map((blksize) => ({ client: 'curl', get: curlGet, options: { blksize } })),
    ...[512, 1468, 8192, 65464].map((blksize) => ({ client: 'busybox', get: busyboxGet, options: { blksize } })),
  ];

  it.each(cases)('$client $options', async ({ client, get, options }) => {
    const before = fx.timeline.events.length;
    const { hash } = await fetchAndHash(get, 'matrix.bin', options);
    expect(hash).toBe(sha256(matrix));
    // What our OACK agreed to, as recorded on the timeline.
    const agreed = fx.timeline.events.slice(before).find((e) => e.details['file'] === 'matrix.bin')?.details['options'] as Record<string, string>;
    if (options.blksize !== undefined && options.blksize !== 512) expect(agreed['blksize']).toBe(String(options.blksize));
    if (options.windowsize !== undefined) expect(agreed['windowsize']).toBe(String(options.windowsize));
    if (options.tsize === true || client === 'curl') expect(agreed['tsize']).toBe(String(matrix.length));
  });

  it('atftp sees the OACK with tsize, blksize and windowsize (RFC 2347 §3)', async () => {
    const local = join(fx.out, 'trace');
    const run = await atftpGet(fx.port, 'exact.bin', local, { blksize: 1024, windowsize: 2, tsize: true, trace: true });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/received OACK <[^>]*tsize: 4096,/);
    expect(run.output).toMatch(/received OACK <[^>]*blksize: 1024,/);
    expect(run.output).toMatch(/received OACK <[^>]*windowsize: 2,/);
    expect(run.output).toContain('received 2. DATA <block: 2, size 1024>');
  });

  it('records each transfer on the boot timeline with file, bytes, options, duration and outcome', () => {
    const events = fx.timeline.events.filter((e) => e.details['file'] === 'matrix.bin');
    expect(events.length).toBe(cases.length);
    for (const event of events) {
      expect(event).toMatchObject({ step: 'tftp.transfer', ip: '127.0.0.1', details: { bytes: matrix.length, outcome: 'ok', mode: 'octet' } });
      expect(typeof event.details['durationMs']).toBe('number');
    }
    expect(events.some((e) => (e.details['options'] as Record<string, string>)['windowsize'] === '64')).toBe(true);
    expect(fx.server.counters.served).toBeGreaterThanOrEqual(cases.length);
  });

  it.each([
    { client: 'tftp-hpa', get: hpaGet, options: {} },
    { client: 'atftp', get: atftpGet, options: { blksize: 1024, windowsize: 4, tsize: true } },
    { client: 'busybox', get: busyboxGet, options: { blksize: 512 } },
  ])('$client: empty file and a file that ends on a block boundary', async ({ get, options }) => {
    expect((await fetchAndHash(get, 'empty.bin', options)).hash).toBe(sha256(Buffer.alloc(0)));
    expect((await fetchAndHash(get, 'exact.bin', options)).hash).toBe(sha256(await readFile(join(fx.root, 'exact.bin'))));
  });

  it('curl: a file that ends on a block boundary (curl refuses tsize 0, so no empty file)', async () => {
    expect((await fetchAndHash(curlGet, 'exact.bin', { blksize: 512 })).hash).toBe(sha256(await readFile(join(fx.root, 'exact.bin'))));
  });

  it('netascii: tftp-hpa converts back to the original text (RFC 1350 §5)', async () => {
    expect((await fetchAndHash(hpaGet, 'text.txt', { mode: 'netascii' })).hash).toBe(sha256(text));
  });

  it('serves virtual files generated for the requesting peer', async () => {
    const local = join(fx.out, 'whoami');
    const run = await curlGet(fx.port, 'virtual/whoami.txt', local);
    expect(run.code, run.output).toBe(0);
    expect(await readFile(local, 'utf8')).toBe('you are 127.0.0.1\n');
  });

  it('100 concurrent transfers all complete byte-identical', async () => {
    const expected = sha256(await readFile(join(fx.root, 'one-mb.bin')));
    const servedBefore = fx.server.counters.served;
    const runs = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        i % 2 === 0
          ? fetchAndHash(atftpGet, 'one-mb.bin', { blksize: 1468, windowsize: 4, timeoutMs: 90_000 })
          : fetchAndHash(busyboxGet, 'one-mb.bin', { blksize: 1468, timeoutMs: 90_000 }),
      ),
    );
    expect(runs.map((r) => r.hash)).toEqual(Array(100).fill(expected));
    // Clients that retransmit their RRQ while 100 start at once create duplicate transfers,
    // which the client answers with ERROR 5: at least 100 served.
    expect(fx.server.counters.served - servedBefore).toBeGreaterThanOrEqual(100);
  }, 120_000);

  it('a 100 MB file at 512-byte blocks (block numbers roll over) in bounded memory', async () => {
    const path = join(fx.root, 'big100.bin');
    const handle = await open(path, 'w');
    const chunk = randomBytes(1024 * 1024);
    for (let i = 0; i < 100; i++) {
      chunk.writeUInt32BE(i, 0);
      await handle.write(chunk);
    }
    await handle.close();
    expect((await stat(path)).size).toBe(100 * 1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    const local = join(fx.out, 'big100.bin');
    const run = await hpaGet(fx.port, 'big100.bin', local, { timeoutMs: 120_000 });
    clearInterval(sampler);
    expect(run.code, run.output).toBe(0);
    expect(await fx.sha256(local)).toBe(await fx.sha256(path));
    expect(rssPeak - rssBefore).toBeLessThan(64 * 1024 * 1024);
    await rm(local);
    await rm(path);
  }, 150_000);
});
