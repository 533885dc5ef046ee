/**
 * QEMU (TCG) diskless guests for the PXE end-to-end tests and benchmark: Debian's kernel
 * (extracted from the package, never installed, cached under /tmp/stk-pxe-cache), a busybox-static
 * initrd that plays the installer, and a runner that boots a guest from the network in a
 * namespace and reports when each serial marker appeared. Test helper: spawn with argv arrays.
 *
 * The initrd's /init prints `STK-PXE-MARKER boot …` (on UEFI also `STK-PXE-SECUREBOOT kernel=enabled|disabled`,
 * the kernel's reading of the firmware's SecureBoot variable); when the kernel command line has `inst.ks=`
 * it loads virtio-net, takes an address by DHCP (busybox udhcpc), fetches the kickstart, fetches
 * every URL listed on its `# striker-test-fetch:` lines, posts `install.finished` to the URL on
 * its `# striker-test-events:` line, prints `STK-PXE-MARKER installed` and powers off.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const PXE_CACHE = '/tmp/stk-pxe-cache';
/** In load order (each after what it depends on): the virtio PCI transport and virtio-net. */
const MODULES = [
  'kernel/drivers/virtio/virtio_ring.ko', 'kernel/drivers/virtio/virtio.ko', 'kernel/drivers/virtio/virtio_pci_modern_dev.ko',
  'kernel/drivers/virtio/virtio_pci_legacy_dev.ko', 'kernel/drivers/virtio/virtio_pci.ko',
  'kernel/net/core/failover.ko', 'kernel/drivers/net/net_failover.ko', 'kernel/drivers/net/virtio_net.ko',
];

function run(argv: string[], cwd?: string, input?: Buffer): Buffer {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, input, maxBuffer: 512 * 1024 * 1024, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr?.toString() ?? ''}${r.error?.message ?? ''}`);
  return r.stdout;
}

/** Fails (never skips) when a peer program is missing. */
export function requirePrograms(...names: string[]): void {
  for (const name of names) {
    const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name]);
    if (r.status !== 0) throw new Error(`${name} is not installed; see test/system-packages.txt`);
  }
}

/** Debian's current amd64 kernel and the virtio-net modules, downloaded once with apt-get into the cache. */
export function debianKernel(cache = PXE_CACHE): { vmlinuz: string; modules: string[] } {
  const vmlinuz = join(cache, 'vmlinuz');
  const modules = MODULES.map((m) => join(cache, m.slice(m.lastIndexOf('/') + 1)));
  if (existsSync(vmlinuz) && modules.every((m) => existsSync(m))) return { vmlinuz, modules };
  mkdirSync(cache, { recursive: true });
  const depends = run(['apt-cache', 'depends', 'linux-image-amd64']).toString();
  const pkg = /Depends: (linux-image-[0-9][^\s]*-amd64)/.exec(depends)?.[1];
  if (pkg === undefined) throw new Error(`cannot tell the kernel package from apt-cache depends linux-image-amd64: ${depends}`);
  const work = mkdtempSync(join(cache, 'dl-'));
  try {
    run(['apt-get', 'download', pkg], work);
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (deb === undefined) throw new Error(`apt-get download ${pkg} produced no .deb`);
    run(['dpkg', '-x', deb, 'x'], work);
    const boot = join(work, 'x/boot');
    const image = readdirSync(boot).find((f) => f.startsWith('vmlinuz-'))!;
    const release = image.slice('vmlinuz-'.length);
    MODULES.forEach((m, i) => copyFileSync(join(work, 'x/lib/modules', release, m), modules[i]!));
    copyFileSync(join(boot, image), vmlinuz);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { vmlinuz, modules };
}

const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox --install -s
echo "STK-PXE-MARKER boot uptime=$(cut -d' ' -f1 /proc/uptime) cmdline=$(cat /proc/cmdline)"
if [ -d /sys/firmware/efi ]; then
  # The kernel's reading of the firmware's SecureBoot variable ("secureboot: Secure boot enabled").
  echo "STK-PXE-SECUREBOOT kernel=$(dmesg | sed -n 's/.*Secure boot \\([a-z]*\\).*/\\1/p' | head -n 1)"
fi
ks=$(sed -n 's/.*inst\\.ks=\\([^ ]*\\).*/\\1/p' /proc/cmdline)
if [ -n "$ks" ]; then
  for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net; do insmod /lib/$m.ko; done
  sleep 1
  ip link set eth0 up
  udhcpc -i eth0 -n -q -t 10 -T 1 -s /udhcpc.sh >/dev/null 2>&1 || echo "STK-PXE-FAIL dhcp"
  if wget -q -O /tmp/ks.cfg "$ks"; then
    echo "STK-PXE-KS bytes=$(wc -c < /tmp/ks.cfg)"
    ok=0; bad=0
    for url in $(sed -n 's/^# striker-test-fetch: //p' /tmp/ks.cfg); do
      if wget -q -O /tmp/pkg "$url"; then ok=$((ok+1)); else bad=$((bad+1)); echo "STK-PXE-FAIL fetch $url"; fi
    done
    echo "STK-PXE-PACKAGES ok=$ok failed=$bad"
    ev=$(sed -n 's/^# striker-test-events: //p' /tmp/ks.cfg)
    [ -n "$ev" ] && wget -q -O /dev/null --header 'content-type: application/json' --post-data '{"event":"install.finished"}' "$ev"
    echo "STK-PXE-MARKER installed uptime=$(cut -d' ' -f1 /proc/uptime)"
  else
    echo "STK-PXE-FAIL kickstart"
  fi
fi
poweroff -f
`;

