/**
 * Real DHCP clients against Striker's DHCP server in network namespaces:
 *
 *   stk-dhcp-ic-c  [c0] ─── [s0 10.88.0.1] stk-dhcp-ic-s [s1 10.89.0.1] ─── [r0 10.89.0.2] stk-dhcp-ic-r [r1 10.90.0.1] ─── [c20] stk-dhcp-ic-c2
 *   stk-dhcp-ic-u  [u0] ─── [s2 10.91.0.1, not configured]
 *
 * The server answers on s0 and s1 only (SO_BINDTODEVICE); dhcrelay in `r` relays for c2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, NetnsLab, requireProgram, StrikerDhcpProcess, writeAddressingHook, writeHook } from '../../support/netns-dhcp.js';

const lab = new NetnsLab('ic');
let server: StrikerDhcpProcess;
let s: string, c: string, r: string, c2: string, u: string;
let hook: string;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** What the kernel dropped for `ns`'s UDP sockets on `port` (their receive queues were full): /proc/net/udp's last column. */
function udpDrops(ns: string, port: number): number {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return must(['ip', 'netns', 'exec', ns, 'cat', '/proc/net/udp'])
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(hexPort))
    .reduce((total, f) => total + Number(f[f.length - 1]), 0);
}

function mac(ns: string, iface: string): string {
  return /link\/ether ([0-9a-f:]+)/.exec(must(['ip', '-n', ns, 'link', 'show', iface]))![1]!;
}

beforeAll(async () => {
  for (const p of ['dhclient', 'udhcpc', 'dhcpcd', 'nmap', 'dhcrelay', 'tcpdump']) requireProgram(p);
  s = lab.ns('s');
  c = lab.ns('c');
  r = lab.ns('r');
  c2 = lab.ns('c2');
  u = lab.ns('u');
  lab.link(s, 's0', c, 'c0', '10.88.0.1/24');
  lab.link(s, 's1', r, 'r0', '10.89.0.1/24', '10.89.0.2/24');
  lab.link(r, 'r1', c2, 'c20', '10.90.0.1/24');
  lab.link(s, 's2', u, 'u0', '10.91.0.1/24');
  must(['ip', '-n', s, 'route', 'add', '10.90.0.0/24', 'via', '10.89.0.2']);
  server = await lab.startStriker(s, {
    interfaces: ['s0', 's1'],
    serverAddress: '10.88.0.1',
    subnets: [
      { cidr: '10.88.0.0/24', pools: [{ start: '10.88.0.100', end: '10.88.0.199' }], router: '10.88.0.1', dns: ['10.88.0.1'], domain: 'bcn.example', leaseTime: 600 },
      { cidr: '10.90.0.0/24', pools: [{ start: '10.90.0.50', end: '10.90.0.99' }], router: '10.90.0.1' },
      { cidr: '10.91.0.0/24', pools: [{ start: '10.91.0.50', end: '10.91.0.99' }] },
    ],
  });
  hook = writeHook(lab.dir, join(lab.dir, 'hook.log'));
});

afterAll(async () => {
  await server?.stop();
  await lab.destroy();
});

