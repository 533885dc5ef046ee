/**
 * Faults and bad input during a sync: each is a clear typed error, nothing is published, the last
 * good snapshot keeps serving, and a later sync resumes without re-downloading completed files
 * (also after `kill -9` of the syncing process).
 */
import { spawn } from 'node:child_process';
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoConfigSchema, type RepoConfig, type RepoConfigInput } from '../../../repo-sync/config.js';
import { currentSnapshotId } from '../../../repo-sync/snapshot-layout.js';
import { syncRepo } from '../../../repo-sync/sync-repo.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { StrikerError } from '../../../striker/core/errors/index.js';
import { buildRpms, makeGpgKey, makeUpstreamRepo, regenerateUpstream, signRpms, stopGpgAgents, type TestGpgKey } from '../../support/rpm-build.js';
import { buildFixturePackages, type FixturePackages } from '../../support/rpm-fixture-repos.js';
import { flipByte, primaryXml, replaceMetadata, replacePrimary } from '../../support/rpm-repo-tamper.js';
import { startUpstreamServer, type UpstreamServer } from '../../support/rpm-upstream-server.js';
import { startRepoTestEnv, type RepoTestEnv } from './repo-test-env.js';

let env: RepoTestEnv;
let pkgs: FixturePackages;
let otherKey: TestGpgKey;
let bigRpms: string[];
const servers: UpstreamServer[] = [];
let goodDir: string;

beforeAll(async () => {
  env = await startRepoTestEnv('striker-repo-faults-');
  [pkgs, otherKey, bigRpms] = await Promise.all([
    buildFixturePackages(env.scratch),
    makeGpgKey(env.scratch, 'other@repo.test'),
    buildRpms(join(env.scratch, 'big'), Array.from({ length: 6 }, (_, i) => ({ name: `big${i}`, version: '1.0', payloadBytes: 400_000 }))),
  ]);
  goodDir = join(env.scratch, 'good');
  await makeUpstreamRepo(goodDir, ['alpha', 'beta', 'gamma'].map((n) => pkgs.rpm[n]!), { signWith: pkgs.key });
  await makeUpstreamRepo(join(env.scratch, 'bigrepo-src'), bigRpms);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await stopGpgAgents(pkgs?.key.home ?? '/none', otherKey?.home ?? '/none');
  await env?.close();
});

async function serve(dir: string, faults = {}): Promise<UpstreamServer> {
  const s = await startUpstreamServer(dir, faults);
  servers.push(s);
  return s;
}

function config(name: string, url: string, extra: Partial<RepoConfigInput> = {}): RepoConfig {
  return repoConfigSchema.parse({ name, source: { kind: 'http', url }, gpgKey: pkgs.key.publicKeyArmored, requireRepoSignature: true, requirePackageSignatures: true, ...extra });
}

async function sync(repo: RepoConfig) {
  return syncRepo(repo, { paths: env.paths, runner: runCommand, ctx: env.ctx(), signer: env.signer });
}

/** A variant of the good upstream in a fresh dir, changed by `mutate`. */
async function variant(name: string, mutate: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(env.scratch, name);
  await cp(goodDir, dir, { recursive: true });
  await mutate(dir);
  return dir;
}

async function expectRefused(repo: RepoConfig, code: string, message: RegExp): Promise<void> {
  const repoDir = join(env.paths.published, repo.name);
  const before = await currentSnapshotId(repoDir);
  const servedBefore = await env.app.inject({ url: `/repos/${repo.name}/repodata/repomd.xml` });
  const error = await sync(repo).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StrikerError);
  expect((error as StrikerError).code).toBe(code);
  expect((error as Error).message).toMatch(message);
  expect(await currentSnapshotId(repoDir)).toBe(before);
  const leftovers = (await readdir(join(repoDir, 'snapshots')).catch(() => [])).filter((n) => n.startsWith('.building'));
  expect(leftovers).toEqual([]);
  const servedAfter = await env.app.inject({ url: `/repos/${repo.name}/repodata/repomd.xml` });
  expect(servedAfter.statusCode).toBe(servedBefore.statusCode);
  // The same bytes as before (an error answer differs only in its request id).
  const sameness = (body: string) => body.replace(/"requestId":"[^"]*"/, '');
  expect(sameness(servedAfter.body)).toBe(sameness(servedBefore.body));
}

