/**
 * Striker's router advertiser against real IPv6 peers in network namespaces (prefix `v6-ra-`):
 *
 *   v6-ra-s [s0] ───┐
 *                   [c0 bridge] v6-ra-c      Striker on s0; rdisc6 (ndisc6) and tcpdump on c0;
 *   v6-ra-r [r0] ───┤                        the site router (dnsmasq) on r0;
 *   v6-ra-t [t0] ───┘                        a second Striker on t0
 *
 * - rdisc6 solicits and gets Striker's answer: router lifetime 0, M=0 O=0, no prefix;
 * - the unsolicited advertisement after the listening period reaches the link (tcpdump);
 * - with a site router on the link (dnsmasq advertising a prefix from c0), Striker stays silent,
 *   names that router in its status, and rdisc6 hears only the site router.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RouterAdvertiserStatus } from '../../../pxe/ipv6/router-advertiser.js';
import { killChildren } from '../../support/kill-children.js';
import { LineProtocolChild } from '../../support/line-protocol-child.js';
import { must, requireProgram } from '../../support/netns-dhcp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const S = 'v6-ra-s';
const C = 'v6-ra-c';
const R = 'v6-ra-r';
const T = 'v6-ra-t';
const dir = mkdtempSync(join(tmpdir(), 'v6-ra-'));
const children: ChildProcess[] = [];

class AdvertiserProcess extends LineProtocolChild {
  async status(): Promise<RouterAdvertiserStatus> {
    return JSON.parse(await this.command('status')) as RouterAdvertiserStatus;
  }
  stop(): Promise<void> {
    return this.end('SIGTERM', 5000);
  }
}

function spawnIn(ns: string, argv: string[]): ChildProcess {
  const proc = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  return proc;
}

async function startStriker(ns = S, iface = 's0'): Promise<AdvertiserProcess> {
  const server = new AdvertiserProcess(spawnIn(ns, [process.execPath, '--no-deprecation', '--import', 'tsx', join(root, 'test/support/netns-ra-server.ts'), iface]), 'router advertiser', 15_000);
  expect(await server.nextLine(20_000)).toBe('ready');
  return server;
}

function rdisc6(): { status: number | null; stdout: string } {
  const r = spawnSync('ip', ['netns', 'exec', C, 'rdisc6', '-m', '-w', '1500', '-r', '2', 'c0'], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  let v = await probe();
  for (let waited = 0; !ok(v) && waited < ms; waited += 100) {
    await sleep(100);
    v = await probe();
  }
  return v;
}

beforeAll(() => {
  for (const p of ['rdisc6', 'tcpdump', 'dnsmasq']) requireProgram(p);
  for (const ns of [S, C, R, T]) {
    spawnSync('ip', ['netns', 'del', ns]);
    must(['ip', 'netns', 'add', ns]);
    // No duplicate address detection: link-local addresses are usable as soon as the link is up.
    must(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
  }
  must(['ip', '-n', C, 'link', 'add', 'c0', 'type', 'bridge']);
  for (const [ns, dev, port] of [[S, 's0', 'cs'], [R, 'r0', 'cr'], [T, 't0', 'ct']] as const) {
    must(['ip', 'link', 'add', dev, 'netns', ns, 'type', 'veth', 'peer', 'name', port, 'netns', C]);
    must(['ip', '-n', C, 'link', 'set', port, 'master', 'c0']);
    must(['ip', '-n', C, 'link', 'set', port, 'up']);
    must(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  }
  must(['ip', '-n', C, 'link', 'set', 'c0', 'up']);
  must(['ip', '-n', S, 'addr', 'add', '10.66.0.1/24', 'dev', 's0']);
});

afterEach(async () => {
  await killChildren(children.splice(0));
});

afterAll(() => {
  for (const ns of [S, C, R, T]) spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
});

describe('no site router on the link', () => {
  it('rdisc6 gets an answer that says: no default router, no prefix, no DHCPv6', async () => {
    const server = await startStriker();
    const advertising = await until(() => server.status(), (s) => s.state === 'advertising');
    expect(advertising.state).toBe('advertising');
    const r = rdisc6();
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Stateful address conf\.\s*:\s*No/);
    expect(r.stdout).toMatch(/Stateful other conf\.\s*:\s*No/);
    expect(r.stdout).toMatch(/Router lifetime\s*:\s*0 \(0x0+\) seconds/);
    expect(r.stdout).not.toMatch(/Prefix/);
    expect(r.stdout).toMatch(/Source link-layer address:\s*[0-9A-F:]{17}/i);
    expect(r.stdout).toMatch(/from fe80::/);
    const status = await server.status();
    expect(status.received.solicitations).toBeGreaterThanOrEqual(1);
    expect(status.sent.solicited).toBeGreaterThanOrEqual(1);
    expect(status.sent.failed).toBe(0);
    await server.stop();
  });

  it('sends an unsolicited advertisement to all nodes once it has listened', async () => {
    const pcap = join(dir, 'unsolicited.txt');
    const dump = spawnIn(C, ['tcpdump', '-l', '-n', '-i', 'c0', '-c', '1', 'icmp6 and ip6[40] == 134']);
    let text = '';
    dump.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    const exited = new Promise((r) => dump.once('exit', r));
    await sleep(1000); // tcpdump attached
    const server = await startStriker();
    await Promise.race([exited, sleep(15_000)]);
    writeFileSync(pcap, text);
    expect(text).toMatch(/fe80::\S+ > ff02::1: ICMP6, router advertisement/);
    expect((await server.status()).sent.unsolicited).toBeGreaterThanOrEqual(1);
    await server.stop();
  });
});

describe('two Strikers on one link', () => {
  it('do not silence each other: the lower link-local address advertises, the other stays quiet', async () => {
    const [a, b] = await Promise.all([startStriker(S, 's0'), startStriker(T, 't0')]);
    const settled = (x: RouterAdvertiserStatus) => x.state !== 'listening';
    const [sa, sb] = [await until(() => a.status(), settled), await until(() => b.status(), settled)];
    // Each one's first advertisement reaches the other; give that a moment to land.
    await sleep(500);
    const states = [(await a.status()).state, (await b.status()).state].sort();
    expect(states, JSON.stringify([sa, sb])).toEqual(['advertising', 'silent']);
    const quiet = (await a.status()).state === 'silent' ? await a.status() : await b.status();
    const r = rdisc6();
    const answering = [...new Set([...r.stdout.matchAll(/^ from (\S+)/gm)].map((m) => m[1]))];
    expect(answering).toHaveLength(1);
    expect(quiet.foreignRouter?.address).toBe(answering[0]);
    await Promise.all([a.stop(), b.stop()]);
  });
});

describe('a site router on the link', () => {
  it('keeps Striker silent and named in its status; clients hear only the site router', async () => {
    must(['ip', '-n', R, 'addr', 'add', 'fd00:66::1/64', 'dev', 'r0']);
    const dnsmasq = spawnIn(R, ['dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--interface=r0', '--bind-interfaces', '--user=root',
      '--enable-ra', '--dhcp-range=fd00:66::,ra-stateless', '--ra-param=r0,10,1800', `--pid-file=${join(dir, 'dnsmasq.pid')}`]);
    expect(dnsmasq.pid).toBeDefined();
    await sleep(1000);
    const server = await startStriker();
    const silent = await until(() => server.status(), (s) => s.state === 'silent');
    expect(silent.state).toBe('silent');
    expect(silent.foreignRouter?.address).toMatch(/^fe80::/);
    expect(silent.foreignRouter?.prefixes).toContain('fd00:66::/64');
    expect(silent.reason).toContain(`router ${silent.foreignRouter!.address} advertises on this interface`);
    const r = rdisc6();
    expect(r.stdout).toMatch(/Prefix\s*:\s*fd00:66::\/64/);
    expect(new Set([...r.stdout.matchAll(/^ from (\S+)/gm)].map((m) => m[1]))).toEqual(new Set([silent.foreignRouter!.address]));
    const status = await server.status();
    expect(status.sent.solicited + status.sent.unsolicited).toBe(0);
    await server.stop();
  });
});
