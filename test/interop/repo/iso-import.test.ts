/**
 * An ISO mastered with the real `xorriso -as mkisofs` from a test installation tree is imported
 * without mounting, becomes an InstallationTree served at /trees/<name>/ (Range, ETag), and the
 * real dnf installs from its BaseOS and AppStream repos with gpgcheck=1. A truncated ISO, a
 * non-ISO file and an ISO without .treeinfo are clear errors that leave the last tree in place;
 * a symlink leaving the tree is dropped and reported.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, lstat, readFile, readdir, readlink, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIso, readInstallationTree, type InstallationTree } from '../../../repo-sync/iso/import-iso.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { StrikerError } from '../../../striker/core/errors/index.js';
import { stopGpgAgents } from '../../support/rpm-build.js';
import { DnfClient } from '../../support/rpm-dnf.js';
import { buildFixturePackages, fixtureGroups, type FixturePackages } from '../../support/rpm-fixture-repos.js';
import { makeInstallTree, masterIso } from '../../support/rpm-iso-tree.js';
import { startRepoTestEnv, type RepoTestEnv } from './repo-test-env.js';

let env: RepoTestEnv;
let pkgs: FixturePackages;
let iso: string;
let tree: InstallationTree;
const dnfs: DnfClient[] = [];

beforeAll(async () => {
  env = await startRepoTestEnv('striker-repo-iso-');
  pkgs = await buildFixturePackages(env.scratch);
  const treeDir = join(env.scratch, 'tree');
  await makeInstallTree(treeDir, { baseOs: [pkgs.rpm['alpha']!, pkgs.rpm['beta']!], appStream: [pkgs.rpm['gamma']!, pkgs.rpm['epsilon']!], groups: fixtureGroups });
  iso = join(env.scratch, 'TestLinux-9.9-x86_64-dvd.iso');
  await masterIso(treeDir, iso);
  await writeFile(join(env.scratch, 'upstream-key.asc'), pkgs.key.publicKeyArmored);
});

afterAll(async () => {
  for (const d of dnfs) await d.stop();
  await stopGpgAgents(pkgs?.key.home ?? '/none');
  await env?.close();
});

const deps = () => ({ treesDir: env.paths.trees, scratchDir: env.paths.scratch, runner: runCommand, ctx: env.ctx() });

describe('importing an OS ISO as an installation tree', () => {
  it('extracts without mounting, verifies, and describes the tree', async () => {
    tree = await importIso(iso, deps());
    expect(tree).toMatchObject({
      kind: 'installation-tree', name: 'testlinux-9.9-x86_64', family: 'TestLinux', version: '9.9', arch: 'x86_64',
      kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', stage2: 'images/install.img',
      efiLoaders: ['EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/grub.cfg', 'EFI/BOOT/grubx64.efi'],
      repos: [{ id: 'AppStream', path: 'AppStream', packageCount: 2 }, { id: 'BaseOS', path: 'BaseOS', packageCount: 2 }], dropped: [],
    });
    expect(await readInstallationTree(env.paths.trees, tree.name)).toEqual(tree);
    expect([...new Set(env.progress.map((p) => p.phase))]).toEqual(['extract', 'verify', 'done']);
    const verified = env.progress.filter((p) => p.phase === 'verify').at(-1)!;
    expect(verified.filesDone).toBe(4);
  });

  it('serves the kernel with Range and ETag', async () => {
    const whole = await readFile(join(env.scratch, 'tree', 'images/pxeboot/vmlinuz'));
    const full = await fetch(`${env.mirrorUrl}/trees/${tree.name}/images/pxeboot/vmlinuz`);
    expect(full.status).toBe(200);
    expect(full.headers.get('etag')).toBeTruthy();
    expect(Buffer.from(await full.arrayBuffer()).equals(whole)).toBe(true);
    const part = await fetch(`${env.mirrorUrl}/trees/${tree.name}/images/pxeboot/vmlinuz`, { headers: { range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(1000, 2000))).toBe(true);
    const treeinfo = await fetch(`${env.mirrorUrl}/trees/${tree.name}/.treeinfo`);
    expect(await treeinfo.text()).toMatch(/\[variant-BaseOS\]/);
  });

  it('real dnf installs from the tree’s BaseOS and AppStream with gpgcheck=1, and installs its comps group', async () => {
    const base = `${env.mirrorUrl}/trees/${tree.name}`;
    const key = [`file://${join(env.scratch, 'upstream-key.asc')}`];
    const dnf = new DnfClient(join(env.scratch, 'dnf-iso'), [{ id: 'baseos', baseurl: `${base}/BaseOS/`, gpgKeys: key }, { id: 'appstream', baseurl: `${base}/AppStream/`, gpgKeys: key }]);
    dnfs.push(dnf);
    const r = await dnf.run('install', 'gamma');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await dnf.installed()).toEqual(['alpha-1.0', 'beta-1.0', 'gamma-2.1']);
    const g = await dnf.run('group', 'install', 'striker-tools');
    expect(g.exitCode, g.stdout + g.stderr).toBe(0);
    expect(await dnf.installed()).toContain('epsilon-3.0');
  });

  async function expectImportRefused(path: string, message: RegExp): Promise<void> {
    const before = await readlink(join(env.paths.trees, tree.name));
    const error = await importIso(path, { ...deps(), name: tree.name }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StrikerError);
    expect((error as StrikerError).code).toBe('REPO_FETCH_FAILED');
    expect((error as Error).message).toMatch(message);
    expect(await readlink(join(env.paths.trees, tree.name))).toBe(before);
    const served = await fetch(`${env.mirrorUrl}/trees/${tree.name}/.treeinfo`);
    expect(served.status).toBe(200);
  }

  it('a truncated ISO is a clear error and the last tree keeps serving', async () => {
    const cut = join(env.scratch, 'truncated.iso');
    await copyFile(iso, cut);
    await truncate(cut, Math.floor((await stat(iso)).size * 0.6));
    await expectImportRefused(cut, /cannot read ISO .*truncated\.iso \(truncated or damaged\?\): .*Cannot read all bytes|cannot read ISO .*truncated\.iso \(truncated or damaged\?\)/);
  });

  it('a file that is not an ISO is a clear error', async () => {
    const junk = join(env.scratch, 'junk.iso');
    await writeFile(junk, randomBytes(100_000));
    await expectImportRefused(junk, /junk\.iso (is not an ISO 9660 image|is not an installation ISO)/);
  });

  it('an ISO without .treeinfo is not an installation ISO', async () => {
    const plain = join(env.scratch, 'plain.iso');
    await masterIso(join(env.scratch, 'tree', 'EFI'), plain, 'PLAIN');
    await expectImportRefused(plain, /plain\.iso is not an installation ISO: it has no \.treeinfo/);
  });

  it('an ISO with a symlink leaving the tree is imported without it, and the tree says it was dropped', async () => {
    const evilTree = join(env.scratch, 'evil-tree');
    await runCommand(['cp', '-a', join(env.scratch, 'tree'), evilTree], { timeoutMs: 30_000 });
    await symlink('/etc/passwd', join(evilTree, 'BaseOS', 'Packages', 'passwd.rpm'));
    const evil = join(env.scratch, 'evil.iso');
    await masterIso(evilTree, evil);
    const imported = await importIso(evil, { ...deps(), name: 'evil' });
    expect(imported.dropped).toEqual([{ path: 'BaseOS/Packages/passwd.rpm', kind: 'symlink', reason: 'it resolves to /etc/passwd, outside the tree', target: '/etc/passwd' }]);
    await expect(lstat(join(env.paths.trees, 'evil', 'BaseOS', 'Packages', 'passwd.rpm'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fetch(`${env.mirrorUrl}/trees/evil/BaseOS/Packages/passwd.rpm`)).status).toBe(404);
  });

  it('two imports of one tree at once: one publishes, the other is refused with CONFLICT, the tree stays whole', async () => {
    const results = await Promise.allSettled([importIso(iso, { ...deps(), name: 'twice' }), importIso(iso, { ...deps(), name: 'twice' })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0]!.reason as StrikerError).code).toBe('CONFLICT');
    expect((lost[0]!.reason as Error).message).toMatch(/installation tree twice is already being imported by process \d+/);
    const twice = await readInstallationTree(env.paths.trees, 'twice');
    expect(twice?.repos.map((r) => r.packageCount)).toEqual([2, 2]);
    expect(await stat(join(env.paths.trees, 'twice', twice!.kernel)).then((s) => s.isFile())).toBe(true);
    // Nothing half-built is left behind, and the lock is gone: a third import goes through.
    expect((await readdir(join(env.paths.trees, '.snapshots'))).filter((n) => n.startsWith('.building-'))).toEqual([]);
    expect((await importIso(iso, { ...deps(), name: 'twice' })).name).toBe('twice');
  });

  it('a missing ISO path is a clear error', async () => {
    await expectImportRefused(join(env.scratch, 'nope.iso'), /nope\.iso does not exist/);
  });
});
