/**
 * Disk layout rules as data, and the pure planner that applies them to the disks a machine has.
 * The same rules generate the `%pre` shell script (disk-script.ts) that runs on the machine at
 * install time; tests run that script against fake `/sys/block` trees and compare its output with
 * `planDisks` + `renderPartInclude` here, so the TypeScript and the shell cannot drift apart.
 *
 * Only local disks are install targets: not removable, not hidden (NVMe per-path devices), not
 * reached over USB, iSCSI, Fibre Channel or NVMe over fabrics, and not a path of a device-mapper
 * multipath device. Multipath devices are skipped altogether (SAN or shared JBOD storage is not
 * where an appliance's operating system belongs); a machine that must install onto one names
 * its disks explicitly.
 *
 * Layout by number of disks: one disk plain, two or three RAID1 (every disk a mirror), four
 * RAID10, five or more RAID6. `/boot` and the EFI system partition are RAID1 across all disks
 * (GRUB and firmware read them from any one disk); on BIOS every disk has its own BIOS boot
 * partition for GRUB's core image. LVM sits on the data device; node and DR hosts keep a
 * fixed-size root and leave the rest of the volume group free for DRBD, a Striker grows root.
 */
import { parseOrThrow } from '../striker/core/validation/zod-problems.js';
import { installDisksSchema } from '../striker/machines/index.js';
import type { Role } from './kickstart-input.js';

export type RaidLevel = 'none' | 'raid1' | 'raid10' | 'raid6';

export interface LayoutRule {
  minDisks: number;
  /** Inclusive; undefined means no upper bound. */
  maxDisks?: number;
  level: RaidLevel;
}

export interface DiskRules {
  /** Chosen by the first rule whose disk-count range matches. */
  layouts: readonly LayoutRule[];
  /** Disks smaller than this are not used at all (SATA DOMs, firmware modules). */
  minDiskMiB: number;
  /** Root logical volume size; with `rootGrow` the minimum. */
  rootMiB: number;
  rootGrow: boolean;
  swapMiB: number;
  bootMiB: number;
  efiMiB: number;
  /** The BIOS boot partition GRUB embeds its core image in (GPT on BIOS firmware). */
  biosbootMiB: number;
  /** Room on each disk for the GPT, partition alignment and the RAID member superblock. */
  diskOverheadMiB: number;
  /** Room on the data device for LVM metadata and extent rounding. */
  overheadMiB: number;
  vgName: string;
}

/** Device-name prefixes that are never install targets (loop, RAM disks, optical, zram, device-mapper, md). */
export const ignoredDevicePrefixes = ['loop', 'ram', 'sr', 'zram', 'dm-', 'md', 'fd', 'nbd'] as const;

export type Transport = 'usb' | 'iscsi' | 'fc' | 'nvme-fabrics';

/**
 * A disk is remote (or removable in all but name) when a component of its sysfs device path
 * (`/sys/block/<d>` resolved) starts with one of these: `usbN` (a USB host controller, also for
 * USB disks that report removable=0), `sessionN` (an iSCSI session), `rport-` (a Fibre Channel
 * remote port), `nvme-fabrics` (an NVMe over fabrics controller). `digit` means the prefix is
 * followed by a digit. disk-script.ts turns each entry into a shell `case` pattern.
 */
export const remotePathComponents: readonly { transport: Transport; prefix: string; digit: boolean }[] = [
  { transport: 'usb', prefix: 'usb', digit: true },
  { transport: 'iscsi', prefix: 'session', digit: true },
  { transport: 'fc', prefix: 'rport-', digit: false },
  { transport: 'nvme-fabrics', prefix: 'nvme-fabrics', digit: false },
];

/** The transport an NVMe controller reports in `transport` for a local PCIe drive. */
export const localNvmeTransport = 'pcie';

const layouts: readonly LayoutRule[] = [
  { minDisks: 1, maxDisks: 1, level: 'none' },
  { minDisks: 2, maxDisks: 3, level: 'raid1' },
  { minDisks: 4, maxDisks: 4, level: 'raid10' },
  { minDisks: 5, level: 'raid6' },
];

const common = { layouts, minDiskMiB: 8 * 1024, swapMiB: 8 * 1024, bootMiB: 1024, efiMiB: 600, biosbootMiB: 1, diskOverheadMiB: 64, overheadMiB: 16 } as const;

export const diskRulesByRole: Readonly<Record<Role, DiskRules>> = {
  striker: { ...common, rootMiB: 40 * 1024, rootGrow: true, vgName: 'striker_vg' },
  node: { ...common, rootMiB: 80 * 1024, rootGrow: false, vgName: 'node_vg' },
  dr: { ...common, rootMiB: 80 * 1024, rootGrow: false, vgName: 'dr_vg' },
};

/**
 * Throws a ValidationError (paths `disks.N`) unless the list is what a machine may carry
 * (striker/machines owns the rule: 1–8 kernel disk names, each named once); the names end up in
 * the `%pre` script.
 */
export function assertDiskList(only: readonly string[]): void {
  if (only.length === 0) return;
  parseOrThrow(installDisksSchema, only, 'disk list', 'disks');
}

