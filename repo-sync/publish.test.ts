import { mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import { CommandError } from '../striker/core/command/command-error.js';
import { runCommand } from '../striker/core/command/run-command.js';
import { unsafeEntries } from '../test/support/hostile-media.js';
import type { PlannedPackage } from './plan.js';
import { publishSnapshot, type PublishInput } from './publish.js';
import { readCurrentManifest } from './snapshot-layout.js';

let dir: string;
const ctx = { signal: new AbortController().signal, logger: pino({ level: 'silent' }), progress: () => {} };
const pkg: PlannedPackage = { name: 'alpha', arch: 'noarch', epoch: '0', version: '1', release: '1', checksum: { algorithm: 'sha256', value: 'a'.repeat(64) }, href: 'Packages/a/alpha-1-1.noarch.rpm', size: 3 };
const calls: string[][] = [];
/** Stands in for createrepo_c / modifyrepo_c: writes a repomd.xml so the snapshot looks published. */
const fakeRunner: CommandRunner = async (argv) => {
  calls.push([...argv]);
  if (argv[0] === 'createrepo_c') {
    const target = argv.at(-1)!;
    await mkdir(join(target, 'repodata'), { recursive: true });
    await writeFile(join(target, 'repodata', 'repomd.xml'), '<repomd/>');
  }
  return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 1 };
};

let n = 0;
const input = (repoDir: string, extra: Partial<PublishInput> = {}): PublishInput => ({
  repoDir, files: [{ pkg, storePath: join(dir, 'store-file') }], source: 'test', keepSnapshots: 2,
  metadata: { kind: 'verbatim', repomdPath: join(dir, 'repomd.xml'), files: [{ href: 'repodata/x-primary.xml.gz', storePath: join(dir, 'store-primary') }] },
  ...extra,
});
const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, n++));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-publish-'));
  await writeFile(join(dir, 'store-file'), 'rpm');
  await writeFile(join(dir, 'store-primary'), 'gz');
  await writeFile(join(dir, 'repomd.xml'), '<repomd>upstream</repomd>');
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('publishSnapshot', () => {
  it('verbatim: links packages and metadata, copies repomd, switches current, writes the manifest', async () => {
    const repoDir = join(dir, 'verbatim');
    const r = await publishSnapshot(input(repoDir), { runner: fakeRunner, ctx, now });
    expect(await readlink(join(repoDir, 'current'))).toBe(`snapshots/${r.snapshotId}`);
    expect(await readFile(join(repoDir, 'current', 'Packages/a/alpha-1-1.noarch.rpm'), 'utf8')).toBe('rpm');
    expect(await readFile(join(repoDir, 'current', 'repodata/x-primary.xml.gz'), 'utf8')).toBe('gz');
    expect(await readFile(join(repoDir, 'current', 'repodata/repomd.xml'), 'utf8')).toBe('<repomd>upstream</repomd>');
    expect((await readCurrentManifest(repoDir))?.packages).toEqual([pkg]);
  });

  it('createrepo: runs createrepo_c with groups and --update from the previous snapshot, then modifyrepo_c', async () => {
    const repoDir = join(dir, 'createrepo');
    const first = await publishSnapshot(input(repoDir, { metadata: { kind: 'createrepo' } }), { runner: fakeRunner, ctx, now });
    calls.length = 0;
    await writeFile(join(dir, 'comps.xml'), '<comps/>');
    await writeFile(join(dir, 'modules.yaml'), '---');
    const second = await publishSnapshot(input(repoDir, { metadata: { kind: 'createrepo', groupsFile: join(dir, 'comps.xml'), extraMetadata: [{ type: 'modules', path: join(dir, 'modules.yaml'), fileName: 'modules.yaml' }] } }), { runner: fakeRunner, ctx, now });
    const building = join(repoDir, 'snapshots', `.building-${second.snapshotId}`);
    expect(calls).toEqual([
      ['createrepo_c', '--quiet', '--no-database', '--workers', '2', '--update', '--update-md-path', join(repoDir, 'snapshots', first.snapshotId), '--groupfile', join(dir, 'comps.xml'), building],
      ['modifyrepo_c', '--mdtype=modules', join(building, '.md-in', 'modules.yaml'), join(building, 'repodata')],
    ]);
  });

  it('keeps the newest N snapshots and prunes the rest', async () => {
    const repoDir = join(dir, 'prune');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await publishSnapshot(input(repoDir), { runner: fakeRunner, ctx, now })).snapshotId);
    expect((await readdir(join(repoDir, 'snapshots'))).sort()).toEqual([ids[2], `${ids[2]}.json`, ids[3], `${ids[3]}.json`].sort());
  });

  it('a failing createrepo_c leaves the current snapshot and no half-built one', async () => {
    const repoDir = join(dir, 'failing');
    const good = await publishSnapshot(input(repoDir), { runner: fakeRunner, ctx, now });
    const failing: CommandRunner = async (argv) => {
      throw new CommandError({ argv, exitCode: 1, stderr: 'boom', stdout: '', failure: 'exit', reason: 'exited with code 1' });
    };
    await expect(publishSnapshot(input(repoDir, { metadata: { kind: 'createrepo' } }), { runner: failing, ctx, now })).rejects.toThrow(/createrepo_c exited with code 1: boom/);
    expect(await readlink(join(repoDir, 'current'))).toBe(`snapshots/${good.snapshotId}`);
    expect((await readdir(join(repoDir, 'snapshots'))).sort()).toEqual([good.snapshotId, `${good.snapshotId}.json`].sort());
  });
});

describe('publishSnapshot holds the snapshot to the serving rule', () => {
  it('a store entry that is a FIFO or a link leaving the store never reaches the snapshot, and the result says so', async () => {
    const repoDir = join(dir, 'tampered');
    const store = join(dir, 'tampered-store');
    await mkdir(store, { recursive: true });
    await writeFile(join(dir, 'secret.txt'), 'secret');
    await symlink(join(dir, 'secret.txt'), join(store, 'link-out'));
    await runCommand(['mkfifo', join(store, 'fifo')], { timeoutMs: 10_000 });
    const evil = (name: string, storePath: string) => ({ pkg: { ...pkg, name, href: `Packages/${name}.rpm` }, storePath });
    const r = await publishSnapshot(input(repoDir, { files: [{ pkg, storePath: join(dir, 'store-file') }, evil('out', join(store, 'link-out')), evil('pipe', join(store, 'fifo'))] }), { runner: fakeRunner, ctx, now });
    expect(r.dropped).toEqual([
      { path: 'Packages/out.rpm', kind: 'symlink', reason: `it resolves to ${join(dir, 'secret.txt')}, outside the tree`, target: join(dir, 'secret.txt') },
      { path: 'Packages/pipe.rpm', kind: 'fifo', reason: 'a FIFO is never served' },
    ]);
    expect(await unsafeEntries(join(repoDir, 'current'))).toEqual([]);
    expect(await readdir(join(repoDir, 'current', 'Packages'))).toEqual(['a']);
    expect(await readFile(join(repoDir, 'current', 'Packages/a/alpha-1-1.noarch.rpm'), 'utf8')).toBe('rpm');
  });
});
