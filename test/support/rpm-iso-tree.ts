/**
 * Test helper: lays out a RHEL/Alma-style installation tree (.treeinfo, images/pxeboot kernel and
 * initrd, images/install.img stage2, EFI/BOOT loaders, an RPM-GPG-KEY file, BaseOS and AppStream repos) and masters it
 * into an ISO with the real `xorriso -as mkisofs` (Rock Ridge + Joliet).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../striker/core/command/run-command.js';
import { makeUpstreamRepo, type CompsGroup } from './rpm-build.js';

export interface IsoTreeInput {
  baseOs: string[];
  appStream: string[];
  groups?: readonly CompsGroup[];
  family?: string;
  version?: string;
}

export async function makeInstallTree(dir: string, input: IsoTreeInput): Promise<void> {
  const files: Record<string, Buffer> = {
    'images/pxeboot/vmlinuz': randomBytes(300_000),
    'images/pxeboot/initrd.img': randomBytes(1_200_000),
    'images/install.img': randomBytes(600_000),
    'EFI/BOOT/BOOTX64.EFI': randomBytes(20_000),
    'EFI/BOOT/grubx64.efi': randomBytes(20_000),
    'EFI/BOOT/grub.cfg': Buffer.from('set timeout=5\n'),
    // Distribution media carry the key their packages are signed with at the root.
    'RPM-GPG-KEY-TestLinux-9': Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\n'),
  };
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  await makeUpstreamRepo(join(dir, 'BaseOS'), input.baseOs, input.groups ? { groups: input.groups } : {});
  await makeUpstreamRepo(join(dir, 'AppStream'), input.appStream);
  const sha = (p: string) => createHash('sha256').update(files[p]!).digest('hex');
  const treeinfo = `[header]
type = productmd.treeinfo
version = 1.2

[release]
name = ${input.family ?? 'TestLinux'}
short = TL
version = ${input.version ?? '9.9'}

[general]
family = ${input.family ?? 'TestLinux'}
version = ${input.version ?? '9.9'}
arch = x86_64
packagedir = AppStream/Packages
repository = AppStream

[tree]
arch = x86_64
build_timestamp = 1700000000
platforms = x86_64,xen
variants = AppStream,BaseOS

[images-x86_64]
kernel = images/pxeboot/vmlinuz
initrd = images/pxeboot/initrd.img

[stage2]
mainimage = images/install.img

[variant-AppStream]
id = AppStream
name = AppStream
packages = AppStream/Packages
repository = AppStream
type = variant
uid = AppStream

[variant-BaseOS]
id = BaseOS
name = BaseOS
packages = BaseOS/Packages
repository = BaseOS
type = variant
uid = BaseOS

[checksums]
images/install.img = sha256:${sha('images/install.img')}
images/pxeboot/initrd.img = sha256:${sha('images/pxeboot/initrd.img')}
images/pxeboot/vmlinuz = sha256:${sha('images/pxeboot/vmlinuz')}
`;
  await writeFile(join(dir, '.treeinfo'), treeinfo);
}

export async function masterIso(treeDir: string, isoPath: string, volumeId = 'TestLinux-9-9-x86_64-dvd'): Promise<void> {
  await runCommand(['xorriso', '-as', 'mkisofs', '-quiet', '-R', '-J', '-V', volumeId, '-o', isoPath, treeDir], { timeoutMs: 120_000 });
}
