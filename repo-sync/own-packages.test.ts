import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../striker/core/command/run-command.js';
import { buildRpms } from '../test/support/rpm-build.js';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database.js';
import { findOwnPackages, ownRepoConfig, ownStagingDir, publishOwnPackages, publishOwnRepo, readOwnPackages } from './own-packages.js';
import { getRepo, syncConfiguredRepos } from './repo-store.js';
import { repoPaths, type RepoPaths } from './repo-paths.js';
import { currentSnapshotId } from './snapshot-layout.js';
import { GpgRepoSigner } from './verify/repo-signer.js';

const logger = pino({ level: 'silent' });
const ctx = { signal: new AbortController().signal, progress: () => {}, logger };

describe('Striker\'s own packages as the signed striker repo', () => {
  let dir: string;
  let rpmDir: string;
  let paths: RepoPaths;
  let signer: GpgRepoSigner;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'own-packages-'));
    const [agent, other] = await buildRpms(join(dir, 'build'), [{ name: 'striker-agent', version: '0.1.0' }, { name: 'striker-extra', version: '2.0' }]);
    rpmDir = join(dir, 'rpms');
    await mkdir(rpmDir);
    await copyFile(agent!, join(rpmDir, 'striker-agent-0.1.0-1.noarch.rpm'));
    await copyFile(other!, join(rpmDir, 'striker-extra-2.0-1.noarch.rpm'));
    await writeFile(join(rpmDir, 'notes.txt'), 'not a package');
    paths = repoPaths(join(dir, 'data'));
    signer = new GpgRepoSigner(paths.gnupg, runCommand);
  }, 180_000);

  afterAll(async () => {
    await runCommand(['gpgconf', '--homedir', paths.gnupg, '--kill', 'gpg-agent'], { timeoutMs: 10_000 }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the packages by their headers and finds the agent among them', async () => {
    const found = await findOwnPackages(rpmDir, 'repos.ownPackagesDir', runCommand, logger);
    expect(found.status).toBe('found');
    expect(found.packages.map((p) => p.nevra)).toEqual(['striker-agent-0.1.0-1.noarch', 'striker-extra-2.0-1.noarch']);
  });

  it('says which directory and setting lack the agent, for a missing directory and one without it', async () => {
    const absent = await findOwnPackages(join(dir, 'nowhere'), 'repos.ownPackagesDir', runCommand, logger);
    expect(absent.status).toBe('missing');
    expect(absent.message).toContain(`no striker-agent RPM in ${join(dir, 'nowhere')} (repos.ownPackagesDir)`);
    const withoutAgent = join(dir, 'without-agent');
    await mkdir(withoutAgent);
    await copyFile(join(rpmDir, 'striker-extra-2.0-1.noarch.rpm'), join(withoutAgent, 'striker-extra-2.0-1.noarch.rpm'));
    const other = await findOwnPackages(withoutAgent, 'repos.ownPackagesDir', runCommand, logger);
    expect(other).toMatchObject({ status: 'missing', packages: [{ name: 'striker-extra' }] });
    await expect(publishOwnPackages(withoutAgent, other.packages, { paths, runner: runCommand, signer, ctx })).rejects.toThrow(/no striker-agent package/);
  });

  it('publishes the packages signed by Striker\'s key, with a signed repomd, and keeps the snapshot when nothing changed', async () => {
    const packages = await readOwnPackages(rpmDir, runCommand);
    const first = await publishOwnPackages(rpmDir, packages, { paths, runner: runCommand, signer, ctx });
    expect(first.sync.unchanged).toBe(false);
    expect(first.sync.packageCount).toBe(2);
    const current = join(paths.published, 'striker', 'current');
    expect(await currentSnapshotId(join(paths.published, 'striker'))).toBe(first.sync.snapshotId);
    const published = (await readdir(join(current, 'Packages'))).sort();
    expect(published).toEqual(['striker-agent-0.1.0-1.noarch.rpm', 'striker-extra-2.0-1.noarch.rpm']);

    // The package verifies against Striker's public key only: rpmkeys in an empty keyring refuses it.
    const keyring = join(dir, 'keyring');
    await mkdir(keyring);
    const rpm = join(current, 'Packages', 'striker-agent-0.1.0-1.noarch.rpm');
    const before = await runCommand(['rpmkeys', '--root', keyring, '--checksig', rpm], { timeoutMs: 30_000, okExitCodes: [0, 1] });
    expect(before.exitCode).toBe(1);
    await writeFile(join(dir, 'striker.asc'), await signer.publicKeyArmored());
    await runCommand(['rpmkeys', '--root', keyring, '--import', join(dir, 'striker.asc')], { timeoutMs: 30_000 });
    const after = await runCommand(['rpmkeys', '--root', keyring, '--checksig', rpm], { timeoutMs: 30_000, okExitCodes: [0, 1] });
    expect(after.stdout).toMatch(/signatures OK|digests signatures OK/);
    expect(after.exitCode).toBe(0);
    // The source directory keeps its unsigned files.
    const source = await runCommand(['rpm', '-qp', '--qf', '%{SIGPGP:pgpsig}%{RSAHEADER:pgpsig}', join(rpmDir, 'striker-agent-0.1.0-1.noarch.rpm')], { timeoutMs: 30_000 });
    expect(source.stdout).toBe('(none)(none)');

    const gpgHome = join(dir, 'verify-gpg');
    await mkdir(gpgHome, { mode: 0o700 });
    await runCommand(['gpg', '--homedir', gpgHome, '--batch', '--import', join(dir, 'striker.asc')], { timeoutMs: 30_000 });
    const verify = await runCommand(['gpg', '--homedir', gpgHome, '--batch', '--verify', join(current, 'repodata', 'repomd.xml.asc'), join(current, 'repodata', 'repomd.xml')], { timeoutMs: 30_000, okExitCodes: [0, 1] });
    await runCommand(['gpgconf', '--homedir', gpgHome, '--kill', 'gpg-agent'], { timeoutMs: 10_000 }).catch(() => {});
    expect(verify.exitCode).toBe(0);

    const stamp = await readFile(join(ownStagingDir(paths), 'stamp.json'), 'utf8');
    const second = await publishOwnPackages(rpmDir, packages, { paths, runner: runCommand, signer, ctx });
    expect(second.sync).toMatchObject({ unchanged: true, snapshotId: first.sync.snapshotId });
    expect(await readFile(join(ownStagingDir(paths), 'stamp.json'), 'utf8')).toBe(stamp);
  }, 180_000);

  it('records the publication on the striker repo row, and a failed one as its last error while the snapshot keeps serving', async () => {
    const t: TestDatabase = await createTestDatabase();
    try {
      await t.db.tx((q) => syncConfiguredRepos(q, [ownRepoConfig(paths)]));
      const found = await findOwnPackages(rpmDir, 'repos.ownPackagesDir', runCommand, logger);
      const published = await publishOwnRepo(found, { db: t.db, paths, runner: runCommand, logger });
      expect(published.status).toBe('published');
      const row = await getRepo(t.db, 'striker');
      expect(row.lastSyncedAt).not.toBeNull();
      expect(row).toMatchObject({ fromConfig: true, lastError: null, lastResult: { snapshotId: published.snapshotId, packageCount: 2 } });

      // The package it found is gone by the time it publishes: an error on the row, the snapshot stays.
      const vanished = join(dir, 'vanished');
      await mkdir(vanished);
      await copyFile(join(rpmDir, 'striker-agent-0.1.0-1.noarch.rpm'), join(vanished, 'striker-agent-0.1.0-1.noarch.rpm'));
      const doomed = await findOwnPackages(vanished, 'repos.ownPackagesDir', runCommand, logger);
      await rm(vanished, { recursive: true });
      const failed = await publishOwnRepo(doomed, { db: t.db, paths, runner: runCommand, logger });
      expect(failed.status).toBe('failed');
      expect(failed.message).toContain(`publishing Striker's own packages from ${vanished} failed`);
      expect((await getRepo(t.db, 'striker')).lastError).toBe(failed.message);
      expect(await currentSnapshotId(join(paths.published, 'striker'))).toBe(published.snapshotId);
    } finally {
      await t.drop();
    }
  }, 180_000);
});
