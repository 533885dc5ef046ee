/**
 * Crash test: perfdhcp drives DORA load through Striker while tcpdump records; the server is
 * killed with SIGKILL mid-run and restarted on the same data directory. Every lease ACKed on
 * the wire must be in the restarted server's table, and no address may ever be ACKed to two
 * clients (checked from the capture).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { must, NetnsLab, requireProgram } from '../../support/netns-dhcp.js';

const lab = new NetnsLab('crash');
let s: string, c: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const config = {
  interfaces: ['s0'],
  serverAddress: '10.77.0.1',
  subnets: [{ cidr: '10.77.0.0/16', pools: [{ start: '10.77.1.0', end: '10.77.254.254' }], router: '10.77.0.1' }],
};

beforeAll(() => {
  for (const p of ['perfdhcp', 'tcpdump', 'tshark']) requireProgram(p);
  s = lab.ns('s');
  c = lab.ns('c');
  lab.link(s, 's0', c, 'c0', '10.77.0.1/16', '10.77.0.2/16');
});
afterAll(async () => lab.destroy());

it('kill -9 under perfdhcp load: every ACKed lease survives, no address ACKed twice', async () => {
  const data = join(lab.dir, 'dhcp');
  const pcap = join(lab.dir, 'crash.pcap');
  const dump = lab.spawn(s, ['tcpdump', '-U', '-n', '-i', 's0', '-w', pcap, 'udp port 67']);
  await sleep(800);
  let server = await lab.startStriker(s, config, data, { DHCP_KEEP_EVENTS: '0' });
  const perf = lab.spawn(c, ['perfdhcp', '-4', '-r', '800', '-R', '20000', '-p', '7', '-l', '10.77.0.2', '10.77.0.1']);
  const perfDone = new Promise((r) => perf.once('exit', r));
  await sleep(2500);
  await server.kill9();
  server = await lab.startStriker(s, config, data, { DHCP_KEEP_EVENTS: '0' });
  await perfDone;
  await sleep(300);
  const status = await server.status();
  await server.stop();
  dump.kill('SIGINT');
  await new Promise((r) => dump.once('exit', r));

  const rows = must(['tshark', '-r', pcap, '-Y', 'dhcp.option.dhcp == 5', '-T', 'fields', '-e', 'dhcp.ip.your', '-e', 'dhcp.hw.mac_addr'], 60_000)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t') as [string, string]);
  expect(rows.length).toBeGreaterThan(1000);
  const owner = new Map<string, string>();
  const conflicts: string[] = [];
  for (const [ip, mac] of rows) {
    const prior = owner.get(ip);
    if (prior !== undefined && prior !== mac) conflicts.push(`${ip}: ${prior} and ${mac}`);
    owner.set(ip, mac);
  }
  expect(conflicts).toEqual([]);
  const leased = new Map(status.leases.map((l) => [l.ip, l.mac]));
  const missing = [...owner].filter(([ip, mac]) => leased.get(ip) !== mac);
  expect(missing).toEqual([]);
  expect(status.counters.received).toBeGreaterThan(0);
}, 90_000);
