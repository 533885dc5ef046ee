/**
 * The OS media the rack bench imports into Striker so that its machines' kickstarts can be built
 * and pass their pre-boot check: an installation tree (test/support/rpm-iso-tree.ts) whose BaseOS
 * holds a tiny RPM (rpmbuild) for every package the node role's %packages names, with the `core`
 * group, mastered into an ISO with xorriso. The operator imports that ISO with `striker repo import`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packagesByRole } from '../../../kickstart/role-packages.js';
import { buildRpms } from '../../support/rpm-build.js';
import { makeInstallTree, masterIso } from '../../support/rpm-iso-tree.js';

/** Builds the ISO under `dir`; returns its path. */
export async function makeKickstartMedia(dir: string): Promise<string> {
  const names = [...new Set(packagesByRole.node.filter((n) => !n.startsWith('@'))), 'basesystem'];
  const build = join(dir, 'rpm-build');
  mkdirSync(build, { recursive: true });
  const rpms = await buildRpms(build, names.map((name) => ({ name, version: '1.0' })));
  const tree = join(dir, 'media-tree');
  await makeInstallTree(tree, { baseOs: rpms, appStream: [], groups: [{ id: 'core', name: 'Core', packages: ['basesystem'] }] });
  const iso = join(dir, 'rack-os.iso');
  await masterIso(tree, iso);
  return iso;
}
