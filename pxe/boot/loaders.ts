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
 * | ipxe-arm64.efi  | ARM64 UEFI PXE → iPXE                 | loaders.ipxeDir (Debian 12's `ipxe` has none) |
 * | shimx64.efi     | UEFI Secure Boot: signed shim         | installation tree EFI/BOOT/BOOTX64.EFI       |
 * | grubx64.efi     | UEFI Secure Boot: grub signed by the distribution | installation tree EFI/BOOT/grubx64.efi |
 * | shimaa64.efi    | ARM64 UEFI: signed shim               | aarch64 installation tree EFI/BOOT/BOOTAA64.EFI |
 * | grubaa64.efi    | ARM64 UEFI: grub signed by the distribution | aarch64 installation tree EFI/BOOT/grubaa64.efi |
 *
 * The shim → GRUB chain is the one Secure Boot accepts: the firmware checks the shim against the
 * Microsoft UEFI CA, the shim checks GRUB (and GRUB the kernel) against the distribution's key.
 * The shim fetches `grubx64.efi` (`grubaa64.efi`) from the directory it was loaded from, so both
 * are served under those names at the TFTP root and under /boot/loaders/.
 *
 * `planLoaders` is pure (config → where each loader should be); `checkLoaders` looks at the disk
 * and names every loader that is missing, with the package or tree that provides it, so a
 * missing loader is an error on the Machines page rather than a machine timing out at TFTP.
 * `uefiLoaders` picks what UEFI PXE firmware gets first: the tree's shim or iPXE.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { FileSource, OpenResult, Peer } from '../tftp/file-source.js';
import { DirectorySource } from '../tftp/directory-source.js';

export const loaderNames = [
  'undionly.kpxe', 'ipxe.efi', 'snponly.efi', 'ipxe-arm64.efi', 'pxelinux.0', 'lpxelinux.0', 'ldlinux.c32',
  'shimx64.efi', 'grubx64.efi', 'shimaa64.efi', 'grubaa64.efi',
] as const;
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
  /** An imported aarch64 installation tree on disk: its signed shim and grub, for ARM64 UEFI machines. */
  arm64InstallTreeDir: z.string().min(1).optional(),
  /**
   * What UEFI PXE firmware gets first when `dhcp.boot` leaves `uefi-x64` / `uefi-arm64` at their
   * defaults: `shim` (the tree's signed shim → GRUB chain, the one Secure Boot accepts; required
   * for x64), `ipxe` (ipxe.efi / ipxe-arm64.efi, which Secure Boot refuses: they are unsigned), or
   * `auto`: the shim chain of an architecture when its tree has both files, else iPXE.
   */
  uefiChain: z.enum(['auto', 'shim', 'ipxe']).default('auto'),
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
  /** In plain words, for the page: what is missing and what the operator does about it (no paths). */
  remedy: string;
  required: boolean;
}

export interface LoaderProblem {
  loader: LoaderName;
  path: string;
  required: boolean;
  message: string;
  /** What is missing and what to do, in plain words; `path` and `message` are the detail. */
  remedy: string;
}

export interface LoaderCheck {
  /** Loaders present on disk, name → path. */
  available: Map<LoaderName, string>;
  problems: LoaderProblem[];
}

