/**
 * Striker's TFTP server under loss, attack and garbage: a proxy dropping 5% of datagrams,
 * traversal attempts, write requests, limits, packets from a wrong transfer id, and a fuzz of
 * random datagrams at the live server — which must then still serve a real client.
 */
import { createSocket } from 'node:dgram';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePacket, type TftpPacket } from '../../../pxe/tftp/codec.js';
import { fetchThroughLoss } from './lossy-udp-proxy.js';
import { intrudeOnTransfer, rawPeer } from './raw-peer.js';
import { atftpGet, busyboxGet, curlGet, hpaGet, hpaPut } from './tftp-clients.js';
import { randomBytes, sha256, startFixture, type Fixture } from './tftp-fixture.js';

const payload = randomBytes(160 * 1024 + 3);
let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture(
    { 'payload.bin': payload, 'ok.txt': Buffer.from('still here\n') },
    { retransmit: { retransmitMs: 100, maxRetransmitMs: 400, maxRetries: 8 } },
  );
});
afterAll(async () => {
  await fx?.cleanup();
});

const rrq = (filename: string, options: [string, string][] = []): TftpPacket => ({ kind: 'RRQ', filename, mode: 'octet', options: new Map(options) });

describe('5% packet loss in both directions', () => {
  it.each([
    { client: 'tftp-hpa', fetch: (port: number, local: string) => hpaGet(port, 'payload.bin', local) },
    { client: 'atftp blksize 1468 windowsize 4', fetch: (port: number, local: string) => atftpGet(port, 'payload.bin', local, { blksize: 1468, windowsize: 4 }) },
    // curl always asks for `timeout 5` (RFC 2349), so every loss would cost 5 s: without options
    // it gets the server's own 100 ms retransmission.
    { client: 'curl --tftp-no-options', fetch: (port: number, local: string) => curlGet(port, 'payload.bin', local, { noOptions: true }) },
    { client: 'busybox blksize 1468', fetch: (port: number, local: string) => busyboxGet(port, 'payload.bin', local, { blksize: 1468 }) },
  ])('$client still gets an identical file', async ({ client, fetch }) => {
    const local = join(fx.out, `lossy-${client.split(' ')[0]}`);
    const { run, dropped } = await fetchThroughLoss(fx.port, 0.05, client.length * 7919, local, fetch);
    expect(run.code, run.output).toBe(0);
    expect(sha256(await readFile(local))).toBe(sha256(payload));
    expect(dropped).toBeGreaterThan(0);
  }, 60_000);
});

describe('traversal and unsafe names are refused', () => {
  it.each([
    ['../secret', 'traversal'],
    ['../../../../etc/passwd', 'traversal'],
    ['sub/../../secret', 'traversal'],
    ['/etc/passwd', 'absolute-path'],
    ['link-outside', 'symlink-escape'],
    ['link-passwd', 'symlink-escape'],
    ['null-device', 'not-regular-file'],
    ['fifo', 'not-regular-file'],
    ['sub', 'not-regular-file'],
    ['x'.repeat(300), 'name-too-long'],
  ])('tftp-hpa get %j → Access violation (%s)', async (name, reason) => {
    const before = fx.server.counters.refused[reason as 'traversal'] ?? 0;
    const local = join(fx.out, 'refused');
    const run = await hpaGet(fx.port, name, local);
    expect(run.output).toContain('Error code 2: Access violation');
    expect(await stat(local).then((s) => s.size, () => 0)).toBe(0);
    await rm(local, { force: true });
    expect(fx.server.counters.refused[reason as 'traversal']).toBe(before + 1);
  });

  it('a missing file is error 1, a write request error 2 (read-only)', async () => {
    expect((await hpaGet(fx.port, 'no-such-file', join(fx.out, 'missing'))).output).toContain('Error code 1: File not found');
    const put = await hpaPut(fx.port, join(fx.root, 'ok.txt'), 'uploaded.txt');
    expect(put.output).toContain('Error code 2: Read-only server');
    await expect(stat(join(fx.root, 'uploaded.txt'))).rejects.toThrow();
    expect(fx.server.counters.refused['write-request']).toBe(1);
  });

  it('refusals are on the boot timeline', () => {
    const refused = fx.timeline.events.filter((e) => e.details['outcome'] === 'refused');
    expect(refused.map((e) => e.details['reason'])).toEqual(expect.arrayContaining(['traversal', 'symlink-escape', 'not-regular-file', 'not-found', 'write-request']));
  });

  it('an unknown mode is error 4, a malformed request error 4', async () => {
    const peer = await rawPeer();
    try {
      peer.send({ kind: 'RRQ', filename: 'ok.txt', mode: 'mail', options: new Map() }, fx.port);
      expect((await peer.next()).packet).toMatchObject({ kind: 'ERROR', code: 4 });
      peer.send(Buffer.from('\x00\x01ok.txt\x00octet', 'latin1'), fx.port);
      expect((await peer.next()).packet).toMatchObject({ kind: 'ERROR', code: 4, message: 'Malformed request' });
    } finally {
      peer.close();
    }
  });
});

