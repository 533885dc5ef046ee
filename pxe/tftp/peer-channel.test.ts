import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockRing } from './block-ring.js';
import { bufferFile } from './file-source.js';
import { nativeChannelsAvailable } from './native-addon.js';
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

describe('ReplyChain (native)', () => {
  const bytes = Buffer.from(Array.from({ length: 6 * 512 + 10 }, (_, i) => (i * 13) & 0xff));
  let sockets: TransferSockets;
  const calls: { ack: number; answered: number; current: boolean }[] = [];

  beforeAll(async () => {
    received.splice(0);
    sockets = await openTransferSockets('127.0.0.1', { address: '127.0.0.1', port: client.address().port }, true);
    sockets.peer.listen((data, length, answered, current) => calls.push({ ack: length === 4 ? data.readUInt16BE(2) : -1, answered, current }), () => undefined);
  });

  afterAll(() => {
    sockets.peer.close();
    sockets.strays.close();
  });

  const ack = (block: number): void => client.send(Buffer.from([0, 4, block >> 8, block & 0xff]), sockets.strays.address().port, '127.0.0.1');

  it('answers the expected ACKs at once and tells the handler once, when the chain is used up', async () => {
    const ring = new BlockRing(bufferFile(bytes), 512, 2, 7);
    await ring.fill(1);
    const replies = sockets.peer.replies!;
    expect(replies.set(0, ring, 1, 2, 2)).toBe(true);
    expect(replies.set(1, ring, 2, 3, 4)).toBe(true); // a window of two
    expect(replies.set(2, ring, 4, 5, 5)).toBe(true);
    const before = performance.now();
    replies.commit(ring, 3);
    ack(1);
    expect((await until(() => received, 1)).map((p) => p.readUInt16BE(2))).toEqual([2]);
    ack(2);
    expect((await until(() => received, 2)).map((p) => p.readUInt16BE(2))).toEqual([3, 4]);
    expect(calls).toEqual([]);
    ack(4);
    const last = await until(() => received, 1);
    expect(last).toEqual([Buffer.from(ring.packet(5))]);
    expect(await until(() => calls, 1)).toEqual([{ ack: 4, answered: 3, current: true }]);
    for (let i = 0; i < 3; i++) expect(replies.answeredAt(i)).toBeGreaterThanOrEqual(before - 1);
    expect(replies.answeredAt(2)).toBeLessThanOrEqual(performance.now() + 1);
  });

  /** A chain answering ACK 1 with DATA 2 and ACK 2 with DATA 3; ACK 1 sent and answered. */
  async function chainOfTwoAfterAck1() {
    const ring = new BlockRing(bufferFile(bytes), 512, 1, 7);
    await ring.fill(1);
    const replies = sockets.peer.replies!;
    replies.set(0, ring, 1, 2, 2);
    replies.set(1, ring, 2, 3, 3);
    replies.commit(ring, 2);
    ack(1);
    expect((await until(() => received, 1)).map((p) => p.readUInt16BE(2))).toEqual([2]);
    return replies;
  }

  it('a datagram that is not the expected ACK goes to the handler after those answered, and ends the chain', async () => {
    const replies = await chainOfTwoAfterAck1();
    ack(1); // a duplicate: not ACK 2
    expect(await until(() => calls, 1)).toEqual([{ ack: 1, answered: 1, current: false }]);
    ack(2); // the chain ended: no answer, the handler sees it
    expect(await until(() => calls, 1)).toEqual([{ ack: 2, answered: 0, current: false }]);
    expect(received).toEqual([]);
  });

  it('takeAnswered reports answers the handler has not heard of, and drops the chain', async () => {
    const replies = await chainOfTwoAfterAck1();
    expect(replies.takeAnswered()).toBe(1);
    expect(replies.takeAnswered()).toBe(0);
    ack(2);
    expect(await until(() => calls, 1)).toEqual([{ ack: 2, answered: 0, current: false }]);
    expect(received).toEqual([]);
  });
});