export function planLoaders(config: LoadersConfig): LoaderSpec[] {
  const required = new Set<LoaderName>(config.required);
  if (config.uefiChain === 'shim') for (const name of uefiChains.x64) required.add(name);
  const specs: LoaderSpec[] = [];
  const add = (name: LoaderName, path: string, providedBy: string, remedy: string): void => {
    specs.push({ name, path, providedBy, remedy, required: required.has(name) });
  };
  const pkg = (name: string, what: string) => `${what} come from the Debian package ${name}: install it on this Striker (apt install ${name}).`;
  for (const name of ['undionly.kpxe', 'ipxe.efi', 'snponly.efi'] as const) add(name, join(config.ipxeDir, name), `the Debian package ipxe (loaders.ipxeDir = ${config.ipxeDir})`, pkg('ipxe', 'The iPXE loaders'));
  for (const name of ['pxelinux.0', 'lpxelinux.0'] as const) add(name, join(config.pxelinuxDir, name), `the Debian package pxelinux (loaders.pxelinuxDir = ${config.pxelinuxDir})`, pkg('pxelinux', 'The PXELINUX loaders (for older BIOS machines)'));
  add('ipxe-arm64.efi', join(config.ipxeDir, 'ipxe-arm64.efi'), `an iPXE build for ARM64 placed in loaders.ipxeDir = ${config.ipxeDir}`,
    'iPXE for ARM64 machines is not part of the ipxe package: only needed to boot ARM64 machines without Secure Boot; place an ARM64 iPXE build beside the other iPXE loaders.');
  add('ldlinux.c32', join(config.syslinuxModulesDir, 'ldlinux.c32'), `the Debian package syslinux-common (loaders.syslinuxModulesDir = ${config.syslinuxModulesDir})`, pkg('syslinux-common', 'The PXELINUX modules'));
  const tree = config.installTreeDir;
  const treeNote = tree === undefined ? 'an imported installation tree (loaders.installTreeDir is not set)' : `the installation tree ${tree}`;
  const treeRemedy = (arch: string) => tree === undefined
    ? `The Secure Boot loaders for ${arch} UEFI machines (shim and GRUB) come from an installation tree, and none is in use yet: import ${arch} OS media on the Repos page.`
    : `The installation tree in use lacks its Secure Boot loaders (shim and GRUB) for ${arch}: import complete ${arch} OS media on the Repos page.`;
  add('shimx64.efi', join(tree ?? '/nonexistent-install-tree', 'EFI/BOOT/BOOTX64.EFI'), treeNote, treeRemedy('x86_64'));
  add('grubx64.efi', join(tree ?? '/nonexistent-install-tree', 'EFI/BOOT/grubx64.efi'), treeNote, treeRemedy('x86_64'));
  const arm64 = config.arm64InstallTreeDir;
  const arm64Note = arm64 === undefined ? 'an imported aarch64 installation tree (loaders.arm64InstallTreeDir is not set)' : `the aarch64 installation tree ${arm64}`;
  const arm64Remedy = arm64 === undefined
    ? 'The Secure Boot loaders for ARM64 (aarch64) UEFI machines come from an aarch64 installation tree, and none is in use: only needed for ARM64 machines; import aarch64 OS media on the Repos page.'
    : 'The aarch64 installation tree in use lacks its Secure Boot loaders (shim and GRUB): import complete aarch64 OS media on the Repos page.';
  add('shimaa64.efi', join(arm64 ?? '/nonexistent-install-tree', 'EFI/BOOT/BOOTAA64.EFI'), arm64Note, arm64Remedy);
  add('grubaa64.efi', join(arm64 ?? '/nonexistent-install-tree', 'EFI/BOOT/grubaa64.efi'), arm64Note, arm64Remedy);
  return specs;
}

/** The signed chain of each UEFI architecture: the shim the firmware loads, then the GRUB the shim loads. */
export const uefiChains = {
  x64: ['shimx64.efi', 'grubx64.efi'],
  arm64: ['shimaa64.efi', 'grubaa64.efi'],
} as const satisfies Record<string, readonly [LoaderName, LoaderName]>;

/** What UEFI PXE firmware of each architecture gets first (a TFTP file name), per `uefiChain`. Pure. */
export function uefiLoaders(chain: LoadersConfig['uefiChain'], available: ReadonlySet<string>): { x64: LoaderName; arm64: LoaderName } {
  const pick = (arch: keyof typeof uefiChains, ipxe: LoaderName): LoaderName => {
    const [shim, grub] = uefiChains[arch];
    if (chain === 'shim' || (chain === 'auto' && available.has(shim) && available.has(grub))) return shim;
    return ipxe;
  };
  return { x64: pick('x64', 'ipxe.efi'), arm64: pick('arm64', 'ipxe-arm64.efi') };
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
    else problems.push({ loader: spec.name, path: spec.path, required: spec.required, message: `boot loader ${spec.name} is missing: ${spec.path} ${why}; it comes from ${spec.providedBy}`, remedy: spec.remedy });
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
