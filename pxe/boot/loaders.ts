/**
 * Boot loaders: which files a machine's firmware fetches first, and where Striker takes them
 * from. Nothing is downloaded at run time; each loader comes from a configured directory:
 *
 * | loader          | for                                   | default source (Debian 12 package)          |
 * | --------------- | ------------------------------------- | ------------------------------------------- |
 * | undionly.kpxe   | BIOS PXE → iPXE                       | /usr/lib/ipxe (`ipxe`)                       |
 * | ipxe.efi        | UEFI PXE / HTTP boot → iPXE           | /usr/lib/ipxe (`ipxe`)                       |
 * | snponly.efi     | UEFI PXE → iPXE on the firmware's NIC | /usr/lib/ipxe (`ipxe`)                       |
 * | pxelinux.0      | BIOS PXE → pxelinux (TFTP only)       | /usr/lib/PXELINUX (`pxelinux`)               |
 * | lpxelinux.0     | BIOS PXE → pxelinux with HTTP         | /usr/lib/PXELINUX (`pxelinux`)               |
 * | ldlinux.c32     | pxelinux's core module                | /usr/lib/syslinux/modules/bios (`syslinux-common`) |
 * | shimx64.efi     | UEFI Secure Boot: signed shim         | installation tree EFI/BOOT/BOOTX64.EFI       |
 * | grubx64.efi     | UEFI Secure Boot: grub signed by the distribution | installation tree EFI/BOOT/grubx64.efi |
 *
 * `planLoaders` is pure (config → where each loader should be); `checkLoaders` looks at the disk
 * and names every loader that is missing, with the package or tree that provides it, so a
 * missing loader is an error on the Machines page rather than a machine timing out at TFTP.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { FileSource, OpenResult, Peer } from '../tftp/file-source.js';
import { DirectorySource } from '../tftp/directory-source.js';

export const loaderNames = ['undionly.kpxe', 'ipxe.efi', 'snponly.efi', 'pxelinux.0', 'lpxelinux.0', 'ldlinux.c32', 'shimx64.efi', 'grubx64.efi'] as const;
export type LoaderName = (typeof loaderNames)[number];

export const loadersConfigSchema = z.strictObject({
  /** Directory with undionly.kpxe, ipxe.efi, snponly.efi (Debian `ipxe`; `ipxe-bootimgs` elsewhere). */
  ipxeDir: z.string().min(1).default('/usr/lib/ipxe'),
  /** Directory with pxelinux.0 and lpxelinux.0 (Debian `pxelinux`). */
  pxelinuxDir: z.string().min(1).default('/usr/lib/PXELINUX'),
  /** Directory with ldlinux.c32 (Debian `syslinux-common`). */
  syslinuxModulesDir: z.string().min(1).default('/usr/lib/syslinux/modules/bios'),
  /** An imported installation tree on disk (e.g. `<dataDir>/trees/alma-9.4-x86_64`): its signed shim and grub, for Secure Boot. */
  installTreeDir: z.string().min(1).optional(),
  /** Loaders that must exist; a missing one is reported as an error (the others only when asked for). */
  required: z.array(z.enum(loaderNames)).default(['undionly.kpxe', 'ipxe.efi', 'snponly.efi']),
});

export type LoadersConfig = z.infer<typeof loadersConfigSchema>;

export interface LoaderSpec {
  name: LoaderName;
  /** Absolute path where the loader is expected. */
  path: string;
  /** What provides it, for the error message. */
  providedBy: string;
  required: boolean;
}

export interface LoaderProblem {
  loader: LoaderName;
  path: string;
  required: boolean;
  message: string;
}

export interface LoaderCheck {
  /** Loaders present on disk, name → path. */
  available: Map<LoaderName, string>;
  problems: LoaderProblem[];
}

export function planLoaders(config: LoadersConfig): LoaderSpec[] {
  const required = new Set<LoaderName>(config.required);
  const specs: LoaderSpec[] = [];
  const add = (name: LoaderName, path: string, providedBy: string): void => {
    specs.push({ name, path, providedBy, required: required.has(name) });
  };
  for (const name of ['undionly.kpxe', 'ipxe.efi', 'snponly.efi'] as const) add(name, join(config.ipxeDir, name), `the Debian package ipxe (loaders.ipxeDir = ${config.ipxeDir})`);
  for (const name of ['pxelinux.0', 'lpxelinux.0'] as const) add(name, join(config.pxelinuxDir, name), `the Debian package pxelinux (loaders.pxelinuxDir = ${config.pxelinuxDir})`);
  add('ldlinux.c32', join(config.syslinuxModulesDir, 'ldlinux.c32'), `the Debian package syslinux-common (loaders.syslinuxModulesDir = ${config.syslinuxModulesDir})`);
  const tree = config.installTreeDir;
  const treeNote = tree === undefined ? 'an imported installation tree (loaders.installTreeDir is not set)' : `the installation tree ${tree}`;
  add('shimx64.efi', join(tree ?? '/nonexistent-install-tree', 'EFI/BOOT/BOOTX64.EFI'), treeNote);
  add('grubx64.efi', join(tree ?? '/nonexistent-install-tree', 'EFI/BOOT/grubx64.efi'), treeNote);
  return specs;
}

/**
 * Looks at the disk: which loaders exist, and a message for each that does not. Available paths
 * are resolved (Debian's /usr/lib/ipxe/ipxe.efi is a symlink to /boot/ipxe.efi): the operator
 * chose these files, and TFTP then serves the real file from its own directory.
 */
export async function checkLoaders(specs: readonly LoaderSpec[]): Promise<LoaderCheck> {
  const available = new Map<LoaderName, string>();
  const problems: LoaderProblem[] = [];
  for (const spec of specs) {
    let why: string | undefined;
    try {
      const s = await stat(spec.path);
      if (!s.isFile()) why = 'is not a regular file';
      else if (s.size === 0) why = 'is empty';
    } catch (error) {
      why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if (why === undefined) available.set(spec.name, await realpath(spec.path));
    else problems.push({ loader: spec.name, path: spec.path, required: spec.required, message: `boot loader ${spec.name} is missing: ${spec.path} ${why}; it comes from ${spec.providedBy}` });
  }
  return { available, problems };
}

/**
 * The loaders as a TFTP `FileSource`: exactly the available names, each opened through a
 * `DirectorySource` on its own directory (same safety rules: regular files, no symlink escape).
 */
export class LoaderFiles implements FileSource {
  private readonly byName = new Map<string, { source: DirectorySource; file: string }>();

  constructor(available: ReadonlyMap<string, string>) {
    for (const [name, path] of available) this.byName.set(name, { source: new DirectorySource(dirname(path)), file: basename(path) });
  }

  async open(path: string, peer: Peer): Promise<OpenResult> {
    const entry = this.byName.get(path.replace(/^\/+/, ''));
    return entry === undefined ? { kind: 'missing' } : entry.source.open(entry.file, peer);
  }
}