describe('transfer ids and limits', () => {
  it('a packet from another port gets ERROR 5 and the transfer goes on (RFC 1350 §4)', async () => {
    const seen = await intrudeOnTransfer(fx.port, 'payload.bin');
    expect(seen.first.packet).toMatchObject({ kind: 'DATA', block: 1 });
    expect(seen.toIntruder.packet).toEqual({ kind: 'ERROR', code: 5, message: 'Unknown transfer ID' });
    expect(seen.second.packet).toMatchObject({ kind: 'DATA', block: 2 });
    expect(seen.second.port).toBe(seen.first.port);
  });

  it('leaves a request over the total limit unanswered until a transfer ends, then serves its repeat', async () => {
    const limited = await startFixture({ 'f.bin': randomBytes(4096) }, { limits: { maxTransfers: 1, maxPerClient: 2 } });
    const a = await rawPeer();
    const b = await rawPeer();
    try {
      a.send(rrq('f.bin'), limited.port);
      const first = await a.next();
      expect(first.packet).toMatchObject({ kind: 'DATA', block: 1 });
      b.send(rrq('f.bin'), limited.port);
      await expect(b.next(300)).rejects.toThrow('no packet within timeout');
      expect(limited.server.counters.refused['limit-total']).toBe(1);
      a.send({ kind: 'ERROR', code: 0, message: 'stop' }, first.port);
      await new Promise((resolve) => setTimeout(resolve, 50));
      b.send(rrq('f.bin'), limited.port); // the client's retransmitted RRQ
      expect((await b.next()).packet).toMatchObject({ kind: 'DATA', block: 1 });
    } finally {
      a.close();
      b.close();
      await limited.cleanup();
    }
  });

  it('refuses transfers over the per-client limit with an ERROR', async () => {
    const limited = await startFixture({ 'f.bin': randomBytes(4096) }, { limits: { maxTransfers: 2, maxPerClient: 1 } });
    const a = await rawPeer();
    const b = await rawPeer();
    try {
      a.send(rrq('f.bin'), limited.port);
      const first = await a.next();
      expect(first.packet).toMatchObject({ kind: 'DATA', block: 1 });
      b.send(rrq('f.bin'), limited.port);
      expect((await b.next()).packet).toMatchObject({ kind: 'ERROR', code: 0, message: 'Too many transfers from this client' });
      expect(limited.server.counters.refused['limit-client']).toBe(1);
      a.send({ kind: 'ERROR', code: 0, message: 'stop' }, first.port);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(limited.server.counters.active).toBe(0);
      b.send(rrq('f.bin'), limited.port);
      expect((await b.next()).packet).toMatchObject({ kind: 'DATA', block: 1 });
    } finally {
      a.close();
      b.close();
      await limited.cleanup();
    }
  });
});

describe('fuzz at the live server', () => {
  it('200,000 random and mutated datagrams, then a real client still gets its file', async () => {
    const fuzzer = createSocket('udp4');
    await new Promise<void>((resolve) => fuzzer.bind(0, '127.0.0.1', resolve));
    fuzzer.on('message', () => undefined);
    const client = await rawPeer();
    // A transfer that stays open (timeout 30 s: no retransmission during the fuzz), to aim
    // part of the fuzz at a transfer socket too.
    client.send(rrq('payload.bin', [['blksize', '1024'], ['timeout', '30']]), fx.port);
    const oack = await client.next();
    expect(oack.packet.kind).toBe('OACK');
    const seeds = [
      encodePacket(rrq('payload.bin', [['blksize', '1468'], ['tsize', '0'], ['windowsize', '8']])),
      encodePacket({ kind: 'ACK', block: 1 }),
      encodePacket({ kind: 'ERROR', code: 1, message: 'x' }),
      encodePacket({ kind: 'DATA', block: 1, data: Buffer.from('abc') }),
      encodePacket({ kind: 'OACK', options: new Map([['blksize', '8']]) }),
    ];
    let x = 0x9e3779b9;
    const next = (): number => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x;
    };
    const decodeErrorsBefore = fx.server.counters.errors.decode ?? 0;
    for (let i = 0; i < 200_000; i++) {
      let bytes: Buffer;
      if (i % 2 === 0) {
        bytes = randomBytes(next() % 80);
        if (bytes.length >= 2 && i % 4 === 0) {
          bytes[0] = 0;
          bytes[1] = next() % 8;
        }
      } else {
        const seed = seeds[next() % seeds.length]!;
        bytes = Buffer.from(seed.subarray(0, Math.max(0, seed.length - (next() % 4))));
        for (let f = next() % 3; f > 0 && bytes.length > 0; f--) bytes[next() % bytes.length] = next() & 0xff;
      }
      // 1 in 10 goes to the open transfer's socket (from the wrong port: ERROR 5 each time).
      fuzzer.send(bytes, i % 10 === 0 ? oack.port : fx.port, '127.0.0.1');
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((fx.server.counters.errors.decode ?? 0) - decodeErrorsBefore).toBeGreaterThan(10_000);
    expect(fx.server.counters.errors['stray-packet']).toBeGreaterThan(1000);
    // The fuzzed transfer is intact: ACK 0 → DATA 1 of 1024 bytes.
    client.send({ kind: 'ACK', block: 0 }, oack.port);
    let data = await client.next();
    while (data.packet.kind === 'OACK') data = await client.next();
    expect(data.packet).toMatchObject({ kind: 'DATA', block: 1 });
    expect((data.packet as { data: Uint8Array }).data.length).toBe(1024);
    client.send({ kind: 'ERROR', code: 0, message: 'bye' }, oack.port);
    client.close();
    fuzzer.close();
    const local = join(fx.out, 'after-fuzz');
    const run = await atftpGet(fx.port, 'payload.bin', local, { blksize: 1468, windowsize: 8 });
    expect(run.code, run.output).toBe(0);
    expect(sha256(await readFile(local))).toBe(sha256(payload));
  }, 120_000);
});
