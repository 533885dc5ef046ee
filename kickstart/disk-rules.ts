/**
 * Disk layout rules as data, and the pure planner that applies them to a list of detected disks.
 * The same rules generate the `%pre` shell script (disk-script.ts) that runs on the machine at
 * install time; tests run that script against fake `/sys/block` trees and compare its output with
 * `planDisks` + `renderPartInclude` here, so the TypeScript and the shell cannot drift apart.
 *
 * Layout by number of eligible disks: one disk plain, two or three RAID1 (every disk a mirror),
 * four RAID10, five or more RAID6. `/boot` (and the EFI system partition) are always RAID1 across
 * all disks, because GRUB and firmware must be able to read them from any one disk. LVM sits on
 * top of the data device; node and DR hosts keep a fixed-size root and leave the rest of the
 * volume group free for DRBD backing volumes, a Striker grows root to fill the disk.
 */
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
  /** Disks smaller than this are not used at all (USB sticks, SATA DOMs with firmware). */
  minDiskMiB: number;
  /** Root logical volume size; with `rootGrow` the minimum. */
  rootMiB: number;
  rootGrow: boolean;
  swapMiB: number;
  bootMiB: number;
  efiMiB: number;
  /** Headroom for partition tables, RAID superblocks and LVM metadata. */
  overheadMiB: number;
  vgName: string;
}

/** Device-name prefixes that are never install targets (loop, RAM disks, optical, zram, device-mapper, md). */
export const ignoredDevicePrefixes = ['loop', 'ram', 'sr', 'zram', 'dm-', 'md', 'fd', 'nbd'] as const;

const layouts: readonly LayoutRule[] = [
  { minDisks: 1, maxDisks: 1, level: 'none' },
  { minDisks: 2, maxDisks: 3, level: 'raid1' },
  { minDisks: 4, maxDisks: 4, level: 'raid10' },
  { minDisks: 5, level: 'raid6' },
];

const common = { layouts, minDiskMiB: 8 * 1024, swapMiB: 8 * 1024, bootMiB: 1024, efiMiB: 600, overheadMiB: 16 } as const;

export const diskRulesByRole: Readonly<Record<Role, DiskRules>> = {
  striker: { ...common, rootMiB: 40 * 1024, rootGrow: true, vgName: 'striker_vg' },
  node: { ...common, rootMiB: 80 * 1024, rootGrow: false, vgName: 'node_vg' },
  dr: { ...common, rootMiB: 80 * 1024, rootGrow: false, vgName: 'dr_vg' },
};

export interface DetectedDisk {
  /** Kernel name under /sys/block, e.g. sda or nvme0n1. */
  name: string;
  /** Size in MiB (/sys/block/X/size is in 512-byte sectors). */
  sizeMiB: number;
  removable: boolean;
  /** /sys/block/X/hidden: per-path devices of native NVMe multipath. */
  hidden?: boolean;
}

export type Firmware = 'bios' | 'efi';

export type DiskPlan =
  | { kind: 'layout'; level: RaidLevel; disks: readonly string[]; firmware: Firmware; usableMiB: number; rules: DiskRules }
  | { kind: 'error'; message: string };

/** Disks the rules would use, in the order given (the script uses the shell's glob order). */
export function eligibleDisks(disks: readonly DetectedDisk[], rules: DiskRules): DetectedDisk[] {
  return disks.filter(
    (d) => !ignoredDevicePrefixes.some((p) => d.name.startsWith(p)) && !d.removable && d.hidden !== true && d.sizeMiB >= rules.minDiskMiB,
  );
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

/** Space root, swap, /boot and the ESP need on the data device, in MiB. */
export function requiredMiB(rules: DiskRules, firmware: Firmware): number {
  return rules.rootMiB + rules.swapMiB + rules.bootMiB + (firmware === 'efi' ? rules.efiMiB : 1) + rules.overheadMiB;
}

export function planDisks(disks: readonly DetectedDisk[], firmware: Firmware, rules: DiskRules): DiskPlan {
  const chosen = eligibleDisks(disks, rules);
  const level = layoutFor(chosen.length, rules);
  if (chosen.length === 0 || level === undefined) {
    return { kind: 'error', message: `no usable disk of at least ${rules.minDiskMiB} MiB found` };
  }
  const smallest = Math.min(...chosen.map((d) => d.sizeMiB));
  const usable = usableMiB(level, chosen.length, smallest);
  const need = requiredMiB(rules, firmware);
  if (usable < need) {
    return { kind: 'error', message: `${level} over ${chosen.length} disk(s) gives ${usable} MiB, need at least ${need} MiB` };
  }
  return { kind: 'layout', level, disks: chosen.map((d) => d.name), firmware, usableMiB: usable, rules };
}
