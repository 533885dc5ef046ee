/**
 * The node:dgram fallback (`nativeSockets: false`, what runs when pxe/tftp/native is not built):
 * real clients in stop-and-wait and windowed transfers, 5% packet loss, and ERROR 5 to a stray
 * (RFC 1350 §4). The other interop tests run the same server on the native addon's sockets.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchThroughLoss } from './lossy-udp-proxy.js';
import { intrudeOnTransfer } from './raw-peer.js';
import { atftpGet, busyboxGet, curlGet, hpaGet, type ClientRun } from './tftp-clients.js';
import { randomBytes, sha256, startFixture, type Fixture } from './tftp-fixture.js';

const payload = randomBytes(700 * 1024 + 5);
let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture({ 'payload.bin': payload }, { nativeSockets: false, retransmit: { retransmitMs: 100, maxRetransmitMs: 400, maxRetries: 8 } });
});
afterAll(async () => {
  await fx?.cleanup();
});

describe('node:dgram transfer sockets', () => {
  it('are in use', () => {
    expect(fx.server.sockets).toBe('dgram');
  });

  it.each([
    { client: 'tftp-hpa', fetch: (port: number, local: string) => hpaGet(port, 'payload.bin', local) },
    { client: 'curl blksize 8192', fetch: (port: number, local: string) => curlGet(port, 'payload.bin', local, { blksize: 8192 }) },
    { client: 'busybox blksize 1468', fetch: (port: number, local: string) => busyboxGet(port, 'payload.bin', local, { blksize: 1468 }) },
    { client: 'atftp blksize 1468 windowsize 16', fetch: (port: number, local: string) => atftpGet(port, 'payload.bin', local, { blksize: 1468, windowsize: 16 }) },
  ])('$client gets an identical file', async ({ client, fetch }) => {
    const local = join(fx.out, client.replaceAll(' ', '-'));
    const run: ClientRun = await fetch(fx.port, local);
    expect(run.code, run.output).toBe(0);
    expect(sha256(await readFile(local))).toBe(sha256(payload));
    await rm(local);
  });

  it('atftp windowsize 4 gets an identical file through 5% packet loss', async () => {
    const local = join(fx.out, 'lossy');
    const { run, dropped } = await fetchThroughLoss(fx.port, 0.05, 4242, local, (port, to) => atftpGet(port, 'payload.bin', to, { blksize: 1468, windowsize: 4 }));
    expect(run.code, run.output).toBe(0);
    expect(sha256(await readFile(local))).toBe(sha256(payload));
    expect(dropped).toBeGreaterThan(0);
  }, 60_000);

  it('a packet from another port gets ERROR 5 and the transfer goes on (RFC 1350 §4)', async () => {
    const seen = await intrudeOnTransfer(fx.port, 'payload.bin');
    expect(seen.first.packet).toMatchObject({ kind: 'DATA', block: 1 });
    expect(seen.toIntruder.packet).toEqual({ kind: 'ERROR', code: 5, message: 'Unknown transfer ID' });
    expect(seen.second.packet).toMatchObject({ kind: 'DATA', block: 2 });
    expect(seen.second.port).toBe(seen.first.port);
  });
});
