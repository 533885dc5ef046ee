import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockRing } from './block-ring.js';
import { bufferFile } from './file-source.js';
import { nativeChannelsAvailable } from './native-addon.js';
import type { NativeChannel } from './native-channel.js';
import { openTransferSockets, type TransferSockets } from './udp-sockets.js';
import { ensureTransferAddon } from '../../test/interop/tftp/build-addon.js';

let client: Socket;
const received: Buffer[] = [];

beforeAll(async () => {
  ensureTransferAddon();
  client = createSocket('udp4');
  client.on('message', (message) => received.push(message));
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
});

afterAll(() => client.close());

async function until<T>(read: () => T[], count: number): Promise<T[]> {
  for (let i = 0; i < 200 && read().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return read().splice(0);
}

it('the transfer socket addon is built and loads', () => {
  expect(nativeChannelsAvailable()).toBe(true);
});

describe.each([{ native: true }, { native: false }])('PeerChannel (native: $native)', ({ native }) => {
  const bytes = Buffer.from(Array.from({ length: 10 * 512 + 100 }, (_, i) => (i * 7) & 0xff));
  let sockets: TransferSockets;
  const heard: Buffer[] = [];

  beforeAll(async () => {
    received.splice(0);
    sockets = await openTransferSockets('127.0.0.1', { address: '127.0.0.1', port: client.address().port }, native);
    // Copies: the native channel lends its receive buffer only for the call.
    sockets.peer.listen((bytes, length) => heard.push(Buffer.from(bytes.subarray(0, length))), () => undefined);
  });

  afterAll(() => {
    sockets.peer.close();
    sockets.strays.close();
  });

  it('is the adapter asked for', () => {
    expect(sockets.peer.kind).toBe(native ? 'native' : 'dgram');
  });

  it('sends a window and single blocks in order, byte for byte', async () => {
    const ring = new BlockRing(bufferFile(bytes), 512, 8, 11);
    await ring.fill(1);
    sockets.peer.sendBlocks(ring, 1, 8);
    const window = await until(() => received, 8);
    expect(window).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((block) => Buffer.from(ring.packet(block))));
    await ring.fill(9);
    sockets.peer.sendBlocks(ring, 9, 10);
    sockets.peer.sendBlocks(ring, 11, 11);
    const tail = await until(() => received, 3);
    expect(tail.map((p) => p.readUInt16BE(2))).toEqual([9, 10, 11]);
    expect(tail[2]).toEqual(Buffer.concat([Buffer.from([0, 3, 0, 11]), bytes.subarray(5120)]));
    sockets.peer.send(Buffer.from([0, 5, 0, 0, 0]));
    expect(await until(() => received, 1)).toEqual([Buffer.from([0, 5, 0, 0, 0])]);
  });

  it("hands over the peer's datagrams whole, from 4-byte ACKs to 65507 bytes", async () => {
    const port = sockets.strays.address().port;
    const big = Buffer.alloc(65507, 0xab);
    for (const datagram of [Buffer.from([0, 4, 0, 1]), Buffer.from([0, 4, 0xff, 0xff]), big]) client.send(datagram, port, '127.0.0.1');
    const got = await until(() => heard, 3);
    expect(got).toEqual([Buffer.from([0, 4, 0, 1]), Buffer.from([0, 4, 0xff, 0xff]), big]);
  });

  it('still hears the peer after an ICMP port unreachable (a pending socket error)', async () => {
    const port = client.address().port;
    // Nobody listens on the peer's port for a moment: our send draws ECONNREFUSED.
    await new Promise<void>((resolve) => client.close(() => resolve()));
    sockets.peer.send(Buffer.from([0, 5, 0, 0, 0]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    client = createSocket('udp4');
    client.on('message', (message) => received.push(message));
    await new Promise<void>((resolve) => client.bind(port, '127.0.0.1', resolve));
    client.send(Buffer.from([0, 4, 0, 7]), sockets.strays.address().port, '127.0.0.1');
    expect(await until(() => heard, 1)).toEqual([Buffer.from([0, 4, 0, 7])]);
  });

  it('another source reaches the strays socket, not the connected channel', async () => {
    const other = createSocket('udp4');
    const strays: Buffer[] = [];
    sockets.strays.on('message', (message) => strays.push(message));
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve));
    other.send(Buffer.from([0, 4, 0, 2]), sockets.strays.address().port, '127.0.0.1');
    expect(await until(() => strays, 1)).toEqual([Buffer.from([0, 4, 0, 2])]);
    expect(heard).toEqual([]);
    other.close();
  });
});
