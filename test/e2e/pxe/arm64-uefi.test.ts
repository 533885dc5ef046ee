/**
 * ARM64 UEFI under QEMU (TCG): AAVMF (Debian's `qemu-efi-aarch64`) on `qemu-system-aarch64 -M
 * virt -cpu cortex-a57`, its own PXE client (no NIC option ROM). DHCP classifies option 93 = 11
 * as `uefi-arm64` and hands the ARM64 loader of the aarch64 installation tree: Debian's signed
 * ARM64 shim and GRUB network image (from `debian-installer-12-netboot-arm64`, which ships them
 * as bootnetaa64.efi and grubaa64.efi) play the tree's EFI/BOOT/BOOTAA64.EFI and grubaa64.efi.
 * The timeline must be complete up to GRUB asking for its per-MAC config.
 *
 * The kernel stage is not run: Striker's boot plan names one installation tree (the x86_64 one)
 * for installers, so an ARM64 machine with a role would be handed an x86_64 kernel, and the
 * test initrd is built from Debian's amd64 busybox-static. The machine here has no role: its
 * config is the discovery menu, and the test stops the guest once GRUB has fetched it.
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNativeAddon } from '../../support/netns-dhcp.js';
import { PxeLab, type TimelineEventJson } from '../../support/netns-pxe.js';
import { bootGuest, requirePrograms } from '../../support/qemu-pxe.js';

const NETBOOT = '/usr/lib/debian-installer/images/12/arm64/text/debian-installer/arm64';
const SIGNED_SHIM = `${NETBOOT}/bootnetaa64.efi`;
const SIGNED_GRUB = `${NETBOOT}/grubaa64.efi`;

let lab: PxeLab;
let treeDir: string;

beforeAll(() => {
  requirePrograms('qemu-system-aarch64', 'ip');
  for (const file of [SIGNED_SHIM, SIGNED_GRUB, '/usr/share/AAVMF/AAVMF_CODE.fd', '/usr/share/AAVMF/AAVMF_VARS.fd']) {
    expect(() => statSync(file), `${file} is missing: install qemu-efi-aarch64 and debian-installer-12-netboot-arm64 (test/system-packages.txt)`).not.toThrow();
  }
  ensureNativeAddon();
  lab = new PxeLab(String(process.pid), 'sb-arm64');
  treeDir = join(lab.dir, 'tree-aarch64');
  mkdirSync(join(treeDir, 'EFI/BOOT'), { recursive: true });
  copyFileSync(SIGNED_SHIM, join(treeDir, 'EFI/BOOT/BOOTAA64.EFI'));
  copyFileSync(SIGNED_GRUB, join(treeDir, 'EFI/BOOT/grubaa64.efi'));
});

afterAll(async () => {
  await lab?.destroy();
});

describe('AAVMF (ARM64 UEFI), native PXE', () => {
  it('is classified as uefi-arm64, gets the ARM64 shim, which loads the ARM64 GRUB, which fetches its config', async () => {
    const mac = '52:54:00:77:52:10';
    const server = await lab.startStriker({
      httpPort: 8080,
      treeDir,
      packages: [],
      machines: [],
      pxe: {
        discoveryRetrySeconds: 30,
        loaders: { arm64InstallTreeDir: treeDir },
        dhcp: { subnets: [{ cidr: '10.77.50.0/24', pools: [{ start: '10.77.50.100', end: '10.77.50.199' }], leaseTime: 600 }] },
      },
    });
    const stop = new AbortController();
    let rendered: TimelineEventJson | undefined;
    const poll = setInterval(() => {
      void server.status().then((s) => {
        rendered ??= s.events.find((e) => e.mac === mac && e.details['outcome'] === 'rendered');
        if (rendered !== undefined) setTimeout(() => stop.abort(), 1000);
      });
    }, 500);
    try {
      const result = await bootGuest({ ns: lab.ns, tap: lab.tap(), mac, firmware: 'uefi-arm64', romfile: '', timeoutMs: 240_000, workDir: lab.dir, signal: stop.signal });
      const events = (await server.status()).events.filter((e) => e.mac === mac);
      const tail = `serial tail: ${result.serial.slice(-2000)}`;
      expect(result.timedOut, `GRUB never fetched its config; ${tail}`).toBe(false);
      const first = (match: (e: TimelineEventJson) => boolean): number => events.findIndex(match);
      const steps: [string, number][] = [
        ['dhcp.discover uefi-arm64', first((e) => e.step === 'dhcp.discover' && e.details['firmware'] === 'uefi-arm64')],
        ['dhcp.ack → shimaa64.efi', first((e) => e.step === 'dhcp.ack' && e.details['firmware'] === 'uefi-arm64' && e.details['file'] === 'shimaa64.efi')],
        ['tftp shimaa64.efi', first((e) => e.step === 'tftp.transfer' && e.details['file'] === 'shimaa64.efi' && e.details['outcome'] === 'ok' && e.details['bytes'] === statSync(SIGNED_SHIM).size)],
        ['tftp grubaa64.efi', first((e) => e.step === 'tftp.transfer' && e.details['file'] === 'grubaa64.efi' && e.details['outcome'] === 'ok' && e.details['bytes'] === statSync(SIGNED_GRUB).size)],
        ["tftp GRUB's grub.cfg", first((e) => e.step === 'tftp.transfer' && String(e.details['file']).endsWith('/grub/grub.cfg') && e.details['outcome'] === 'ok')],
        ['per-MAC config rendered', first((e) => e.details['file'] === `grub.cfg-01-${mac}` && e.details['outcome'] === 'rendered' && (e.details['plan'] as { action?: string }).action === 'discovery')],
      ];
      const timeline = events.map((e) => `${e.step}:${String(e.details['file'] ?? e.details['firmware'] ?? '')}`).join(', ');
      for (const [name, index] of steps) expect(index, `${name} missing; timeline: ${timeline}; ${tail}`).toBeGreaterThanOrEqual(0);
      const order = steps.map(([, i]) => i);
      expect(order, timeline).toEqual([...order].sort((a, b) => a - b));
      const ms = (i: number): number => Date.parse(events[i]!.at) - Date.parse(events[order[0]!]!.at);
      console.log(`AAVMF ARM64 PXE: DISCOVER → shim ${ms(order[2]!)} ms, GRUB ${ms(order[3]!)} ms, per-MAC config ${ms(order[5]!)} ms after the first DISCOVER; QEMU ran ${result.elapsedMs} ms`);
    } finally {
      clearInterval(poll);
      await server.stop();
    }
  }, 360_000);
});