describe('bad upstreams are clear errors and publish nothing', () => {
  it('an unreachable URL', async () => {
    const s = await serve(goodDir);
    await s.close();
    await expectRefused(config('nothing', s.url), 'REPO_FETCH_FAILED', /ECONNREFUSED/);
    expect(await currentSnapshotId(join(env.paths.published, 'nothing'))).toBeUndefined();
  });

  it('a URL that is not a repo', async () => {
    const s = await serve(join(goodDir, 'Packages'));
    await expectRefused(config('nothing', s.url), 'REPO_FETCH_FAILED', /is not a yum\/dnf repository: it has no repodata\/repomd.xml/);
  });

  it('a repomd.xml that is not XML', async () => {
    const dir = await variant('notxml', async (d) => writeFile(join(d, 'repodata', 'repomd.xml'), '<html>oops'));
    const s = await serve(dir);
    await expectRefused(config('nothing', s.url, { requireRepoSignature: false }), 'REPO_FETCH_FAILED', /not a valid yum\/dnf repository/);
  });
});

describe('faults after a good snapshot keep the good snapshot serving', () => {
  beforeAll(async () => {
    const s = await serve(goodDir);
    const r = await sync(config('faulty', s.url));
    expect(r.packageCount).toBe(3);
  });

  it('a package whose bytes do not match its primary.xml checksum', async () => {
    const dir = await variant('badsum', async (d) => {
      await cp(pkgs.rpm['epsilon']!, join(d, 'Packages', 'epsilon-3.0-1.noarch.rpm'));
      await regenerateUpstream(d, { signWith: pkgs.key });
      await flipByte(join(d, 'Packages', 'epsilon-3.0-1.noarch.rpm'));
    });
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url), 'REPO_VERIFY_FAILED', /epsilon-3\.0-1\.noarch\.rpm: sha256 checksum mismatch/);
  });

  it('a tampered repomd.xml (signature no longer matches)', async () => {
    const dir = await variant('tampered', async (d) => {
      const p = join(d, 'repodata', 'repomd.xml');
      await writeFile(p, (await readFile(p, 'utf8')).replace('<revision>', '<!-- x --><revision>'));
    });
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url), 'REPO_VERIFY_FAILED', /GPG signature check failed: bad signature/);
  });

  it('a repomd.xml.asc made with another key', async () => {
    const dir = await variant('otherkey', (d) => regenerateUpstream(d, { signWith: otherKey }));
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url), 'REPO_VERIFY_FAILED', /signed by a key other than the configured one/);
  });

  it('a missing repomd.xml.asc when the repo requires one', async () => {
    const dir = await variant('noasc', (d) => rm(join(d, 'repodata', 'repomd.xml.asc')));
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url), 'REPO_VERIFY_FAILED', /repomd\.xml\.asc is missing/);
  });

  it('an unsigned package when signatures are required', async () => {
    const dir = await variant('unsigned', async (d) => {
      await cp(pkgs.rpm['delta']!, join(d, 'Packages', 'delta-0.1-1.noarch.rpm'));
      await regenerateUpstream(d, { signWith: pkgs.key });
    });
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url), 'REPO_VERIFY_FAILED', /1 package\(s\) failed the GPG signature check: Packages\/delta-0\.1-1\.noarch\.rpm \(not signed\)/);
  });

  it('corrupt gzip primary metadata', async () => {
    const dir = await variant('corruptgz', (d) => replaceMetadata(d, 'primary', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(200, 7)]), 'primary.xml.gz'));
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url, { requireRepoSignature: false }), 'DECODE_FAILED', /corrupt gzip data/);
  });

  it('corrupt xz primary metadata', async () => {
    const dir = await variant('corruptxz', (d) => replaceMetadata(d, 'primary', Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]), Buffer.alloc(200, 7)]), 'primary.xml.xz'));
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url, { requireRepoSignature: false }), 'DECODE_FAILED', /corrupt xz data/);
  });

  it('truncated primary.xml (fewer packages than declared)', async () => {
    const dir = await variant('truncxml', async (d) => {
      const xml = await primaryXml(d);
      await replacePrimary(d, xml.slice(0, xml.lastIndexOf('<package ')) + '</metadata>\n');
    });
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url, { requireRepoSignature: false }), 'DECODE_FAILED', /<metadata packages="3"> but 2 <package> elements were found \(truncated\?\)/);
  });

  it('a path-traversal location href in primary.xml', async () => {
    const dir = await variant('traversal', async (d) => {
      const xml = await primaryXml(d);
      await replacePrimary(d, xml.replace(/href="Packages\/alpha-1\.0-1\.noarch\.rpm"/, 'href="../../../../etc/passwd"'));
    });
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url, { requireRepoSignature: false }), 'REPO_VERIFY_FAILED', /'\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd' refused: it contains a '\.\.' segment/);
  });

  it('an absolute-URL location href in primary.xml', async () => {
    const dir = await variant('urlhref', async (d) => {
      const xml = await primaryXml(d);
      await replacePrimary(d, xml.replace(/href="Packages\/alpha-1\.0-1\.noarch\.rpm"/, 'href="http://evil.example/alpha.rpm"'));
    });
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url, { requireRepoSignature: false }), 'REPO_VERIFY_FAILED', /refused: it is a URL with a scheme/);
  });

  it('a repomd record that would overwrite repomd.xml itself', async () => {
    const dir = await variant('clash', async (d) => {
      const p = join(d, 'repodata', 'repomd.xml');
      const evil = `<data type="evil"><checksum type="sha256">${'0'.repeat(64)}</checksum><location href="repodata/repomd.xml"/></data>`;
      await writeFile(p, (await readFile(p, 'utf8')).replace('</repomd>', `${evil}</repomd>`));
    });
    const s = await serve(dir);
    await expectRefused(config('faulty', s.url, { requireRepoSignature: false }), 'REPO_VERIFY_FAILED', /evil record names repodata\/repomd\.xml, which would overwrite the index itself/);
  });

  it('metadata compressed with xz, bzip2 and zstd syncs and publishes', async () => {
    for (const type of ['xz', 'bz2']) {
      const dir = await variant(`compress-${type}`, (d) => regenerateUpstream(d, { signWith: pkgs.key, createrepoArgs: [`--general-compress-type=${type}`] }));
      const s = await serve(dir);
      const r = await sync(config(`compress-${type}`, s.url));
      expect(r).toMatchObject({ packageCount: 3, downloaded: 0, alreadyPresent: 3 });
    }
    // Debian's createrepo_c 0.20 cannot write zstd; compress primary.xml with the zstd tool instead.
    const dir = await variant('compress-zstd', async (d) => {
      const xml = join(d, '..', 'zstd-primary.xml');
      await writeFile(xml, await primaryXml(d));
      await runCommand(['zstd', '-q', '-f', xml, '-o', `${xml}.zst`], { timeoutMs: 30_000 });
      await replaceMetadata(d, 'primary', await readFile(`${xml}.zst`), 'primary.xml.zst');
    });
    const s = await serve(dir);
    const r = await sync(config('compress-zstd', s.url, { requireRepoSignature: false }));
    expect(r).toMatchObject({ packageCount: 3, downloaded: 0, alreadyPresent: 3 });
  });
});

