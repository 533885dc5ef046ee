/**
 * Secure Boot from the first instruction, under QEMU (TCG): OVMF's Secure Boot build with the
 * Microsoft keys enrolled and Secure Boot enforced, its own PXE client (no NIC option ROM).
 *
 * 1. The signed chain: the firmware gets Debian's signed shim (shimx64.efi.signed, Microsoft UEFI
 *    CA) over TFTP, the shim gets Debian's signed GRUB network image (grubnetx64.efi.signed) as
 *    grubx64.efi, GRUB gets its generic config (`/grub/grub.cfg`) and the per-MAC one over TFTP,
 *    and — having no http module, which it cannot load under Secure Boot — the signed Debian
 *    kernel and the test initrd over TFTP. The two Debian files play the installation tree's
 *    EFI/BOOT/BOOTX64.EFI and EFI/BOOT/grubx64.efi, as in production. The kernel reports the
 *    firmware's Secure Boot state; the initrd plays the installer.
 * 2. Refusal: the same firmware handed plain ipxe.efi (unsigned) downloads it, refuses it
 *    ("Access Denied") and moves to its next boot option; the timeline says `loader.refused`.
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNativeAddon } from '../../support/netns-dhcp.js';
import { PXE_ADDRESS, PxeLab, type PxeServerProcess, type PxeServerSpec, type TimelineEventJson } from '../../support/netns-pxe.js';
import { bootGuest, buildInitrd, debianKernel, requirePrograms } from '../../support/qemu-pxe.js';

const HTTP_PORT = 8080;
const httpUrl = `http://${PXE_ADDRESS}:${HTTP_PORT}`;
const PACKAGES = ['striker-agent-1.0-1.noarch.rpm'];
/** Debian's signed boot files (packages shim-signed and grub-efi-amd64-signed). */
const SIGNED_SHIM = '/usr/lib/shim/shimx64.efi.signed';
const SIGNED_GRUB = '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed';
const GUEST_TIMEOUT_MS = 240_000;

let lab: PxeLab;
let treeDir: string;
const bytes: Record<string, number> = {};

function spec(machines: PxeServerSpec['machines'], loaders: Record<string, unknown>): PxeServerSpec {
  return {
    httpPort: HTTP_PORT,
    treeDir,
    packages: PACKAGES,
    machines,
    pxe: {
      installTree: { url: `${httpUrl}/trees/test`, kernel: 'vmlinuz', initrd: 'initrd.img', stage2: false },
      kernelArgs: ['console=ttyS0', 'panic=-1', 'quiet'],
      loaders: { installTreeDir: treeDir, ...loaders },
      dhcp: { subnets: [{ cidr: '10.77.50.0/24', pools: [{ start: '10.77.50.100', end: '10.77.50.199' }], leaseTime: 600 }] },
    },
  };
}

/** Asserts that each matcher finds an event after the previous one's. */
function expectInOrder(timeline: TimelineEventJson[], steps: [string, (e: TimelineEventJson) => boolean][]): void {
  let at = -1;
  for (const [name, match] of steps) {
    const found = timeline.findIndex((e, j) => j > at && match(e));
    expect(found, `timeline step ${name}; timeline: ${timeline.map((e) => `${e.step}:${String(e.details['file'] ?? e.details['outcome'] ?? '')}`).join(', ')}`).toBeGreaterThan(at);
    at = found;
  }
}

const tftp = (file: string, outcome = 'ok') => (e: TimelineEventJson) => e.step === 'tftp.transfer' && e.details['file'] === file && e.details['outcome'] === outcome;

beforeAll(async () => {
  requirePrograms('qemu-system-x86_64', 'ip', 'cpio', 'apt-get', 'dpkg');
  for (const file of [SIGNED_SHIM, SIGNED_GRUB, '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd']) {
    expect(() => statSync(file), `${file} is missing: install shim-signed, grub-efi-amd64-signed and ovmf (test/system-packages.txt)`).not.toThrow();
  }
  ensureNativeAddon();
  lab = new PxeLab(String(process.pid), 'sb-pxe');
  treeDir = join(lab.dir, 'tree');
  mkdirSync(join(treeDir, 'packages'), { recursive: true });
  mkdirSync(join(treeDir, 'EFI/BOOT'), { recursive: true });
  copyFileSync(SIGNED_SHIM, join(treeDir, 'EFI/BOOT/BOOTX64.EFI'));
  copyFileSync(SIGNED_GRUB, join(treeDir, 'EFI/BOOT/grubx64.efi'));
  const kernel = debianKernel();
  copyFileSync(kernel.vmlinuz, join(treeDir, 'vmlinuz'));
  buildInitrd(join(treeDir, 'initrd.img'), kernel.modules);
  for (const p of PACKAGES) writeFileSync(join(treeDir, 'packages', p), Buffer.alloc(20_000, 1));
  for (const f of ['EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/grubx64.efi', 'vmlinuz', 'initrd.img']) bytes[f] = statSync(join(treeDir, f)).size;
}, 300_000);

afterAll(async () => {
  await lab?.destroy();
});

