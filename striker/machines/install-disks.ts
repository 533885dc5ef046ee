/**
 * The disks a machine's OS install must use: kernel block device names (sda, vdb, nvme0n1), in
 * the order the installer lays them out. The machines area owns the rule and exports it through
 * index.ts for the kickstart, whose `%pre` script receives the names.
 */
import { z } from 'zod';

/** A kernel block device name as an explicit disk list may hold it. */
export const diskNamePattern = /^[a-z][a-z0-9]{0,31}$/;

/** The most disks one install uses (the layouts cover 1 to 8 disks). */
export const MAX_INSTALL_DISKS = 8;

/**
 * 1–8 kernel disk names, each named once. A bad entry is one problem naming it (`installDisks.N`),
 * listed in the order of the entries.
 */
export const installDisksSchema = z
  .array(z.string())
  .min(1, `must name 1 to ${MAX_INSTALL_DISKS} disks (null lets the installer pick the local disks)`)
  .max(MAX_INSTALL_DISKS, `must name 1 to ${MAX_INSTALL_DISKS} disks`)
  .superRefine((names, ctx) => {
    names.forEach((name, i) => {
      if (!diskNamePattern.test(name)) ctx.addIssue({ code: 'custom', path: [i], message: 'must be a kernel disk name like sda or nvme0n1' });
      else if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: [i], message: 'is already in the list' });
    });
  });

/**
 * A disk list as an operator types it (`sda,sdb`, `sda sdb` or a mix); an empty text clears the
 * list (null). The names are checked by installDisksSchema, not here.
 */
export function parseDiskList(text: string): string[] | null {
  const names = text.split(/[\s,]+/).filter((n) => n !== '');
  return names.length === 0 ? null : names;
}
