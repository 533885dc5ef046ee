/**
 * The hostile-media corpus (test/support/hostile-media.ts) through the real intake: an ISO
 * mastered with xorriso and imported with xorriso, and a createrepo_c repo directory mirrored as
 * a directory source. What the serving rule refuses is dropped and reported, everything else is
 * kept, nothing in the served trees is a link leaving them or a FIFO/device/socket, and no run —
 * successful, failed or killed earlier — leaves a scratch directory behind.
 */
import { spawnSync } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIso } from '../../../repo-sync/iso/import-iso.js';
import { repoConfigSchema } from '../../../repo-sync/config.js';
import { repoPaths } from '../../../repo-sync/repo-paths.js';
import { syncRepo } from '../../../repo-sync/sync-repo.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { StrikerError } from '../../../striker/core/errors/index.js';
import { makeHostileIso, makeHostileRepoDir, unsafeEntries, type HostileIso, type HostileRepoDir } from '../../support/hostile-media.js';
import { startRepoTestEnv, type RepoTestEnv } from './repo-test-env.js';

let env: RepoTestEnv;
let iso: HostileIso;
let repo: HostileRepoDir;
/** A pid that no longer exists: what a run killed with SIGKILL leaves in its directories' names. */
let deadPid: number;

beforeAll(async () => {
  env = await startRepoTestEnv('striker-hostile-intake-');
  [iso, repo] = await Promise.all([makeHostileIso(join(env.scratch, 'iso')), makeHostileRepoDir(join(env.scratch, 'repo'))]);
  deadPid = spawnSync(process.execPath, ['-e', '']).pid;
});
afterAll(async () => { await env?.close(); });

const deps = () => ({ treesDir: env.paths.trees, scratchDir: env.paths.scratch, runner: runCommand, ctx: env.ctx() });
const leftovers = async () => ({
  scratch: await readdir(env.paths.scratch).catch(() => []),
  building: (await readdir(join(env.paths.trees, '.snapshots')).catch(() => [] as string[])).filter((n) => n.startsWith('.building-')),
});