export interface DetectedDisk {
  /** Kernel name under /sys/block, e.g. sda or nvme0n1. */
  name: string;
  /** Size in MiB (/sys/block/X/size is in 512-byte sectors). */
  sizeMiB: number;
  removable: boolean;
  /** /sys/block/X/hidden: per-path devices of native NVMe multipath. */
  hidden?: boolean;
  /** The device's sysfs path below /sys, e.g. /devices/pci0000:00/…/block/sda. */
  sysPath?: string;
  /** `transport` of the NVMe controller(s) behind a namespace (pcie, tcp, rdma, fc, loop). */
  controllerTransports?: readonly string[];
  /** Held by a device-mapper multipath device (a holder whose dm/uuid starts with `mpath-`). */
  multipathMember?: boolean;
}

export type Firmware = 'bios' | 'efi';

export type DiskPlan =
  | { kind: 'layout'; level: RaidLevel; disks: readonly string[]; firmware: Firmware; usableMiB: number; rules: DiskRules }
  | { kind: 'error'; message: string };

/** The remote transport a sysfs device path goes through, or undefined for a local disk. */
export function remoteTransportOf(sysPath: string): Transport | undefined {
  const components = sysPath.split('/');
  for (const { transport, prefix, digit } of remotePathComponents) {
    if (components.some((c) => c.startsWith(prefix) && (!digit || /^[0-9]$/.test(c.charAt(prefix.length))))) return transport;
  }
  return undefined;
}

/** Why a disk is not an install target, or undefined when it is one. */
export function unusableReason(d: DetectedDisk, rules: DiskRules): string | undefined {
  if (ignoredDevicePrefixes.some((p) => d.name.startsWith(p))) return 'not a disk';
  if (d.removable) return 'removable';
  if (d.hidden === true) return 'hidden';
  const transport = d.sysPath === undefined ? undefined : remoteTransportOf(d.sysPath);
  if (transport !== undefined) return transport;
  if ((d.controllerTransports ?? []).some((t) => t !== localNvmeTransport)) return 'nvme-fabrics';
  if (d.multipathMember === true) return 'multipath';
  if (d.sizeMiB < rules.minDiskMiB) return 'small';
  return undefined;
}

/** Local disks the rules would use, in byte order of their names (the script's `LC_ALL=C` glob order). */
export function eligibleDisks(disks: readonly DetectedDisk[], rules: DiskRules): DetectedDisk[] {
  return disks.filter((d) => unusableReason(d, rules) === undefined).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function layoutFor(count: number, rules: DiskRules): RaidLevel | undefined {
  return rules.layouts.find((r) => count >= r.minDisks && (r.maxDisks === undefined || count <= r.maxDisks))?.level;
}

/** Capacity of the RAID device built from `count` members of `memberMiB` each. */
export function usableMiB(level: RaidLevel, count: number, memberMiB: number): number {
  switch (level) {
    case 'none':
    case 'raid1':
      return memberMiB;
    case 'raid10':
      return memberMiB * Math.floor(count / 2);
    case 'raid6':
      return memberMiB * (count - 2);
  }
}

/** What every disk gives up before its data partition: /boot, the ESP or biosboot, and metadata. */
export function perDiskMiB(rules: DiskRules, firmware: Firmware): number {
  return rules.bootMiB + (firmware === 'efi' ? rules.efiMiB : rules.biosbootMiB) + rules.diskOverheadMiB;
}

/** What the volume group must hold: root, swap and LVM metadata. */
export function neededMiB(rules: DiskRules): number {
  return rules.rootMiB + rules.swapMiB + rules.overheadMiB;
}

function chooseDisks(disks: readonly DetectedDisk[], rules: DiskRules, only: readonly string[] | undefined): DetectedDisk[] | string {
  if (only === undefined || only.length === 0) {
    const chosen = eligibleDisks(disks, rules);
    return chosen.length > 0 ? chosen : `no usable local disk of at least ${rules.minDiskMiB} MiB found`;
  }
  const chosen: DetectedDisk[] = [];
  for (const name of only) {
    const d = disks.find((x) => x.name === name);
    if (d === undefined) return `disk ${name} named in the disk list was not found`;
    if (d.sizeMiB < rules.minDiskMiB) return `disk ${name} named in the disk list has ${d.sizeMiB} MiB, less than ${rules.minDiskMiB} MiB`;
    chosen.push(d);
  }
  return chosen;
}

/**
 * The layout for these disks, or why there is none. `only` is an explicit disk list (from the
 * manifest or the machine): exactly those disks, in that order, each of at least `minDiskMiB`;
 * without it every local disk is used.
 */
export function planDisks(disks: readonly DetectedDisk[], firmware: Firmware, rules: DiskRules, only?: readonly string[]): DiskPlan {
  if (only !== undefined) assertDiskList(only);
  const chosen = chooseDisks(disks, rules, only);
  if (typeof chosen === 'string') return { kind: 'error', message: chosen };
  const level = layoutFor(chosen.length, rules);
  if (level === undefined) return { kind: 'error', message: `no layout rule for ${chosen.length} disk(s)` };
  const smallest = Math.min(...chosen.map((d) => d.sizeMiB));
  const usable = usableMiB(level, chosen.length, smallest - perDiskMiB(rules, firmware));
  const need = neededMiB(rules);
  if (usable < need) {
    return {
      kind: 'error',
      message: `${level} over ${chosen.length} disk(s) leaves ${usable} MiB for root and swap, need at least ${need} MiB (each disk keeps ${perDiskMiB(rules, firmware)} MiB for /boot, ${firmware === 'efi' ? 'the ESP' : 'biosboot'} and metadata)`,
    };
  }
  return { kind: 'layout', level, disks: chosen.map((d) => d.name), firmware, usableMiB: usable, rules };
}
