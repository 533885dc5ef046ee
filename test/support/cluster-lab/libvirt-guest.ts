/**
 * The tiny guest of the libvirt lab (LAB-CLUSTER.md §3 and appendix A), built at test time from
 * installed packages: the kernel of linux-image-cloud-amd64 and an initramfs of busybox-static
 * whose /init prints one boot line and then a tick counter on the serial console, and powers off
 * on the ACPI power button (so `virsh shutdown` works). No disk image: the domain boots the kernel
 * directly under TCG, 128 MiB, one vCPU. Its serial console goes to a file with append on, so
 * the lines of a guest that migrates between nodes land in the same file.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../../striker/core/command/run-command.js';

/** The line the guest prints once per boot, and the prefix of each tick line. */
export const GUEST_BOOT_LINE = 'TINY-GUEST up';
export const GUEST_TICK = 'TINY-GUEST tick';

/** /init of the initramfs: boot line, power-button watcher, a tick every second. */
export const guestInit = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
insmod /lib/evdev.ko; insmod /lib/button.ko
echo "${GUEST_BOOT_LINE}: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"
sleep 1
for e in /sys/class/input/event*; do
  if grep -q "Power Button" $e/device/name 2>/dev/null; then PB=/dev/input/\${e##*/}; fi
done
[ -n "$PB" ] && ( head -c 1 $PB >/dev/null; echo "TINY-GUEST ACPI power button -> poweroff"; sync; poweroff -f ) &
i=0; while :; do i=$((i+1)); echo "${GUEST_TICK} $i uptime $(cut -d' ' -f1 /proc/uptime)"; sleep 1; done
`;

export interface TinyGuestImage {
  kernel: string;
  initrd: string;
}

/** The installed cloud kernel's version (linux-image-cloud-amd64), or an error naming the package. */
async function cloudKernelVersion(): Promise<string> {
  const versions = (await readdir('/lib/modules').catch(() => [] as string[])).filter((v) => v.endsWith('-cloud-amd64') && existsSync(`/boot/vmlinuz-${v}`));
  const version = versions.sort().at(-1);
  if (version === undefined) throw new Error('the tiny guest needs a Debian cloud kernel: apt-get install linux-image-cloud-amd64 (test/system-packages.txt)');
  return version;
}

/** Builds vmlinuz + initrd.cpio.gz into `dir` (busybox-static, evdev and button modules). */
export async function buildTinyGuest(dir: string): Promise<TinyGuestImage> {
  const version = await cloudKernelVersion();
  const root = join(dir, 'initrd-root');
  for (const sub of ['bin', 'proc', 'sys', 'dev', 'lib', 'tmp']) await mkdir(join(root, sub), { recursive: true });
  await copyFile('/bin/busybox', join(root, 'bin', 'busybox'));
  const modules = `/lib/modules/${version}/kernel/drivers`;
  await copyFile(`${modules}/input/evdev.ko`, join(root, 'lib', 'evdev.ko'));
  await copyFile(`${modules}/acpi/button.ko`, join(root, 'lib', 'button.ko'));
  await writeFile(join(root, 'init'), guestInit, { mode: 0o755 });
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd.cpio.gz');
  await copyFile(`/boot/vmlinuz-${version}`, kernel);
  // newc cpio of the tree, gzip -1: a pipeline, so the adapter runs it through sh with the path as $1.
  await runCommand(['sh', '-c', 'find . | cpio -o -H newc --quiet | gzip -1 > "$1"', 'sh', initrd], { timeoutMs: 30_000, cwd: root });
  return { kernel, initrd };
}

export interface TinyDomain {
  name: string;
  image: TinyGuestImage;
  /** Serial console file (append on). */
  console: string;
  /** A raw file as the guest's disk: the stand-in for the server's DRBD device. */
  disk: string;
}

/** The domain XML: TCG, 128 MiB, one vCPU, direct kernel boot, ACPI, console to a file. */
export function renderTinyDomainXml(d: TinyDomain): string {
  return `<domain type='qemu'>
  <name>${d.name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${d.image.kernel}</kernel>
    <initrd>${d.image.initrd}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='${d.disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'>
      <source path='${d.console}' append='on'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='${d.console}' append='on'/>
      <target type='serial' port='0'/>
    </console>
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

/** Writes the domain's XML and its empty 16 MiB disk; returns the XML path. */
export async function writeTinyDomain(dir: string, d: TinyDomain): Promise<string> {
  await mkdir(dir, { recursive: true });
  await runCommand(['truncate', '-s', '16M', d.disk], { timeoutMs: 10_000 });
  const path = join(dir, `${d.name}.xml`);
  await writeFile(path, renderTinyDomainXml(d));
  return path;
}

export interface ConsoleFacts {
  boots: number;
  /** The last tick number, 0 before the first. */
  lastTick: number;
  /** Whether the tick numbers rose by one each line since the last boot line. */
  ticksInOrder: boolean;
  poweredOff: boolean;
}

/** What the console file shows: boot lines, the counter, the power-button line. */
export async function consoleFacts(path: string): Promise<ConsoleFacts> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const lines = text.split(/\r?\n/);
  let boots = 0;
  let ticks: number[] = [];
  for (const line of lines) {
    if (line.includes(GUEST_BOOT_LINE)) {
      boots += 1;
      ticks = [];
    }
    const m = new RegExp(`${GUEST_TICK} (\\d+) `).exec(line);
    if (m !== null) ticks.push(Number(m[1]));
  }
  return {
    boots,
    lastTick: ticks.at(-1) ?? 0,
    ticksInOrder: ticks.every((t, i) => i === 0 || t === ticks[i - 1]! + 1),
    poweredOff: text.includes('ACPI power button -> poweroff'),
  };
}
