/**
 * Test helper: OS media a QEMU machine can really install from, for the newcomer journey. The
 * installation tree (rpm-iso-tree.ts) gets Debian's kernel and the busybox initrd that plays the
 * installer (qemu-pxe.ts: it prints `STK-PXE-MARKER boot`, fetches its kickstart from `inst.ks=`
 * and prints `STK-PXE-MARKER installed`) in place of random bytes, with the `.treeinfo` checksums
 * to match; its BaseOS holds a tiny RPM (rpmbuild) for every package the node role's %packages
 * names, with the `core` group, so the machine's kickstart passes its pre-boot check. Mastered into
 * an ISO with xorriso. A second, small repo (`extraRepo`) is for the journey's repo sync.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagesByRole } from '../../kickstart/role-packages.js';
import { buildRpms, makeUpstreamRepo } from './rpm-build.js';
import { makeInstallTree, masterIso } from './rpm-iso-tree.js';
import { buildInitrd, debianKernel } from './qemu-pxe.js';

export interface JourneyMedia {
  /** The ISO a newcomer uploads. */
  iso: string;
  /** Bytes of the tree's kernel and initrd, as the boot timeline records them. */
  kernelBytes: number;
  initrdBytes: number;
  /** A createrepo_c repo (Packages/ + repodata/) to serve over HTTP and sync. */
  extraRepo: string;
}

const TREE_KERNEL = 'images/pxeboot/vmlinuz';
const TREE_INITRD = 'images/pxeboot/initrd.img';

/** Replaces a file of the tree and its sha256 in `.treeinfo`'s [checksums]. */
function replaceTreeFile(tree: string, path: string, from: string): void {
  copyFileSync(from, join(tree, path));
  const sha = createHash('sha256').update(readFileSync(from)).digest('hex');
  const treeinfo = join(tree, '.treeinfo');
  const before = readFileSync(treeinfo, 'utf8');
  const line = new RegExp(`^${path.replaceAll('.', '\\.')} = sha256:[0-9a-f]{64}$`, 'm');
  if (!line.test(before)) throw new Error(`.treeinfo has no checksum line for ${path}`);
  writeFileSync(treeinfo, before.replace(line, `${path} = sha256:${sha}`));
}

/** Builds everything under `dir` (the kernel comes from apt's cache, see qemu-pxe.ts). */
export async function makeJourneyMedia(dir: string, family = 'TestLinux', version = '9.9'): Promise<JourneyMedia> {
  const names = [...new Set(packagesByRole.node.filter((n) => !n.startsWith('@'))), 'basesystem'];
  const build = join(dir, 'rpm-build');
  mkdirSync(build, { recursive: true });
  const rpms = await buildRpms(build, [...names.map((name) => ({ name, version: '1.0' })), { name: 'site-tools', version: '1.0' }, { name: 'site-docs', version: '2.0', requires: ['site-tools'] }]);
  const tree = join(dir, 'media-tree');
  await makeInstallTree(tree, { baseOs: rpms.slice(0, names.length), appStream: [], groups: [{ id: 'core', name: 'Core', packages: ['basesystem'] }], family, version });
  const kernel = debianKernel();
  const initrd = buildInitrd(join(dir, 'initrd.img'), kernel.modules);
  replaceTreeFile(tree, TREE_KERNEL, kernel.vmlinuz);
  replaceTreeFile(tree, TREE_INITRD, initrd);
  const iso = join(dir, `${family}-${version}-x86_64-dvd.iso`);
  await masterIso(tree, iso);
  const extraRepo = join(dir, 'site-repo');
  await makeUpstreamRepo(extraRepo, rpms.slice(names.length));
  return { iso, kernelBytes: statSync(kernel.vmlinuz).size, initrdBytes: statSync(initrd).size, extraRepo };
}
