/**
 * `syncRepo`: mirror one repo into a new published snapshot. Order of trust: repomd.xml (its
 * signature when required) → metadata files by the checksums repomd lists → packages by the
 * checksums primary lists (and their signatures when required) → createrepo_c → atomic switch.
 * Any failure throws a StrikerError before the switch, so the last good snapshot keeps serving;
 * verified files stay in the store, partial ones in store/partial, so the next run resumes.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DecodeError, StrikerError } from '../striker/core/errors/index.js';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import type { RepoConfig } from './config.js';
import { runPool } from './fetch/download-pool.js';
import type { JobContext, SyncProgress } from './job-context.js';
import { checksumKey } from './metadata/checksum.js';
import { openMetadata } from './metadata/decompress.js';
import { parsePrimary } from './metadata/primary.js';
import { parseRepomd, recordOf, type Repomd, type RepomdRecord } from './metadata/repomd.js';
import { planSync, type PlannedPackage } from './plan.js';
import { publishSnapshot, type SnapshotMetadata } from './publish.js';
import { DownloadTally } from './repo-progress.js';
import { UPSTREAM_KEY_FILE, type RepoPaths } from './repo-paths.js';
import { currentSnapshotId, readCurrentManifest } from './snapshot-layout.js';
import { DirectorySource } from './sources/directory-source.js';
import { HttpSource } from './sources/http-source.js';
import type { RepoSource } from './sources/repo-source.js';
import { ContentStore } from './store/content-store.js';
import { acquireDirLock } from './store/dir-lock.js';
import { makeRunDir, sweepDeadRuns } from './store/scratch-dirs.js';
import type { DroppedEntry } from './store/tree-sanitizer.js';
import type { RepoSigner } from './verify/repo-signer.js';
import { checkRpmSignatures, verifyDetachedSignature } from './verify/signature-check.js';

export interface SyncDeps {
  paths: RepoPaths;
  runner: CommandRunner;
  ctx: JobContext;
  /** Signs the republished repomd.xml (omit to publish unsigned metadata). */
  signer?: RepoSigner;
  /** Overrides how a source is opened (tests, ISO import). */
  source?: RepoSource;
}

export interface SyncResult {
  repo: string;
  snapshotId: string;
  /** True when upstream had not changed and the current snapshot was kept as is. */
  unchanged: boolean;
  packageCount: number;
  downloaded: number;
  downloadedBytes: number;
  alreadyPresent: number;
  removed: number;
  retained: number;
  /** How the snapshot's repodata was made (see SnapshotMetadata). */
  metadata?: 'createrepo' | 'verbatim';
  /** Entries removed from the new snapshot before publishing (links leaving it, FIFOs, devices, sockets). */
  dropped: DroppedEntry[];
  durationMs: number;
}

/** Metadata kept when republishing, besides primary (createrepo_c regenerates primary/filelists/other). */
const groupTypes = ['group', 'group_gz', 'group_xz'];
const extraTypes = [{ type: 'modules', fileName: 'modules.yaml' }, { type: 'updateinfo', fileName: 'updateinfo.xml' }];

export function sourceFor(repo: RepoConfig): RepoSource {
  if (repo.source.kind === 'directory') return new DirectorySource(repo.source.path);
  const { url, caCertificate } = repo.source;
  return new HttpSource(url, { maxSockets: repo.parallelism, ...(caCertificate !== undefined ? { ca: caCertificate } : {}) });
}