const UDHCPC = `#!/bin/busybox sh
case "$1" in bound|renew) ifconfig "$interface" "$ip" netmask "$subnet" up;; esac
exit 0
`;

/** A gzip'd newc cpio: busybox-static, the virtio-net modules and the fake installer /init. */
export function buildInitrd(out: string, modules: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'stk-pxe-initrd-'));
  try {
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'lib'));
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    for (const m of modules) copyFileSync(m, join(root, 'lib', m.slice(m.lastIndexOf('/') + 1)));
    writeFileSync(join(root, 'init'), INIT, { mode: 0o755 });
    writeFileSync(join(root, 'udhcpc.sh'), UDHCPC, { mode: 0o755 });
    const list = run(['find', '.'], root);
    const cpio = run(['cpio', '-o', '-H', 'newc', '--quiet'], root, list);
    writeFileSync(out, gzipSync(cpio, { level: 1 }));
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The firmware a guest boots with:
 * - `bios`: SeaBIOS (QEMU's default);
 * - `uefi`: OVMF without Secure Boot;
 * - `uefi-secure-boot`: OVMF's Secure Boot build (SMM, secure flash) with the Microsoft keys
 *   enrolled and Secure Boot enforced (Debian's `ovmf`: OVMF_CODE_4M.ms.fd + OVMF_VARS_4M.ms.fd);
 * - `uefi-arm64`: AAVMF (Debian's `qemu-efi-aarch64`) on `qemu-system-aarch64 -M virt`, a Cortex-A57.
 */
export type GuestFirmware = 'bios' | 'uefi' | 'uefi-secure-boot' | 'uefi-arm64';

export interface GuestOptions {
  ns: string;
  tap: string;
  mac: string;
  firmware: GuestFirmware;
  /** `undefined`: QEMU's iPXE option ROM; `''`: no NIC ROM (the firmware's own PXE / HTTP boot). */
  romfile?: string;
  /** Extra QEMU arguments (e.g. -fw_cfg to turn OVMF's IPv4 PXE off for HTTP boot). */
  extra?: string[];
  timeoutMs: number;
  workDir: string;
  /** Called for every serial line as it arrives. */
  onLine?: (line: string) => void;
  /** Stops the guest early (e.g. once the timeline shows what the test waited for). */
  signal?: AbortSignal;
}

export interface GuestResult {
  exit: number | null;
  timedOut: boolean;
  serial: string;
  /** ms from QEMU start to each `STK-PXE-MARKER <name>` line. */
  markers: Record<string, number>;
  elapsedMs: number;
}

/** The QEMU program and its machine and firmware arguments for one guest. */
function machineArgs(o: GuestOptions): string[] {
  const vars = (template: string): string => {
    const copy = join(o.workDir, `VARS-${o.firmware}-${o.mac.replaceAll(':', '')}.fd`);
    copyFileSync(template, copy);
    return copy;
  };
  const flash = (code: string, template: string): string[] =>
    ['-drive', `if=pflash,format=raw,readonly=on,file=${code}`, '-drive', `if=pflash,format=raw,file=${vars(template)}`];
  switch (o.firmware) {
    case 'bios':
      return ['qemu-system-x86_64', '-machine', 'q35'];
    case 'uefi':
      return ['qemu-system-x86_64', '-machine', 'q35', ...flash('/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd')];
    case 'uefi-secure-boot':
      // OVMF's Secure Boot build keeps its variables in SMM: the flash must be SMM-only.
      return ['qemu-system-x86_64', '-machine', 'q35,smm=on', '-global', 'driver=cfi.pflash01,property=secure,value=on',
        ...flash('/usr/share/OVMF/OVMF_CODE_4M.ms.fd', '/usr/share/OVMF/OVMF_VARS_4M.ms.fd')];
    case 'uefi-arm64':
      return ['qemu-system-aarch64', '-machine', 'virt', '-cpu', 'cortex-a57', ...flash('/usr/share/AAVMF/AAVMF_CODE.fd', '/usr/share/AAVMF/AAVMF_VARS.fd')];
  }
}

/** Boots a diskless guest from the network; resolves when QEMU exits (the initrd powers off) or on timeout. */
export function bootGuest(o: GuestOptions): Promise<GuestResult> {
  const [qemu, ...machine] = machineArgs(o);
  const nic = `virtio-net-pci,netdev=n0,mac=${o.mac}${o.romfile === undefined ? '' : `,romfile=${o.romfile}`}`;
  const argv = ['netns', 'exec', o.ns, qemu!, '-accel', 'tcg', ...machine, '-m', '512', '-smp', '1', '-display', 'none',
    '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-boot', 'n', ...(o.extra ?? []),
    '-netdev', `tap,id=n0,ifname=${o.tap},script=no,downscript=no`, '-device', nic];
  const started = Date.now();
  const proc = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let serial = '';
  let pending = '';
  const markers: Record<string, number> = {};
  const onData = (d: Buffer): void => {
    const text = d.toString('latin1');
    serial += text;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).replace(/\r/g, '');
      pending = pending.slice(nl + 1);
      const m = /STK-PXE-MARKER (\S+)/.exec(line);
      if (m !== null && markers[m[1]!] === undefined) markers[m[1]!] = Date.now() - started;
      o.onLine?.(line);
    }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, o.timeoutMs);
    o.signal?.addEventListener('abort', () => proc.kill('SIGKILL'), { once: true });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ exit: code, timedOut, serial, markers, elapsedMs: Date.now() - started });
    });
  });
}