describe('real clients get correct leases', () => {
  it('dhclient: DORA, lease with router, DNS and domain; INIT-REBOOT keeps the address', async () => {
    const lf = join(lab.dir, 'dhclient.leases');
    const args = ['dhclient', '-1', '-v', '-sf', hook, '-lf', lf, '-pf', join(lab.dir, 'dhclient.pid'), 'c0'];
    const run = lab.exec(c, args, 30_000);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/DHCPACK of 10\.88\.0\.1\d\d from 10\.88\.0\.1/);
    const address = /bound to (10\.88\.0\.\d+)/.exec(run.stderr)![1]!;
    const leaseFile = readFileSync(lf, 'utf8');
    expect(leaseFile).toContain('option routers 10.88.0.1;');
    expect(leaseFile).toContain('option domain-name "bcn.example";');
    expect(leaseFile).toContain('option domain-name-servers 10.88.0.1;');
    const again = lab.exec(c, args, 30_000);
    expect(again.stderr).toContain(`DHCPREQUEST for ${address}`);
    expect(again.stderr).toContain(`bound to ${address}`);
    const status = await server.status();
    expect(status.leases).toContainEqual(expect.objectContaining({ ip: address, mac: mac(c, 'c0'), state: 'bound' }));
    expect(status.events.filter((e) => e.mac === mac(c, 'c0')).map((e) => e.step)).toEqual(
      expect.arrayContaining(['dhcp.discover', 'dhcp.offer', 'dhcp.request', 'dhcp.ack']),
    );
  });

  it('udhcpc: lease, unicast renew (SIGUSR1) and release (SIGUSR2)', async () => {
    const log = join(lab.dir, 'udhcpc.log');
    const addressing = writeAddressingHook(lab.dir, log);
    const proc = lab.spawn(c, ['udhcpc', '-f', '-i', 'c0', '-s', addressing, '-t', '5', '-T', '1', '-x', 'hostname:udhcpc-test']);
    const output: string[] = [];
    proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(output.join('')); i++) await sleep(100);
      return output.join('');
    };
    const bound = await waitFor(/lease of (10\.88\.0\.\d+) obtained/);
    const address = /lease of (10\.88\.0\.\d+) obtained/.exec(bound)![1]!;
    proc.kill('SIGUSR1');
    expect(await waitFor(/sending renew[\s\S]*lease of 10\.88\.0\.\d+ obtained/)).toMatch(/sending renew to server 10\.88\.0\.1/);
    let status = await server.status();
    const acks = status.events.filter((e) => e.step === 'dhcp.ack' && e.ip === address);
    expect(acks.length).toBeGreaterThanOrEqual(2);
    expect(status.leases).toContainEqual(expect.objectContaining({ ip: address, state: 'bound' }));
    proc.kill('SIGUSR2');
    await waitFor(/entering released state/);
    for (let i = 0; i < 20; i++) {
      status = await server.status();
      if (!status.leases.some((l) => l.ip === address)) break;
      await sleep(100);
    }
    expect(status.leases.some((l) => l.ip === address)).toBe(false);
    expect(status.events).toContainEqual(expect.objectContaining({ step: 'dhcp.release', ip: address }));
    proc.kill('SIGTERM');
    must(['ip', '-n', c, 'addr', 'flush', 'dev', 'c0']);
  });

  it('dhcpcd: gets and assigns an address from the pool', () => {
    const conf = join(lab.dir, 'dhcpcd.conf');
    must(['sh', '-c', `printf 'noarp\\nnohook resolv.conf\\n' > ${conf}`]);
    const run = lab.exec(c, ['dhcpcd', '-4', '-1', '-B', '-w', '-t', '15', '-f', conf, '-c', hook, 'c0'], 30_000);
    const addr = must(['ip', '-n', c, '-4', 'addr', 'show', 'dev', 'c0']);
    lab.exec(c, ['dhcpcd', '-x', 'c0']);
    expect(addr, run.stderr).toMatch(/inet 10\.88\.0\.1\d\d\/24/);
    must(['ip', '-n', c, 'addr', 'flush', 'dev', 'c0']);
  });

  it('nmap broadcast-dhcp-discover sees Striker\'s offer', () => {
    must(['ip', '-n', c, 'addr', 'add', '169.254.7.7/16', 'dev', 'c0']);
    const run = lab.exec(c, ['nmap', '-e', 'c0', '--script', 'broadcast-dhcp-discover', '--script-args', 'broadcast-dhcp-discover.timeout=3'], 60_000);
    must(['ip', '-n', c, 'addr', 'flush', 'dev', 'c0']);
    expect(run.stdout).toMatch(/IP Offered: 10\.88\.0\.1\d\d/);
    expect(run.stdout).toContain('Server Identifier: 10.88.0.1');
    expect(run.stdout).toContain('Subnet Mask: 255.255.255.0');
  });
});

