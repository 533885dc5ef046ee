/**
 * `importIso`: turns an OS installation ISO (RHEL/Alma/Rocky style) into an installation tree
 * served at /trees/<name>/. The ISO is read without mounting by `xorriso -osirrox on -extract`
 * (through the command adapter): xorriso reads Rock Ridge/Joliet names and modes, reports a
 * truncated or unreadable image as FAILURE with a non-zero exit, and needs no privileges or loop
 * devices (bsdtar also reads ISO 9660, but exits 0 on some short reads). The tree is verified
 * (.treeinfo checksums, kernel/initrd present, every repo's metadata and package checksums)
 * before `<treesDir>/<name>` is switched to it with one rename(2).
 *
 * Before anything reads it, the extracted tree is sanitized (`store/tree-sanitizer.ts`): links
 * whose real location leaves the tree or names no regular file or directory, FIFOs, devices and
 * sockets are removed, and the tree records what was dropped (`dropped`), which the job reports.
 * The import works in its own scratch directory and half-built tree, both named with its pid;
 * it removes them when it ends, and sweeps those of dead imports when it starts.
 */
import { mkdir, readFile, readdir, readlink, rename, rm, stat, statfs, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DecodeError, StrikerError } from '../../striker/core/errors/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { CommandError } from '../../striker/core/command/command-error.js';
import type { JobContext } from '../job-context.js';
import { newSnapshotId } from '../snapshot-layout.js';
import { sanitizeTree, type DroppedEntry } from '../store/tree-sanitizer.js';
import { makeRunDir, sweepDeadRuns } from '../store/scratch-dirs.js';
import { parseTreeinfo, type TreeInfo } from './treeinfo.js';
import { acquireDirLock } from '../store/dir-lock.js';
import { expectChecksum, verifyRepoDir } from './verify-repo-dir.js';

/** `kernel`, `initrd` and `stage2` are paths relative to the tree root (served under /trees/<name>/). */
export interface InstallationTree extends Pick<TreeInfo, 'family' | 'version' | 'arch' | 'kernel' | 'initrd' | 'stage2'> {
  kind: 'installation-tree';
  name: string;
  snapshotId: string;
  efiLoaders: readonly string[];
  repos: readonly { id: string; path: string; packageCount: number }[];
  bytes: number;
  /** Entries of the ISO that were removed before serving (unsafe links, FIFOs, devices, sockets); `importIso` always sets it. */
  dropped?: readonly DroppedEntry[];
}

export interface ImportIsoDeps {
  treesDir: string;
  /** Parent of the import's own scratch directory (made and removed by the import). */
  scratchDir: string;
  runner: CommandRunner;
  ctx: JobContext;
  /** Tree name; default derived from .treeinfo, e.g. `almalinux-9.3-x86_64`. */
  name?: string;
  keepSnapshots?: number;
  /** Most entries the extracted tree may hold (see sanitizeTree). */
  maxEntries?: number;
}

const namePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export async function importIso(isoPath: string, deps: ImportIsoDeps): Promise<InstallationTree> {
  const { ctx } = deps;
  const isoSize = await stat(isoPath).then((s) => s.size, () => {
    throw new StrikerError('REPO_FETCH_FAILED', `ISO ${isoPath} does not exist or cannot be read`, { details: { path: isoPath } });
  });
  const snaps = join(deps.treesDir, '.snapshots');
  await mkdir(snaps, { recursive: true });
  await mkdir(deps.scratchDir, { recursive: true });
  await sweepDeadRuns(snaps, '.building-');
  await sweepDeadRuns(deps.scratchDir, 'iso-');
  const id = newSnapshotId(new Date());
  const building = join(snaps, `.building-pid${process.pid}-${id}`);
  const scratch = await makeRunDir(deps.scratchDir, 'iso');
  let release: (() => Promise<void>) | undefined;
  try {
    // A name given up front is locked before the long extraction; a derived one once .treeinfo is read.
    if (deps.name !== undefined && namePattern.test(deps.name)) release = await lockTree(deps.treesDir, deps.name);
    ctx.progress({ phase: 'extract', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: isoSize, message: `extracting ${basename(isoPath)}` });
    const meter = await extractionMeter(snaps, isoSize, (bytes) =>
      ctx.progress({ phase: 'extract', filesDone: 0, filesTotal: 0, bytesDone: bytes, bytesTotal: isoSize, message: `extracting ${basename(isoPath)}` }));
    try {
      const r = await deps.runner(['xorriso', '-osirrox', 'on', '-indev', isoPath, '-extract', '/', building], { timeoutMs: 60 * 60_000, signal: ctx.signal });
      if (/is blank|no ISO 9660|not a valid/i.test(r.stdout + r.stderr)) throw new StrikerError('REPO_FETCH_FAILED', `${isoPath} is not an ISO 9660 image`, { details: { path: isoPath } });
    } catch (error) {
      if (error instanceof CommandError && error.failure === 'exit') {
        const failure = error.stderr.split('\n').find((l) => /FAILURE|SORRY/.test(l))?.replace(/^xorriso : /, '') ?? error.message;
        throw new StrikerError('REPO_FETCH_FAILED', `cannot read ISO ${isoPath} (truncated or damaged?): ${failure}`, { cause: error, details: { path: isoPath } });
      }
      throw error;
    } finally {
      meter.stop();
    }
    ctx.signal.throwIfAborted();
    const { dropped } = await sanitizeTree(building, { label: `ISO ${isoPath}`, signal: ctx.signal, ...(deps.maxEntries !== undefined ? { maxEntries: deps.maxEntries } : {}) });
    if (dropped.length > 0) ctx.logger.warn({ path: isoPath, dropped }, `dropped ${dropped.length} unsafe entries from the ISO`);
    const treeinfoText = await readFile(join(building, '.treeinfo'), 'utf8').catch(() => undefined);
    if (treeinfoText === undefined) throw new StrikerError('REPO_FETCH_FAILED', `${isoPath} is not an installation ISO: it has no .treeinfo`, { details: { path: isoPath } });
    let info: TreeInfo;
    try {
      info = parseTreeinfo(treeinfoText);
    } catch (error) {
      if (error instanceof DecodeError) throw new StrikerError('REPO_FETCH_FAILED', `${isoPath}: ${error.message}`, { cause: error });
      throw error;
    }
    const name = deps.name ?? `${info.family}-${info.version}-${info.arch}`.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
    if (!namePattern.test(name)) throw new StrikerError('VALIDATION_FAILED', `tree name '${name}' must be 1–64 of a-z 0-9 . _ -`, {});
    release ??= await lockTree(deps.treesDir, name);

    for (const [path, checksum] of info.checksums) await expectChecksum(join(building, path), checksum, `.treeinfo checksum of ${path}`, ctx.signal);
    for (const path of [info.kernel, info.initrd, ...(info.stage2 ? [info.stage2] : [])]) {
      if (!(await stat(join(building, path)).then((s) => s.isFile(), () => false))) {
        throw new StrikerError('REPO_VERIFY_FAILED', `${isoPath}: .treeinfo names ${path} but the ISO does not contain it`, { details: { path } });
      }
    }
    const efiLoaders = await readdir(join(building, 'EFI', 'BOOT')).then((names) => names.map((n) => `EFI/BOOT/${n}`).sort(), () => [] as string[]);
    const repos: { id: string; path: string; packageCount: number }[] = [];
    let bytes = 0;
    let done = 0;
    for (const v of info.variants) {
      const verified = await verifyRepoDir(join(building, v.repository), {
        runner: deps.runner, scratchDir: scratch, signal: ctx.signal, within: building,
        onPackage: (n) => { bytes += n; done += 1; ctx.progress({ phase: 'verify', filesDone: done, filesTotal: 0, bytesDone: bytes, bytesTotal: isoSize, message: `verifying ${v.id}` }); },
      }, `${basename(isoPath)} ${v.id}`);
      repos.push({ id: v.id, path: v.repository, packageCount: verified.packageCount });
    }
    const tree: InstallationTree = {
      kind: 'installation-tree', name, snapshotId: id, family: info.family, version: info.version, arch: info.arch,
      kernel: info.kernel, initrd: info.initrd, ...(info.stage2 ? { stage2: info.stage2 } : {}), efiLoaders, repos, bytes: isoSize, dropped,
    };
    ctx.signal.throwIfAborted();
    const finalDir = join(snaps, `${name}-${id}`);
    await rename(building, finalDir);
    await writeFile(`${finalDir}.json`, JSON.stringify(tree));
    const tmpLink = join(deps.treesDir, `.link-${id}`);
    await symlink(join('.snapshots', `${name}-${id}`), tmpLink);
    await rename(tmpLink, join(deps.treesDir, name));
    await pruneTrees(deps.treesDir, name, deps.keepSnapshots ?? 1);
    ctx.progress({ phase: 'done', filesDone: done, filesTotal: done, bytesDone: isoSize, bytesTotal: isoSize, message: `imported ${name}` });
    ctx.logger.info({ path: isoPath, tree: name, repos: repos.map((r) => r.id), dropped: dropped.length }, 'imported installation tree');
    return tree;
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await release?.();
  }
}

/** One import per tree name at a time, also across processes: two would switch the link and prune each other's snapshots. */
function lockTree(treesDir: string, name: string): Promise<() => Promise<void>> {
  return acquireDirLock(join(treesDir, `.${name}.import.lock`), `installation tree ${name}`, 'imported');
}

/**
 * xorriso reports nothing while it extracts (the adapter buffers output), so progress is the
 * growth of used space on the target filesystem (statfs), sampled every second, capped at the
 * ISO size: an estimate (other writers count too), good enough for a progress bar and ETA.
 */
async function extractionMeter(dir: string, total: number, report: (bytes: number) => void): Promise<{ stop: () => void }> {
  const used = async () => { const s = await statfs(dir); return (s.blocks - s.bfree) * s.bsize; };
  const start = await used().catch(() => undefined);
  if (start === undefined) return { stop: () => {} };
  const timer = setInterval(() => {
    used().then((now) => report(Math.max(0, Math.min(total, now - start))), () => {});
  }, 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Reads the InstallationTree `<treesDir>/<name>` currently points at. */
export async function readInstallationTree(treesDir: string, name: string): Promise<InstallationTree | undefined> {
  try {
    const target = await readlink(join(treesDir, name));
    return JSON.parse(await readFile(join(treesDir, `${target}.json`), 'utf8')) as InstallationTree;
  } catch {
    return undefined;
  }
}

async function pruneTrees(treesDir: string, name: string, keep: number): Promise<void> {
  const snaps = join(treesDir, '.snapshots');
  const current = (await readlink(join(treesDir, name))).split('/').pop();
  const own = new RegExp(`^${name.replace(/[.]/g, '\\.')}-\\d{8}T\\d{6}Z-[a-z0-9]+$`);
  const mine = (await readdir(snaps)).filter((n) => own.test(n)).sort();
  const keepSet = new Set(mine.slice(-Math.max(1, keep)));
  if (current) keepSet.add(current);
  for (const n of mine) {
    if (keepSet.has(n)) continue;
    await rm(join(snaps, n), { recursive: true, force: true });
    await rm(join(snaps, `${n}.json`), { force: true });
  }
}
