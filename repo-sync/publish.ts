/**
 * Publishes a snapshot atomically: build it beside the old one (hard links from the content
 * store), run `createrepo_c` (with the comps groups file) and `modifyrepo_c` (modules,
 * updateinfo) through the command adapter, sign repomd.xml, then switch `current` with one
 * rename(2) of a fresh symlink over the old one. A client sees the old snapshot or the new one,
 * never a mix; if anything fails before the rename, the old snapshot keeps serving.
 */
import { copyFile, link, mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CommandRunner } from '../striker/command/run-command.js';
import type { JobContext } from './job-context.js';
import type { PlannedPackage } from './plan.js';
import { currentLink, currentSnapshotId, listSnapshots, newSnapshotId, snapshotsDir, type SnapshotManifest } from './snapshot-layout.js';
import type { RepoSigner } from './verify/repo-signer.js';

export interface PublishFile {
  storePath: string;
  pkg: PlannedPackage;
}

export interface PublishInput {
  repoDir: string;
  files: readonly PublishFile[];
  /** Plain comps XML (`group` record), passed to createrepo_c --groupfile. */
  groupsFile?: string;
  /** Extra metadata to add with modifyrepo_c, uncompressed, e.g. `{ type: 'modules', path }`. */
  extraMetadata?: readonly { type: string; path: string; fileName: string }[];
  source: string;
  /** How many published snapshots to keep (≥ 1; `current` is always kept). */
  keepSnapshots: number;
  workers?: number;
  upstreamRepomdSha256?: string;
  keyFingerprint?: string;
}

export interface PublishDeps {
  runner: CommandRunner;
  signer?: RepoSigner;
  ctx: JobContext;
  now?: () => Date;
}

export interface PublishResult {
  snapshotId: string;
  path: string;
  packageCount: number;
  pruned: string[];
}

export async function publishSnapshot(input: PublishInput, deps: PublishDeps): Promise<PublishResult> {
  const { ctx } = deps;
  const snaps = snapshotsDir(input.repoDir);
  await mkdir(snaps, { recursive: true });
  const id = newSnapshotId((deps.now ?? (() => new Date()))());
  const building = join(snaps, `.building-${id}`);
  const previous = await currentSnapshotId(input.repoDir);
  await removeStaleBuilds(snaps);
  try {
    await mkdir(building);
    const dirs = new Set<string>();
    for (const f of input.files) {
      const target = join(building, f.pkg.href);
      const dir = dirname(target);
      if (!dirs.has(dir)) { await mkdir(dir, { recursive: true }); dirs.add(dir); }
      await link(f.storePath, target).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code === 'EXDEV' || error.code === 'EPERM') await copyFile(f.storePath, target);
        else if (error.code !== 'EEXIST') throw error;
      });
    }
    ctx.signal.throwIfAborted();
    ctx.progress({ phase: 'publish', filesDone: 0, filesTotal: input.files.length, bytesDone: 0, bytesTotal: 0, message: 'running createrepo_c' });
    const argv = ['createrepo_c', '--quiet', '--no-database', '--workers', String(input.workers ?? 2)];
    if (previous !== undefined) argv.push('--update', '--update-md-path', join(snaps, previous));
    if (input.groupsFile !== undefined) argv.push('--groupfile', input.groupsFile);
    argv.push(building);
    await deps.runner(argv, { timeoutMs: 30 * 60_000, signal: ctx.signal });
    for (const md of input.extraMetadata ?? []) {
      const scratch = join(building, '.md-in');
      await mkdir(scratch, { recursive: true });
      const named = join(scratch, md.fileName);
      await copyFile(md.path, named);
      await deps.runner(['modifyrepo_c', `--mdtype=${md.type}`, named, join(building, 'repodata')], { timeoutMs: 10 * 60_000, signal: ctx.signal });
      await rm(scratch, { recursive: true, force: true });
    }
    if (deps.signer) await deps.signer.sign(join(building, 'repodata', 'repomd.xml'), ctx.signal);
    const manifest: SnapshotManifest = { id, createdAt: new Date().toISOString(), source: input.source,
      ...(input.upstreamRepomdSha256 ? { upstreamRepomdSha256: input.upstreamRepomdSha256 } : {}),
      ...(input.keyFingerprint ? { keyFingerprint: input.keyFingerprint } : {}),
      packages: input.files.map((f) => f.pkg) };
    await writeFile(join(snaps, `${id}.json`), JSON.stringify(manifest));
    ctx.signal.throwIfAborted();
    await rename(building, join(snaps, id));
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    await rm(join(snaps, `${id}.json`), { force: true });
    throw error;
  }
  await switchCurrent(input.repoDir, id);
  const pruned = await pruneSnapshots(input.repoDir, input.keepSnapshots);
  ctx.logger.info({ path: join(snaps, id), packages: input.files.length, pruned }, 'published repo snapshot');
  return { snapshotId: id, path: join(snaps, id), packageCount: input.files.length, pruned };
}

/** Points `current` at `snapshots/<id>` with one rename(2) of a fresh symlink (atomic on POSIX). */
export async function switchCurrent(repoDir: string, id: string): Promise<void> {
  const tmp = join(repoDir, `.current-${id}`);
  await rm(tmp, { force: true });
  await symlink(join('snapshots', id), tmp);
  await rename(tmp, currentLink(repoDir));
}

/** Keeps the newest `keep` snapshots and always the current one; returns the ids removed. */
export async function pruneSnapshots(repoDir: string, keep: number): Promise<string[]> {
  const current = await currentSnapshotId(repoDir);
  const all = await listSnapshots(repoDir);
  const keepSet = new Set(all.slice(-Math.max(1, keep)));
  if (current !== undefined) keepSet.add(current);
  const doomed = all.filter((id) => !keepSet.has(id));
  for (const id of doomed) {
    await rm(join(snapshotsDir(repoDir), id), { recursive: true, force: true });
    await rm(join(snapshotsDir(repoDir), `${id}.json`), { force: true });
  }
  return doomed;
}

/** A sync killed with SIGKILL leaves `.building-*`; nothing serves them, so they go. */
async function removeStaleBuilds(snaps: string): Promise<void> {
  for (const name of await readdir(snaps)) {
    if (name.startsWith('.building-')) await rm(join(snaps, name), { recursive: true, force: true });
  }
}