describe('other sources and cancellation', () => {
  it('a local directory source mirrors like an HTTP one', async () => {
    const r = await syncRepo(repoConfigSchema.parse({ name: 'local-dir', source: { kind: 'directory', path: goodDir }, gpgKey: pkgs.key.publicKeyArmored, requireRepoSignature: true, requirePackageSignatures: true }),
      { paths: env.paths, runner: runCommand, ctx: env.ctx(), signer: env.signer });
    expect(r).toMatchObject({ packageCount: 3, metadata: 'verbatim' });
    const served = await env.app.inject({ url: '/repos/local-dir/Packages/gamma-2.1-1.noarch.rpm' });
    expect(served.rawPayload.equals(await readFile(join(goodDir, 'Packages', 'gamma-2.1-1.noarch.rpm')))).toBe(true);
  });

  it('a second sync of the same repo while one runs is a CONFLICT', async () => {
    const s = await serve(join(env.scratch, 'bigrepo-src'), { stallAfterBytes: 200_000 });
    const controller = new AbortController();
    const repo = config('locked', s.url, { requireRepoSignature: false, requirePackageSignatures: false });
    const first = syncRepo(repo, { paths: env.paths, runner: runCommand, ctx: env.ctx(controller.signal) });
    for (let i = 0; i < 100 && s.bytesSent() < 200_000; i++) await new Promise((r) => setTimeout(r, 20));
    const second = await syncRepo(repo, { paths: env.paths, runner: runCommand, ctx: env.ctx() }).then(() => undefined, (e: unknown) => e);
    expect((second as StrikerError).code).toBe('CONFLICT');
    expect((second as Error).message).toBe(`repo locked is already being synced by process ${process.pid}`);
    controller.abort(new Error('stop'));
    await expect(first).rejects.toThrow('stop');
  });

  it('cancelling a sync (job cancel) stops it, publishes nothing, and leaves no partial snapshot', async () => {
    const s = await serve(join(env.scratch, 'bigrepo-src'), { stallAfterBytes: 300_000 });
    const controller = new AbortController();
    const pending = syncRepo(config('cancelled', s.url, { requireRepoSignature: false, requirePackageSignatures: false }), { paths: env.paths, runner: runCommand, ctx: env.ctx(controller.signal) });
    for (let i = 0; i < 100 && s.bytesSent() < 300_000; i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new StrikerError('JOB_CANCELLED', 'cancelled by operator'));
    await expect(pending).rejects.toThrow(/cancelled by operator/);
    expect(await currentSnapshotId(join(env.paths.published, 'cancelled'))).toBeUndefined();
    expect((await readdir(join(env.paths.published, 'cancelled', 'snapshots')).catch(() => [])).length).toBe(0);
  });
});