describe('relays and interfaces', () => {
  it('a client behind dhcrelay gets an address from the relay\'s subnet, option 82 echoed', async () => {
    const relay = lab.spawn(r, ['dhcrelay', '-4', '-d', '-a', '-id', 'r1', '-iu', 'r0', '10.89.0.1']);
    await sleep(1000);
    const run = lab.exec(c2, ['udhcpc', '-f', '-q', '-n', '-t', '5', '-T', '1', '-s', hook, '-i', 'c20'], 30_000);
    relay.kill('SIGTERM');
    expect(run.stdout + run.stderr).toMatch(/lease of 10\.90\.0\.(5\d|[6-9]\d) obtained from 10\.89\.0\.1/);
    const status = await server.status();
    expect(status.leases).toContainEqual(expect.objectContaining({ mac: mac(c2, 'c20'), state: 'bound' }));
  });

  it('a client on an interface nobody configured gets nothing, and the server never hears it', async () => {
    const before = await server.status();
    const run = lab.exec(u, ['udhcpc', '-f', '-q', '-n', '-t', '3', '-T', '1', '-s', hook, '-i', 'u0'], 30_000);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/obtained/);
    const after = await server.status();
    expect(after.counters.received).toBe(before.counters.received);
    expect(after.leases.some((l) => l.mac === mac(u, 'u0'))).toBe(false);
  });
});

describe('hostile input over the wire', () => {
  it('50,000 random and mutated packets: nothing crashes, each is counted, real clients are still served', async () => {
    must(['ip', '-n', c, 'addr', 'add', '10.88.0.250/24', 'dev', 'c0']);
    const before = await server.status();
    const dropsBefore = udpDrops(s, 67);
    const flood = lab.exec(c, [process.execPath, '--no-deprecation', '--import', 'tsx', join(import.meta.dirname, '../../support/netns-dhcp-flood.ts'), '10.88.0.1', '67', '50000', '99'], 120_000);
    must(['ip', '-n', c, 'addr', 'flush', 'dev', 'c0']);
    expect(flood.stdout, flood.stderr).toContain('sent 50000');
    await sleep(500);
    const after = await server.status();
    const received = after.counters.received - before.counters.received;
    // The kernel may drop some of a burst before the server reads it (more on a busy machine): every
    // packet it did not drop reached the server and is counted, and most did.
    const kernelDropped = udpDrops(s, 67) - dropsBefore;
    expect(received + kernelDropped).toBe(50_000);
    expect(received).toBeGreaterThan(5_000);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    console.log('flood: received', received, 'kernel dropped', kernelDropped, 'counters', JSON.stringify(after.counters));
    const decodeDrops = Object.entries(after.counters.dropped).filter(([k]) => k.startsWith('decode:')).reduce((a, [, v]) => a + v, 0);
    expect(decodeDrops).toBeGreaterThan(received * 0.5);
    expect(after.counters.dropped['internal'] ?? 0).toBe(0);
    const accounted = sum(after.counters.dropped) - sum(before.counters.dropped) + sum(after.counters.answered) - sum(before.counters.answered);
    expect(accounted).toBeGreaterThan(received * 0.95);
    expect(accounted).toBeLessThanOrEqual(received);
    // The flood's valid DISCOVERs may hold the whole /24 pool (offers, binds), so the proof of
    // life is dhclient coming back for the lease it got in the first test (INIT-REBOOT).
    const lf = join(lab.dir, 'dhclient.leases');
    const run = lab.exec(c, ['dhclient', '-1', '-v', '-sf', hook, '-lf', lf, '-pf', join(lab.dir, 'dhclient.pid'), 'c0'], 30_000);
    expect(run.stderr, JSON.stringify(after.counters)).toMatch(/DHCPACK of 10\.88\.0\.1\d\d from 10\.88\.0\.1/);
  });
});
