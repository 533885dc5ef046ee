/**
 * iPXE (QEMU's BIOS ROM, TCG) against Striker's router advertisements, in namespace `v6-ipxe-ra`:
 * iPXE runs IPv6 autoconfiguration beside DHCPv4 and fetches its script only when both are done.
 * Without an answer it keeps sending router solicitations until its IPv6 timeout; with Striker's
 * advertisement (lifetime 0, no prefix, M=0 O=0) it stops at once. The outcome checked is what
 * iPXE sent on the wire before it asked for its script (tcpdump on the bridge), not a duration:
 * with `auto` at most one solicitation, with `off` a series of them.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNativeAddon } from '../../support/netns-dhcp.js';
import { PXE_ADDRESS, PxeLab, type PxeServerSpec } from '../../support/netns-pxe.js';
import { bootGuest, buildInitrd, debianKernel, requirePrograms } from '../../support/qemu-pxe.js';

const mac = '52:54:00:77:6a:01';
const ipxeLinkLocal = 'fe80::5054:ff:fe77:6a01';
let lab: PxeLab;

function spec(mode: 'auto' | 'off'): PxeServerSpec {
  return {
    httpPort: 8080,
    treeDir: join(lab.dir, 'tree'),
    packages: [],
    machines: [{ mac, role: 'node', state: 'assigned', hostname: 'v6', check: { status: 'ready' } }],
    pxe: {
      installTree: { url: `http://${PXE_ADDRESS}:8080/trees/test`, kernel: 'vmlinuz', initrd: 'initrd.img', stage2: false },
      ipv6RouterAdvertisements: mode,
      dhcp: { subnets: [{ cidr: '10.77.50.0/24', pools: [{ start: '10.77.50.100', end: '10.77.50.199' }], leaseTime: 600 }] },
    },
  };
}

/**
 * Boots the guest until it asks Striker for its iPXE script; returns the tcpdump lines seen
 * until then (router solicitations and advertisements, and the script request).
 */
async function untilScript(mode: 'auto' | 'off'): Promise<{ lines: string[]; status: Record<string, unknown> }> {
  const server = await lab.startStriker(spec(mode));
  // A server on site has been up for a while: past its listening period before the machine powers on.
  await new Promise((r) => setTimeout(r, 3500));
  const dump: ChildProcess = lab.spawn(['tcpdump', '--immediate-mode', '-l', '-n', '-i', 'br0', 'icmp6 and (ip6[40] == 133 or ip6[40] == 134) or (tcp dst port 8080 and tcp[tcpflags] & tcp-push != 0)', '-A']);
  const lines: string[] = [];
  const stop = new AbortController();
  dump.stdout!.on('data', (d: Buffer) => {
    for (const line of d.toString('latin1').split('\n')) {
      lines.push(line);
      if (line.includes(`GET /boot/ipxe/`)) stop.abort();
    }
  });
  await new Promise((r) => setTimeout(r, 1000));
  const result = await bootGuest({ ns: lab.ns, tap: lab.tap(), mac, firmware: 'bios', timeoutMs: 90_000, workDir: lab.dir, signal: stop.signal });
  const { status } = await server.status();
  await server.stop();
  dump.kill('SIGINT');
  expect(stop.signal.aborted, `iPXE never asked for its script; serial: ${result.serial.slice(-800)}`).toBe(true);
  return { lines, status };
}

const solicitations = (lines: string[]) => lines.filter((l) => l.includes(`${ipxeLinkLocal} > ff02::2: ICMP6, router solicitation`)).length;

beforeAll(() => {
  requirePrograms('qemu-system-x86_64', 'tcpdump', 'ip', 'cpio');
  ensureNativeAddon();
  spawnSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });
  lab = new PxeLab('ipxe-ra', 'v6');
  lab.spawn(['sysctl', '-qw', 'net.ipv6.conf.br0.accept_dad=0']);
  // A PXE interface on site is up before Striker starts: give the bridge a carrier (a veth port)
  // and wait for its usable link-local address, so Striker's first messages have a source.
  for (const argv of [
    ['link', 'add', 'v6carrier', 'type', 'veth', 'peer', 'name', 'v6carrier-p'],
    ['link', 'set', 'v6carrier', 'master', 'br0'],
    ['link', 'set', 'v6carrier', 'up'],
    ['link', 'set', 'v6carrier-p', 'up'],
  ]) {
    const r = spawnSync('ip', ['-n', lab.ns, ...argv], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${argv.join(' ')}: ${r.stderr}`);
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const addr = spawnSync('ip', ['-n', lab.ns, '-6', 'addr', 'show', 'dev', 'br0', 'scope', 'link'], { encoding: 'utf8' }).stdout;
    if (addr.includes('fe80::') && !addr.includes('tentative')) break;
    if (Date.now() > deadline) throw new Error(`br0 has no usable link-local address: ${addr}`);
    spawnSync('sleep', ['0.2']);
  }
  const kernel = debianKernel();
  mkdirSync(join(lab.dir, 'tree'), { recursive: true });
  copyFileSync(kernel.vmlinuz, join(lab.dir, 'tree/vmlinuz'));
  buildInitrd(join(lab.dir, 'tree/initrd.img'), kernel.modules);
  writeFileSync(join(lab.dir, 'tree/.keep'), '');
}, 300_000);

afterAll(async () => {
  await lab?.destroy();
});

describe("iPXE's IPv6 wait", () => {
  it('with auto: Striker advertises, iPXE solicits at most once before fetching its script', async () => {
    const { lines, status } = await untilScript('auto');
    expect(solicitations(lines), lines.join('\n')).toBeLessThanOrEqual(1);
    expect(lines.some((l) => /fe80::\S+ > (ff02::1|fe80::5054:ff:fe77:6a01): ICMP6, router advertisement/.test(l))).toBe(true);
    expect(status['ipv6RouterAdvertisements'], JSON.stringify(status['ipv6RouterAdvertisements'])).toMatchObject({ state: 'advertising', sent: { failed: 0 } });
  }, 180_000);

  it('with off: iPXE keeps soliciting until its IPv6 timeout before fetching its script', async () => {
    const { lines, status } = await untilScript('off');
    expect(solicitations(lines), lines.join('\n')).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => l.includes('router advertisement'))).toBe(false);
    expect(status['ipv6RouterAdvertisements']).toMatchObject({ state: 'off' });
  }, 180_000);
});
