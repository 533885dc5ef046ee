/**
 * The socket adapter on loopback (SO_BINDTODEVICE on `lo`, ephemeral-range ports): a renewing
 * client is ACKed by unicast only after its lease is committed, listeners and the timeline see
 * it, garbage is counted, RELEASE frees it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryTimeline } from '../boot/timeline.js';
import { ensureNativeAddon } from '../../test/support/netns-dhcp.js';
import { decodePacket, encodePacket } from './codec.js';
import { parseDhcpConfig } from './config.js';
import { parseIpv4 } from '../../striker/core/net/ipv4.js';
import type { LeaseChange } from './lease.js';
import { MemoryLeaseStore } from './lease-store.js';
import { MessageType } from './option-codes.js';
import { u32Bytes } from './option-values.js';
import { messageTypeOf, type DhcpPacket } from './packet.js';
import { startDhcpServer, type DhcpServer } from './server.js';

const serverPort = 20_000 + Math.floor(Math.random() * 20_000);
const clientPort = serverPort + 1;
const timeline = new MemoryTimeline();
const store = new MemoryLeaseStore();
const changes: { change: LeaseChange; commitsSoFar: number }[] = [];
let server: DhcpServer;
let client: Socket;
const inbox: DhcpPacket[] = [];

beforeAll(async () => {
  ensureNativeAddon();
  server = await startDhcpServer({
    config: parseDhcpConfig({
      interfaces: ['lo'],
      serverAddress: '127.0.0.1',
      ports: { server: serverPort, client: clientPort, proxy: 4011 },
      subnets: [{ cidr: '127.0.0.0/8', pools: [{ start: '127.0.1.1', end: '127.0.1.50' }] }],
    }),
    logger: pino({ level: 'silent' }),
    timeline,
    leaseStore: store,
    onLeaseChange: (change) => changes.push({ change, commitsSoFar: store.commits }),
  });
  client = createSocket('udp4');
  client.on('message', (bytes) => inbox.push(decodePacket(bytes)));
  await new Promise<void>((resolve) => client.bind(clientPort, '127.0.1.7', resolve));
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

function request(type: number, options: DhcpPacket['options'] = []): Buffer {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0, 0, 0, 7]);
  return encodePacket({
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0xabcd, secs: 0, flags: 0, ciaddr: parseIpv4('127.0.1.7')!, yiaddr: 0, siaddr: 0, giaddr: 0,
    chaddr, sname: '', file: '', options: [{ code: 53, data: Uint8Array.of(type) }, ...options],
  });
}
const send = (bytes: Uint8Array) => new Promise<void>((resolve) => client.send(bytes, serverPort, '127.0.0.1', () => resolve()));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

it('ACKs a renewing client by unicast after the lease is durable, and tells listeners', async () => {
  await send(request(MessageType.DHCPREQUEST));
  await until(() => inbox.length === 1);
  expect(messageTypeOf(inbox[0]!)).toBe(MessageType.DHCPACK);
  expect(inbox[0]!.yiaddr).toBe(parseIpv4('127.0.1.7'));
  expect(changes).toEqual([{ change: expect.objectContaining({ kind: 'bind' }), commitsSoFar: 1 }]);
  expect(server.leases()).toEqual([expect.objectContaining({ ip: '127.0.1.7', mac: '52:54:00:00:00:07', state: 'bound' })]);
  expect(timeline.events.map((e) => [e.step, e.mac])).toEqual([
    ['dhcp.request', '52:54:00:00:00:07'],
    ['dhcp.ack', '52:54:00:00:00:07'],
  ]);
  expect(server.counters()).toMatchObject({ received: 1, answered: { DHCPACK: 1 } });
});

it('counts garbage by reason and keeps serving', async () => {
  await send(Uint8Array.of(1, 2, 3));
  await send(request(MessageType.DHCPOFFER));
  await until(() => server.counters().received === 3);
  expect(server.counters().dropped).toEqual({ 'decode:header': 1, 'unsupported-type': 1 });
});

it('RELEASE frees the lease', async () => {
  await send(request(MessageType.DHCPRELEASE, [{ code: 54, data: u32Bytes(parseIpv4('127.0.0.1')!) }]));
  await until(() => changes.length === 2);
  expect(changes[1]?.change.kind).toBe('release');
  expect(server.leases()).toEqual([]);
  expect(timeline.events.at(-1)).toMatchObject({ step: 'dhcp.release', ip: '127.0.1.7' });
});

it('answers nothing to a machine the lookup says to ignore, and counts it', async () => {
  let ignore = true;
  const port = serverPort + 10;
  const quiet = await startDhcpServer({
    config: parseDhcpConfig({
      interfaces: ['lo'],
      serverAddress: '127.0.0.1',
      ports: { server: port, client: clientPort, proxy: 4011 },
      subnets: [{ cidr: '127.0.0.0/8', pools: [{ start: '127.0.1.1', end: '127.0.1.50' }] }],
    }),
    logger: pino({ level: 'silent' }),
    timeline: new MemoryTimeline(),
    leaseStore: new MemoryLeaseStore(),
    lookup: { reservationFor: () => undefined, ignores: (mac) => ignore && mac === '52:54:00:00:00:07' },
  });
  try {
    const before = inbox.length;
    const sendTo = (bytes: Uint8Array) => new Promise<void>((resolve) => client.send(bytes, port, '127.0.0.1', () => resolve()));
    await sendTo(request(MessageType.DHCPREQUEST));
    await until(() => (quiet.counters().dropped['ignored-machine'] ?? 0) === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(inbox.length).toBe(before);
    expect(quiet.leases()).toEqual([]);
    ignore = false;
    await sendTo(request(MessageType.DHCPREQUEST));
    await until(() => inbox.length === before + 1);
    expect(messageTypeOf(inbox.at(-1)!)).toBe(MessageType.DHCPACK);
  } finally {
    await quiet.close();
  }
});
