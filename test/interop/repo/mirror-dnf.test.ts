/**
 * Striker mirrors a signed upstream repo (dependencies, a comps group, updateinfo, modules) from a
 * loopback HTTP server, publishes it, serves it with registerRepoRoutes, and the REAL dnf installs
 * from the mirror with gpgcheck=1 and repo_gpgcheck=1 (package key = upstream's, repomd key =
 * Striker's), resolves dependencies, installs a group; incremental syncs download only changes.
 */
import { readFile, writeFile, copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoConfigSchema, type RepoConfig } from '../../../repo-sync/config.js';
import { parseRepomd } from '../../../repo-sync/metadata/repomd.js';
import { readCurrentManifest } from '../../../repo-sync/snapshot-layout.js';
import { syncRepo } from '../../../repo-sync/sync-repo.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { makeUpstreamRepo, regenerateUpstream, stopGpgAgents } from '../../support/rpm-build.js';
import { DnfClient } from '../../support/rpm-dnf.js';
import { buildFixturePackages, fixtureGroups, modulesYaml, updateinfoXml, type FixturePackages } from '../../support/rpm-fixture-repos.js';
import { startUpstreamServer, type UpstreamServer } from '../../support/rpm-upstream-server.js';
import { startRepoTestEnv, type RepoTestEnv } from './repo-test-env.js';

let env: RepoTestEnv;
let pkgs: FixturePackages;
let upstream: UpstreamServer;
let upstreamDir: string;
let repo: RepoConfig;
const dnfs: DnfClient[] = [];
const upstreamOptions = () => ({
  groups: fixtureGroups, signWith: pkgs.key,
  extraMetadata: { updateinfo: { fileName: 'updateinfo.xml', content: updateinfoXml }, modules: { fileName: 'modules.yaml', content: modulesYaml } },
});

beforeAll(async () => {
  env = await startRepoTestEnv('striker-repo-dnf-');
  pkgs = await buildFixturePackages(env.scratch);
  upstreamDir = join(env.scratch, 'upstream');
  await makeUpstreamRepo(upstreamDir, ['alpha', 'beta', 'gamma', 'epsilon'].map((n) => pkgs.rpm[n]!), upstreamOptions());
  upstream = await startUpstreamServer(upstreamDir);
  repo = repoConfigSchema.parse({
    name: 'test-base', source: { kind: 'http', url: upstream.url }, gpgKey: pkgs.key.publicKeyArmored,
    requireRepoSignature: true, requirePackageSignatures: true, retain: { mode: 'keep', versions: 2 }, parallelism: 4,
  });
  await writeFile(join(env.scratch, 'upstream-key.asc'), pkgs.key.publicKeyArmored);
});

afterAll(async () => {
  for (const d of dnfs) await d.stop();
  await upstream?.close();
  await stopGpgAgents(pkgs?.key.home ?? '/nonexistent');
  await env?.close();
});

function dnfClient(name: string): DnfClient {
  const d = new DnfClient(join(env.scratch, name), [{
    id: 'striker', baseurl: `${env.mirrorUrl}/repos/test-base/`, repoGpgcheck: true,
    gpgKeys: [`file://${join(env.scratch, 'upstream-key.asc')}`, `${env.mirrorUrl}/repos/RPM-GPG-KEY-striker`],
  }]);
  dnfs.push(d);
  return d;
}