export async function syncRepo(repo: RepoConfig, deps: SyncDeps): Promise<SyncResult> {
  const started = performance.now();
  const { ctx, paths, runner } = deps;
  const log = ctx.logger.child({ repo: repo.name });
  const source = deps.source ?? sourceFor(repo);
  const store = new ContentStore(paths.store);
  const repoDir = join(paths.published, repo.name);
  await Promise.all([mkdir(paths.scratch, { recursive: true }), store.ensurePartialDir(), mkdir(repoDir, { recursive: true })]);
  // The upstream's own key, if configured, is served beside the snapshots (/repos/<name>/RPM-GPG-KEY-upstream) for hosts' gpgcheck.
  await (repo.gpgKey === undefined ? rm(join(repoDir, UPSTREAM_KEY_FILE), { force: true }) : writeIfChanged(join(repoDir, UPSTREAM_KEY_FILE), repo.gpgKey));
  const release = await acquireDirLock(join(repoDir, '.sync.lock'), `repo ${repo.name}`);
  // Scratch of syncs that were killed (their pid is gone) goes first; this sync's goes in `finally`.
  const scratch = await sweepDeadRuns(paths.scratch, 'sync-').then(() => makeRunDir(paths.scratch, `sync-${repo.name}`))
    .catch(async (error: unknown) => { await release(); throw error; });
  const report = (p: Omit<SyncProgress, 'filesDone' | 'filesTotal' | 'bytesDone' | 'bytesTotal'> & Partial<SyncProgress>) =>
    ctx.progress({ filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, ...p });
  const checkDeps = { runner, scratchDir: scratch, signal: ctx.signal };
  try {
    report({ phase: 'metadata', message: `reading repodata/repomd.xml from ${source.description}` });
    const repomdBytes = await source.readSmall('repodata/repomd.xml', 4 * 1024 * 1024, ctx.signal);
    if (repomdBytes === undefined) {
      // Permanent: the same source gives the same answer until someone changes it.
      throw new StrikerError('REPO_FETCH_FAILED', `${source.description} is not a yum/dnf repository: it has no repodata/repomd.xml`, { details: { source: source.description }, retryable: false });
    }
    const repomdPath = join(scratch, 'repomd.xml');
    await writeFile(repomdPath, repomdBytes);
    if (repo.requireRepoSignature) {
      const asc = await source.readSmall('repodata/repomd.xml.asc', 1024 * 1024, ctx.signal);
      if (asc === undefined) throw new StrikerError('REPO_VERIFY_FAILED', `${source.description}: repodata/repomd.xml.asc is missing but the repo requires a signed repomd`, {});
      await writeFile(`${repomdPath}.asc`, asc);
      await verifyDetachedSignature({ dataPath: repomdPath, signaturePath: `${repomdPath}.asc`, keyArmored: repo.gpgKey ?? '', what: `${source.description}repodata/repomd.xml` }, checkDeps);
    }
    const repomdSha256 = createHash('sha256').update(repomdBytes).digest('hex');
    let repomd: Repomd;
    try {
      repomd = parseRepomd(repomdBytes.toString('utf8'));
    } catch (error) {
      if (error instanceof DecodeError) throw new StrikerError('REPO_FETCH_FAILED', `${source.description} is not a valid yum/dnf repository: ${error.message}`, { cause: error, details: { source: source.description }, retryable: false });
      throw error;
    }
    const previous = await readCurrentManifest(repoDir);
    if (previous !== undefined && previous.upstreamRepomdSha256 === repomdSha256 && previous.keyFingerprint === keyTag(repo, deps.signer !== undefined)) {
      log.info({ snapshot: previous.id }, 'upstream unchanged; keeping current snapshot');
      report({ phase: 'done', message: 'upstream unchanged' });
      return { repo: repo.name, snapshotId: previous.id, unchanged: true, packageCount: previous.packages.length, downloaded: 0, downloadedBytes: 0, alreadyPresent: previous.packages.length, removed: 0, retained: 0, dropped: [], durationMs: performance.now() - started };
    }

    const fetchRecord = async (record: RepomdRecord) => {
      const have = store.pathFor(record.checksum);
      if (await store.has(record.checksum)) return have;
      return store.once(record.checksum, () => source.fetchToStore(record.href, { checksum: record.checksum, ...(record.size !== undefined ? { size: record.size } : {}) }, store, { signal: ctx.signal }));
    };
    const primaryRecord = recordOf(repomd, 'primary')!;
    const primaryPath = await fetchRecord(primaryRecord);
    const upstream: PlannedPackage[] = [];
    const opened = await openMetadata(primaryPath, checkDeps, primaryRecord.href);
    try {
      for await (const p of parsePrimary(opened.chunks, { withDependencies: false })) {
        const { requires: _r, provides: _p, files: _f, ...planned } = p;
        upstream.push(planned);
      }
    } finally {
      await opened.dispose();
    }

    report({ phase: 'plan', message: `${upstream.length} packages upstream` });
    const plan = planSync({ upstream, inStore: (k) => store.hasSync(k), previous: previous?.packages ?? [], retain: repo.retain });
    log.info({ upstream: upstream.length, download: plan.download.length, present: plan.present.length, removed: plan.removed.length, retained: plan.retained.length }, 'sync plan');

    // The download phase counts the whole repo: what the store already holds (a resumed sync) is done.
    const presentBytes = plan.present.reduce((n, p) => n + p.size, 0);
    const tally = new DownloadTally(
      { files: plan.present.length + plan.download.length, bytes: presentBytes + plan.bytesToDownload },
      { files: plan.present.length, bytes: presentBytes },
    );
    let bytesReceived = 0;
    let lastReport = 0;
    const progress = (force = false) => {
      const now = performance.now();
      if (!force && now - lastReport < 250) return;
      lastReport = now;
      const t = tally.progress();
      report({ phase: 'download', ...t, message: `downloading ${t.filesDone - plan.present.length}/${plan.download.length} packages` });
    };
    progress(true);
    await runPool(plan.download, source.inFlight ?? repo.parallelism, ctx.signal, async (p) => {
      const key = checksumKey(p.checksum);
      tally.begin(key, p.size, await stat(store.partialPathFor(p.checksum)).then((st) => st.size, () => 0));
      await store.once(p.checksum, () => source.fetchToStore(p.href, { checksum: p.checksum, size: p.size }, store, { signal: ctx.signal, onBytes: (n) => { bytesReceived += n; tally.add(key, n); progress(); } }));
      tally.finish(key);
      progress();
    });
    progress(true);

    const files = plan.publish.map((pkg) => ({ pkg, storePath: store.pathFor(pkg.checksum) }));
    if (repo.requirePackageSignatures) {
      // A package in the previous snapshot made under the same key and policy was checked then (same checksum, same bytes).
      const checked = new Set(previous?.keyFingerprint === keyTag(repo, deps.signer !== undefined) ? previous.packages.map((p) => checksumKey(p.checksum)) : []);
      const toCheck = files.filter((f) => !checked.has(checksumKey(f.pkg.checksum)));
      report({ phase: 'verify', filesTotal: toCheck.length, message: `checking ${toCheck.length} package signatures` });
      await checkRpmSignatures({ files: toCheck.map((f) => f.storePath), labels: toCheck.map((f) => f.pkg.href), keyArmored: repo.gpgKey ?? '' }, checkDeps);
    }

    const verbatim = repo.republish === 'auto' && plan.retained.length === 0
      && !repomd.records.some((r) => r.xmlBase !== undefined) && !upstream.some((p) => p.xmlBase !== undefined);
    let metadata: SnapshotMetadata;
    if (verbatim) {
      const clash = repomd.records.find((r) => /^repodata\/repomd\.xml(\.asc)?$/i.test(r.href));
      if (clash) throw new StrikerError('REPO_VERIFY_FAILED', `repomd.xml ${clash.type} record names ${clash.href}, which would overwrite the index itself`, { details: { href: clash.href } });
      report({ phase: 'metadata', message: `fetching ${repomd.records.length} metadata files to republish as is` });
      const mdFiles = await Promise.all(repomd.records.map(async (r) => ({ href: r.href, storePath: await fetchRecord(r) })));
      metadata = { kind: 'verbatim', repomdPath, files: mdFiles };
    } else {
      const groupRecord = groupTypes.map((t) => recordOf(repomd, t)).find((r) => r !== undefined);
      const groupsFile = groupRecord ? await decompressTo(await fetchRecord(groupRecord), join(scratch, 'comps.xml'), checkDeps, groupRecord.href) : undefined;
      const extraMetadata: { type: string; path: string; fileName: string }[] = [];
      for (const x of extraTypes) {
        const record = recordOf(repomd, x.type);
        if (record) extraMetadata.push({ ...x, path: await decompressTo(await fetchRecord(record), join(scratch, x.fileName), checkDeps, record.href) });
      }
      metadata = { kind: 'createrepo', ...(groupsFile ? { groupsFile } : {}), extraMetadata };
    }

    report({ phase: 'publish', filesTotal: files.length, message: `publishing snapshot (${metadata.kind} metadata)` });
    const published = await publishSnapshot(
      { repoDir, files, metadata, source: source.description, keepSnapshots: repo.keepSnapshots, upstreamRepomdSha256: repomdSha256, keyFingerprint: keyTag(repo, deps.signer !== undefined) },
      { runner, ctx, ...(deps.signer ? { signer: deps.signer } : {}) },
    );
    if (deps.signer) await writeIfChanged(paths.signingKeyFile, await deps.signer.publicKeyArmored());
    report({ phase: 'done', filesDone: files.length, filesTotal: files.length, bytesDone: tally.progress().bytesDone, bytesTotal: tally.progress().bytesTotal, message: `published ${published.packageCount} packages` });
    return {
      repo: repo.name, snapshotId: published.snapshotId, unchanged: false, packageCount: published.packageCount,
      downloaded: plan.download.length, downloadedBytes: bytesReceived, alreadyPresent: plan.present.length,
      removed: plan.removed.length, retained: plan.retained.length, metadata: metadata.kind, dropped: published.dropped, durationMs: performance.now() - started,
    };
  } catch (error) {
    const current = await currentSnapshotId(repoDir);
    log.warn({ err: error, keeping: current ?? null }, 'repo sync failed; the last good snapshot keeps serving');
    throw error;
  } finally {
    if (deps.source === undefined) source.close?.();
    await rm(scratch, { recursive: true, force: true });
    await release();
  }
}

/** Publishes Striker's public repo key beside the repos (served as /repos/RPM-GPG-KEY-striker). */
async function writeIfChanged(path: string, text: string): Promise<void> {
  const old = await readFile(path, 'utf8').catch(() => '');
  if (old === text) return;
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** A tag that changes when the verification policy changes, so a stricter policy forces a full re-check. */
function keyTag(repo: RepoConfig, signed: boolean): string {
  return createHash('sha256').update(`${repo.requireRepoSignature}|${repo.requirePackageSignatures}|${repo.gpgKey ?? ''}|${JSON.stringify(repo.retain)}|${repo.republish}|${signed}`).digest('hex').slice(0, 16);
}

async function decompressTo(path: string, out: string, deps: { runner: CommandRunner; scratchDir: string; signal?: AbortSignal }, label: string): Promise<string> {
  const opened = await openMetadata(path, deps, label);
  try {
    await pipeline(Readable.from(opened.chunks), createWriteStream(out));
  } finally {
    await opened.dispose();
  }
  return out;
}