describe('OVMF with Secure Boot enforced (Microsoft keys), native PXE', () => {
  it('boots the signed shim → signed GRUB → signed kernel from Striker and the installer runs', async () => {
    const mac = '52:54:00:77:51:10';
    const server: PxeServerProcess = await lab.startStriker(spec([{ mac, role: 'node', state: 'assigned', hostname: 'sb1', check: { status: 'ready' } }], {}));
    try {
      const result = await bootGuest({ ns: lab.ns, tap: lab.tap(), mac, firmware: 'uefi-secure-boot', romfile: '', timeoutMs: GUEST_TIMEOUT_MS, workDir: lab.dir });
      const events = (await server.status()).events.filter((e) => e.mac === mac);
      const tail = `serial tail: ${result.serial.slice(-2000)}`;
      console.log(`OVMF Secure Boot shim → GRUB → kernel: kernel marker at ${result.markers['boot']} ms, installed at ${result.markers['installed']} ms`);
      expect(result.timedOut, tail).toBe(false);
      // The firmware's Secure Boot state as the kernel read it from the SecureBoot variable.
      expect(result.serial, tail).toMatch(/STK-PXE-SECUREBOOT kernel=enabled/);
      expect(result.markers['boot'], tail).toBeDefined();
      expect(result.serial, tail).toContain(`STK-PXE-PACKAGES ok=${PACKAGES.length} failed=0`);
      expect(result.markers['installed'], tail).toBeDefined();
      expectInOrder(events, [
        ['dhcp.ack uefi-x64 → shimx64.efi', (e) => e.step === 'dhcp.ack' && e.details['firmware'] === 'uefi-x64' && e.details['file'] === 'shimx64.efi'],
        ['tftp shimx64.efi', (e) => tftp('shimx64.efi')(e) && e.details['bytes'] === bytes['EFI/BOOT/BOOTX64.EFI']],
        ['tftp grubx64.efi (the shim asks next to itself)', (e) => tftp('grubx64.efi')(e) && e.details['bytes'] === bytes['EFI/BOOT/grubx64.efi']],
        ["tftp GRUB's /grub/grub.cfg", tftp('/grub/grub.cfg')],
        ['per-MAC GRUB config rendered', (e) => e.details['file'] === `grub.cfg-01-${mac}` && e.details['outcome'] === 'rendered' && (e.details['plan'] as { action?: string }).action === 'install'],
        ['tftp signed kernel', (e) => tftp('/tree/vmlinuz')(e) && e.details['bytes'] === bytes['vmlinuz']],
        ['tftp initrd', (e) => tftp('/tree/initrd.img')(e) && e.details['bytes'] === bytes['initrd.img']],
        ['kickstart served', (e) => e.step === 'kickstart.fetched' && e.details['outcome'] === 'served'],
        ['install.finished', (e) => e.step === 'install.finished'],
      ]);
      expect(events.some((e) => e.step === 'loader.refused')).toBe(false);
    } finally {
      await server.stop();
    }
  }, 360_000);

  it('an unsigned loader (ipxe.efi) is downloaded, refused by the firmware, and the timeline says loader.refused', async () => {
    const mac = '52:54:00:77:51:20';
    // uefiChain 'ipxe' hands out ipxe.efi although the tree has the signed chain.
    const server: PxeServerProcess = await lab.startStriker(spec([{ mac, role: 'node', state: 'assigned', hostname: 'sb2', check: { status: 'ready' } }], { uefiChain: 'ipxe' }));
    const stop = new AbortController();
    let refused: TimelineEventJson | undefined;
    const poll = setInterval(() => {
      void server.status().then((s) => {
        refused ??= s.events.find((e) => e.mac === mac && e.step === 'loader.refused');
        if (refused !== undefined) stop.abort();
      });
    }, 500);
    try {
      // Without IPv6 PXE (most sites) the firmware's next boot option, HTTP boot over IPv4, starts
      // within seconds; with it, DHCPv6 first waits about a minute for an answer.
      const noIpv6 = ['-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n'];
      const result = await bootGuest({ ns: lab.ns, tap: lab.tap(), mac, firmware: 'uefi-secure-boot', romfile: '', extra: noIpv6, timeoutMs: GUEST_TIMEOUT_MS, workDir: lab.dir, signal: stop.signal });
      const events = (await server.status()).events.filter((e) => e.mac === mac);
      const tail = `serial tail: ${result.serial.slice(-2000)}`;
      expect(result.timedOut, `no loader.refused before the guest timed out; ${tail}`).toBe(false);
      // The firmware's own words on its console.
      expect(result.serial, tail).toMatch(/failed to load Boot\d+ "UEFI PXEv4 \(MAC:525400775120\)".*: Access Denied/);
      expectInOrder(events, [
        ['dhcp.ack uefi-x64 → ipxe.efi', (e) => e.step === 'dhcp.ack' && e.details['firmware'] === 'uefi-x64' && e.details['file'] === 'ipxe.efi'],
        ['tftp ipxe.efi complete', tftp('ipxe.efi')],
        ['the firmware starts DHCP again', (e) => e.step === 'dhcp.discover' && e.details['firmware'] !== 'ipxe-uefi-x64'],
        ['loader.refused', (e) => e.step === 'loader.refused'],
      ]);
      console.log(`OVMF Secure Boot refusal of ipxe.efi: reported ${String(refused?.details['afterMs'])} ms after the download`);
      expect(refused?.details).toMatchObject({ message: 'loader refused by Secure Boot', file: 'ipxe.efi', firmware: 'uefi-x64' });
      expect(String(refused?.details['inference'])).toMatch(/^the firmware fetched ipxe\.efi completely over TFTP, then started DHCP again as uefi-x64/);
      // iPXE never ran: no DHCP as iPXE, no script.
      expect(events.some((e) => e.details['firmware'] === 'ipxe-uefi-x64' || e.details['file'] === 'boot/ipxe')).toBe(false);
    } finally {
      clearInterval(poll);
      await server.stop();
    }
  }, 360_000);
});