describe('mirroring a signed upstream repo for real dnf', () => {
  it('syncs: verifies repomd.xml.asc and every package signature, republishes upstream metadata as is', async () => {
    const result = await syncRepo(repo, { paths: env.paths, runner: runCommand, ctx: env.ctx(), signer: env.signer });
    expect(result).toMatchObject({ unchanged: false, packageCount: 4, downloaded: 4, alreadyPresent: 0, metadata: 'verbatim' });
    const published = await readFile(join(env.paths.published, 'test-base', 'current', 'repodata', 'repomd.xml'), 'utf8');
    expect(published).toBe(await readFile(join(upstreamDir, 'repodata', 'repomd.xml'), 'utf8'));
    const asc = await readFile(join(env.paths.published, 'test-base', 'current', 'repodata', 'repomd.xml.asc'), 'utf8');
    expect(asc).not.toBe(await readFile(join(upstreamDir, 'repodata', 'repomd.xml.asc'), 'utf8'));
    const repomd = parseRepomd(published);
    expect(repomd.records.map((r) => r.type)).toEqual(expect.arrayContaining(['primary', 'filelists', 'other', 'group', 'modules', 'updateinfo']));
    const phases = new Set(env.progress.map((p) => p.phase));
    expect([...phases]).toEqual(expect.arrayContaining(['metadata', 'download', 'verify', 'publish', 'done']));
    const last = env.progress.filter((p) => p.phase === 'download').at(-1)!;
    expect(last.filesDone).toBe(4);
    expect(last.bytesDone).toBe(last.bytesTotal);
    // The upstream's key is kept beside the snapshots for hosts' gpgcheck (/repos/<name>/RPM-GPG-KEY-upstream).
    expect(await readFile(join(env.paths.published, 'test-base', 'RPM-GPG-KEY-upstream'), 'utf8')).toBe(pkgs.key.publicKeyArmored);
  });

  it('real dnf with gpgcheck=1 and repo_gpgcheck=1 resolves dependencies and installs from the mirror', async () => {
    const dnf = dnfClient('dnf-install');
    const r = await dnf.run('install', 'gamma');
    expect(r.stderr + r.stdout).not.toMatch(/error|failed/i);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await dnf.installed()).toEqual(['alpha-1.0', 'beta-1.0', 'gamma-2.1']);
  });

  it('real dnf installs a comps group from the mirror', async () => {
    const dnf = dnfClient('dnf-group');
    const r = await dnf.run('group', 'install', 'striker-tools');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await dnf.installed()).toEqual(['alpha-1.0', 'beta-1.0', 'epsilon-3.0', 'gamma-2.1']);
  });

  it('an unchanged upstream costs one repomd request and no package downloads', async () => {
    const before = upstream.requests.length;
    const result = await syncRepo(repo, { paths: env.paths, runner: runCommand, ctx: env.ctx(), signer: env.signer });
    expect(result.unchanged).toBe(true);
    expect(upstream.requests.slice(before).map((r) => r.path)).toEqual(['repodata/repomd.xml', 'repodata/repomd.xml.asc']);
  });

  it('an incremental sync downloads only the new package and keeps 2 versions by policy', async () => {
    await copyFile(pkgs.rpm['alpha-1.1']!, join(upstreamDir, 'Packages', 'alpha-1.1-1.noarch.rpm'));
    await runCommand(['rm', '-f', join(upstreamDir, 'Packages', 'alpha-1.0-1.noarch.rpm')], { timeoutMs: 5000 });
    await runCommand(['rm', '-rf', join(upstreamDir, 'repodata')], { timeoutMs: 5000 });
    await regenerateUpstream(upstreamDir, upstreamOptions());
    const before = upstream.requests.length;
    const first = (await readCurrentManifest(join(env.paths.published, 'test-base')))!.id;
    const result = await syncRepo(repo, { paths: env.paths, runner: runCommand, ctx: env.ctx(), signer: env.signer });
    expect(result).toMatchObject({ downloaded: 1, alreadyPresent: 3, retained: 1, removed: 0, packageCount: 5, metadata: 'createrepo' });
    const repomd = parseRepomd(await readFile(join(env.paths.published, 'test-base', 'current', 'repodata', 'repomd.xml'), 'utf8'));
    expect(repomd.records.map((r) => r.type)).toEqual(expect.arrayContaining(['primary', 'filelists', 'other', 'group', 'modules', 'updateinfo']));
    const fetched = upstream.requests.slice(before).map((r) => r.path).filter((p) => p.endsWith('.rpm'));
    expect(fetched).toEqual(['Packages/alpha-1.1-1.noarch.rpm']);
    const snapshots = (await readdir(join(env.paths.published, 'test-base', 'snapshots'))).filter((n) => !n.endsWith('.json'));
    expect(snapshots).toContain(first);
    const dnf = dnfClient('dnf-upgrade');
    const r = await dnf.run('install', 'beta');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(await dnf.installed()).toEqual(['alpha-1.1', 'beta-1.0']);
    const list = await dnf.run('list', '--showduplicates', '--available', 'alpha');
    expect(list.stdout).toMatch(/alpha\.noarch\s+1\.0-1/);
    const group = await dnf.run('group', 'install', 'striker-tools');
    expect(group.exitCode, group.stdout + group.stderr).toBe(0);
    expect(await dnf.installed()).toEqual(['alpha-1.1', 'beta-1.0', 'epsilon-3.0', 'gamma-2.1']);
    const advisories = await dnf.run('updateinfo', 'list', '--all');
    expect(advisories.stdout).toMatch(/TEST-2026:0001/);
  });
});