describe('importing the hostile ISO', () => {
  it('the ISO holds every hostile entry (read back with xorriso)', () => {
    expect(Object.fromEntries([...iso.listing].filter(([p]) => iso.dropped.includes(p)))).toEqual({
      'hostile/abs-secret': 'l', 'hostile/dangling': 'l', 'hostile/e': 'l', 'hostile/etc-dir': 'l', 'hostile/fifo': 'p', 'hostile/fifo.xml': 'p', 'hostile/loop-a': 'l', 'hostile/loop-b': 'l',
      'hostile/loop-dev': 'b', 'hostile/null': 'c', 'hostile/rel-secret': 'l', 'hostile/sock': 's', 'hostile/sub/rel-secret.rpm': 'l', 'hostile/to-fifo': 'l',
    });
  });

  it('keeps the good files, drops exactly the hostile entries xorriso extracted, reports them, and sweeps a killed import', async () => {
    await mkdir(join(env.paths.scratch, `iso-pid${deadPid}-abc123`, 'gpg'), { recursive: true });
    await mkdir(join(env.paths.trees, '.snapshots', `.building-pid${deadPid}-20260101T000000Z-abcdef`, 'BaseOS'), { recursive: true });
    const tree = await importIso(iso.iso, { ...deps(), name: 'hostile' });
    const extracted = iso.dropped.filter((p) => !iso.notExtracted.includes(p));
    expect(tree.dropped?.map((d) => d.path)).toEqual(extracted);
    const by = new Map(tree.dropped!.map((d) => [d.path, d]));
    expect(by.get('hostile/e')).toMatchObject({ kind: 'symlink', reason: 'it resolves to /, outside the tree' });
    expect(by.get('hostile/abs-secret')).toMatchObject({ kind: 'symlink', reason: `it resolves to ${iso.secretFile}, outside the tree`, target: iso.secretFile });
    expect(by.get('hostile/rel-secret')).toMatchObject({ kind: 'symlink', reason: `it resolves to ${iso.secretFile}, outside the tree` });
    expect(by.get('hostile/fifo')).toMatchObject({ kind: 'fifo' });
    expect(by.get('hostile/to-fifo')).toMatchObject({ kind: 'symlink', reason: 'it names a FIFO' });

    const root = join(env.paths.trees, 'hostile');
    expect(await unsafeEntries(root)).toEqual([]);
    for (const p of [...iso.kept, tree.kernel, tree.initrd, 'BaseOS/Packages/alpha-1.0-1.noarch.rpm', 'AppStream/Packages/beta-1.0-1.noarch.rpm']) {
      await expect(lstat(join(root, p)), p).resolves.toBeTruthy();
    }
    for (const p of iso.dropped) await expect(lstat(join(root, p)), p).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await lstat(join(root, 'hostile', 'huge.bin'))).size).toBe(200 * 1024 * 1024);
    expect(tree.repos.map((r) => r.packageCount)).toEqual([1, 1]);
    expect(await leftovers()).toEqual({ scratch: [], building: [] });

    for (const path of ['hostile/e/etc/passwd', 'hostile/abs-secret', 'hostile/rel-secret', 'hostile/fifo', 'hostile/to-fifo']) {
      const res = await fetch(`${env.mirrorUrl}/trees/hostile/${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain(iso.secretText.trim());
    }
  });

  it('a failed import leaves no scratch behind, before and after extraction', async () => {
    await writeFile(join(env.scratch, 'junk.iso'), 'not an iso');
    await expect(importIso(join(env.scratch, 'junk.iso'), deps())).rejects.toThrow(/junk\.iso (is not an ISO 9660 image|is not an installation ISO)/);
    expect(await leftovers()).toEqual({ scratch: [], building: [] });
    const error = await importIso(iso.iso, { ...deps(), name: 'bounded', maxEntries: 10 }).then(() => undefined, (e: unknown) => e);
    expect((error as StrikerError).code).toBe('REPO_VERIFY_FAILED');
    expect((error as Error).message).toMatch(/hostile\.iso holds more than 10 files, directories and links; refusing to walk further/);
    expect(await leftovers()).toEqual({ scratch: [], building: [] });
  });
});

describe('mirroring the hostile repo directory', () => {
  const config = (name: string, path: string) => repoConfigSchema.parse({ name, source: { kind: 'directory', path } });
  const withoutHostile = (src: string) => src !== join(repo.repoDir, 'hostile') && !src.startsWith(join(repo.repoDir, 'hostile') + '/');

  it('publishes the package and nothing hostile, and sweeps a killed sync', async () => {
    await mkdir(join(env.paths.scratch, `sync-hostile-repo-pid${deadPid}-abc123`), { recursive: true });
    const r = await syncRepo(config('hostile-repo', repo.repoDir), { paths: env.paths, runner: runCommand, ctx: env.ctx() });
    expect(r).toMatchObject({ packageCount: 1, dropped: [] });
    const current = join(env.paths.published, 'hostile-repo', 'current');
    expect(await unsafeEntries(current)).toEqual([]);
    expect((await readdir(current)).sort()).toEqual(['Packages', 'repodata']);
    expect((await readFile(join(current, repo.packageHref))).equals(await readFile(join(repo.repoDir, repo.packageHref)))).toBe(true);
    expect(await leftovers()).toMatchObject({ scratch: [] });
  });

  it('a repomd.xml that is a FIFO is refused at once (the sync never blocks on it)', async () => {
    const dir = join(env.scratch, 'fifo-repo');
    await cp(repo.repoDir, dir, { recursive: true, filter: withoutHostile });
    await rm(join(dir, 'repodata', 'repomd.xml'));
    await runCommand(['mkfifo', join(dir, 'repodata', 'repomd.xml')], { timeoutMs: 10_000 });
    const error = await syncRepo(config('fifo-repo', dir), { paths: env.paths, runner: runCommand, ctx: env.ctx() }).then(() => undefined, (e: unknown) => e);
    expect((error as StrikerError).code).toBe('REPO_VERIFY_FAILED');
    expect((error as Error).message).toMatch(/repodata\/repomd\.xml under .*fifo-repo: not a regular file: FIFO; refusing to read it/);
    expect(await leftovers()).toMatchObject({ scratch: [] });
  });

  it('a listed package that is a link leaving the directory is refused, not copied', async () => {
    const dir = join(env.scratch, 'link-repo');
    await cp(repo.repoDir, dir, { recursive: true, filter: withoutHostile });
    const outside = join(env.scratch, 'outside-package.rpm');
    await cp(join(dir, repo.packageHref), outside);
    await rm(join(dir, repo.packageHref));
    await symlink(outside, join(dir, repo.packageHref));
    // A store of its own: in the shared one the package is already present (same checksum) and never read again.
    const paths = repoPaths(join(env.scratch, 'data-link-repo'));
    const error = await syncRepo(config('link-repo', dir), { paths, runner: runCommand, ctx: env.ctx() }).then(() => undefined, (e: unknown) => e);
    expect((error as StrikerError).code).toBe('REPO_VERIFY_FAILED');
    expect((error as Error).message).toMatch(/gamma-2\.1-1\.noarch\.rpm under .*link-repo: leaves the tree \(resolves to .*outside-package\.rpm\); refusing to read it/);
  });
});