describe('interrupted syncs resume without re-downloading completed files', () => {
  let bigDir: string;
  const rpmRequests = (s: UpstreamServer) => s.requests.filter((r) => r.path.endsWith('.rpm'));

  beforeAll(async () => {
    bigDir = join(env.scratch, 'bigrepo');
    await signRpms(bigRpms, pkgs.key);
    await makeUpstreamRepo(bigDir, bigRpms, { signWith: pkgs.key });
  });

  it('an upstream that dies mid-sync: error, old snapshot serves, next sync resumes with Range', async () => {
    const repoDir = join(env.paths.published, 'bigdies');
    const dying = await serve(bigDir, { dieAfterBytes: 1_300_000 });
    const repo = config('bigdies', dying.url, { parallelism: 2 });
    await expectRefused(repo, 'REPO_FETCH_FAILED', /GET http:\/\/127\.0\.0\.1:\d+\/Packages\/big\d-1\.0-1\.noarch\.rpm failed/);
    expect(dying.dead()).toBe(true);
    expect(await currentSnapshotId(repoDir)).toBeUndefined();

    const healthy = await serve(bigDir);
    const again = config('bigdies', healthy.url, { parallelism: 2 });
    const result = await sync(again);
    expect(result.packageCount).toBe(6);
    const firstRun = rpmRequests(dying).map((r) => r.path);
    const secondRun = rpmRequests(healthy);
    // Files that completed before the upstream died are not fetched again; the partial ones resume.
    expect(result.alreadyPresent + result.downloaded).toBe(6);
    expect(result.alreadyPresent).toBeGreaterThanOrEqual(1);
    expect(secondRun.length).toBe(result.downloaded);
    expect(secondRun.some((r) => r.range !== undefined && r.status === 206)).toBe(true);
    expect(firstRun.length).toBeGreaterThan(result.alreadyPresent);
    expect(result.downloadedBytes).toBeLessThan(6 * 400_000);
  });

  it('kill -9 of the syncing process: old snapshot serves, next sync resumes', async () => {
    const repoDir = join(env.paths.published, 'bigkilled');
    // a first good snapshot with only two of the packages
    const smallDir = join(env.scratch, 'bigsmall');
    await makeUpstreamRepo(smallDir, bigRpms.slice(0, 2), { signWith: pkgs.key });
    const small = await serve(smallDir);
    await sync(config('bigkilled', small.url));
    const good = await currentSnapshotId(repoDir);
    expect(good).toBeDefined();

    // fresh store so downloads really happen
    await rm(env.paths.store, { recursive: true, force: true });
    const stalling = await serve(bigDir, { stallAfterBytes: 1_000_000 });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../support/rpm-sync-child.ts'),
      JSON.stringify({ dataDir: join(env.paths.store, '..', '..'), repo: { ...config('bigkilled', stalling.url, { parallelism: 2 }), source: { kind: 'http', url: stalling.url } } })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && stalling.bytesSent() < 1_000_000; i++) await new Promise((r) => setTimeout(r, 50));
    expect(stalling.bytesSent()).toBe(1_000_000);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(child.pid!, 'SIGKILL');
    await exited;
    expect(out).toMatch(/"phase":"download"/);
    expect(out).not.toMatch(/"phase":"exit"/);
    expect(await currentSnapshotId(repoDir)).toBe(good);
    const served = await env.app.inject({ url: '/repos/bigkilled/Packages/big0-1.0-1.noarch.rpm' });
    expect(served.statusCode).toBe(200);

    const healthy = await serve(bigDir);
    const result = await sync(config('bigkilled', healthy.url, { parallelism: 2 }));
    expect(result.packageCount).toBe(6);
    const stalledFetches = rpmRequests(stalling).length;
    expect(result.alreadyPresent).toBeGreaterThanOrEqual(1);
    expect(result.alreadyPresent).toBeLessThan(stalledFetches);
    expect(rpmRequests(healthy).length).toBe(result.downloaded);
    expect(rpmRequests(healthy).some((r) => r.status === 206)).toBe(true);
    expect(await currentSnapshotId(repoDir)).not.toBe(good);
  });
});
