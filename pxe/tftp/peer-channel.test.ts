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

describe('Spinning: the loop stays awake for a reply (native)', () => {
  /** A channel to a fresh peer socket that answers every datagram after `delayMs` (null: never). */
  async function channelTo(spinMicros: number, delayMs: number | null) {
    const peer = createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    const sockets = await openTransferSockets('127.0.0.1', { address: '127.0.0.1', port: peer.address().port }, true, spinMicros);
    const port = sockets.strays.address().port;
    peer.on('message', () => {
      if (delayMs === null) return;
      const reply = (): void => peer.send(Buffer.from([0, 4, 0, 1]), port, '127.0.0.1');
      if (delayMs === 0) reply();
      else setTimeout(reply, delayMs);
    });
    const heard: number[] = [];
    sockets.peer.listen(() => heard.push(performance.now()), () => undefined);
    const channel = sockets.peer as NativeChannel;
    const close = (): void => {
      sockets.peer.close();
      sockets.strays.close();
      peer.close();
    };
    return { channel, heard, close };
  }
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const data = Buffer.from([0, 3, 0, 1, 0xaa]);

  it('after a send the loop stays awake for at most spinMicros, then sleeps again', async () => {
    const { channel, close } = await channelTo(5000, null);
    await settle(20);
    expect(channel.spinState().spinning).toBe(false);
    channel.send(data);
    expect(channel.spinState().spinning).toBe(true);
    await settle(30); // a timer fires while awake, and the 5 ms pass
    // The loop turn that ran this timer has run the spin check (idle) before its check phase.
    await new Promise((resolve) => setImmediate(resolve));
    expect(channel.spinState().spinning).toBe(false);
    close();
  });

  it('spinMicros 0 never keeps the loop awake', async () => {
    const { channel, heard, close } = await channelTo(0, 0);
    await settle(20);
    channel.send(data);
    expect(channel.spinState().spinning).toBe(false);
    await until(() => heard, 1);
    close();
  });

  it('the measured reply wait lies within the round trip seen from JS, and decides the spin', async () => {
    const fast = await channelTo(5000, 0);
    let longestRoundTripMicros = 0;
    for (let i = 1; i <= 5; i++) {
      const sent = performance.now();
      fast.channel.send(data);
      await until(() => fast.heard.slice(), i);
      longestRoundTripMicros = Math.max(longestRoundTripMicros, (fast.heard[i - 1]! - sent) * 1000);
    }
    const { replyWaitMicros } = fast.channel.spinState();
    // The addon's send → receive interval sits inside JS's send → callback interval (same clock).
    expect(replyWaitMicros).toBeGreaterThanOrEqual(0);
    expect(replyWaitMicros).toBeLessThanOrEqual(Math.ceil(longestRoundTripMicros));
    fast.channel.send(data);
    // A wait at most spinMicros (5000 µs) on average is spun for, a longer one is not.
    expect(fast.channel.spinState().spinning).toBe(replyWaitMicros < 5000);
    fast.close();
  });

  it('a peer slower than spinMicros on average is not spun for', async () => {
    const slow = await channelTo(2000, 15);
    for (let i = 1; i <= 5; i++) {
      slow.channel.send(data);
      while (slow.heard.length < i) await settle(2);
    }
    await settle(10); // the last send's spin is over
    // Each reply comes 15 ms or more after its send, however busy the machine.
    expect(slow.channel.spinState().replyWaitMicros).toBeGreaterThan(10_000);
    slow.channel.send(data);
    expect(slow.channel.spinState().spinning).toBe(false);
    slow.close();
  });

  it('at most 16 sockets spin at once; the others poll and still hear their peers', async () => {
    const channels = await Promise.all(Array.from({ length: 20 }, () => channelTo(5000, 10)));
    for (const { channel } of channels) channel.send(data);
    const spinning = channels.filter(({ channel }) => channel.spinState().spinning).length;
    for (const { heard } of channels) await until(() => heard, 1);
    for (const { close } of channels) close();
    expect(spinning).toBe(16);
  });

  it('timers and other sockets are served while a ping-pong keeps the loop awake', async () => {
    const { channel, close } = await channelTo(10_000, 0);
    const other = createSocket('udp4');
    const otherHeard: Buffer[] = [];
    other.on('message', (message) => otherHeard.push(message));
    await new Promise<void>((resolve) => other.bind(0, '127.0.0.1', resolve));
    let exchanges = 0;
    let stop = false;
    let fire: (atTimer: number) => void = () => undefined;
    const fired = new Promise<number>((resolve) => (fire = resolve));
    let timerSet = false;
    // Each reply is answered at once, so the loop never sleeps while this runs. Once the
    // channel spins after a send, a timer is set: it must fire while the ping-pong goes on.
    channel.listen(() => {
      exchanges++;
      if (stop) return;
      channel.send(data);
      if (!timerSet && exchanges >= 10 && channel.spinState().spinning) {
        timerSet = true;
        setTimeout(() => {
          other.send(Buffer.from('ping'), other.address().port, '127.0.0.1');
          fire(exchanges);
        }, 0);
      }
    }, () => undefined);
    channel.send(data);
    const atTimer = await fired;
    const ping = await until(() => otherHeard, 1);
    // The ping-pong goes on after the timer and the other socket were served.
    for (let i = 0; i < 200 && exchanges <= atTimer; i++) await settle(5);
    const after = exchanges;
    stop = true;
    expect(ping).toEqual([Buffer.from('ping')]);
    expect(after).toBeGreaterThan(atTimer);
    other.close();
    close();
  });
});
