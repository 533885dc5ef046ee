/**
 * Striker's own packages (`striker-agent`, and `striker` when built beside it) published as the
 * repo `striker`, which kickstarts name and install the agent from. `striker serve` runs this at
 * every start on the directory `repos.ownPackagesDir` names:
 *
 *  1. the binary RPMs in that directory are read with `rpm -qp`; without a `striker-agent` among
 *     them nothing is published, and the log and GET /api/health say why (findOwnPackages);
 *  2. they are copied to a staging directory (`<dataDir>/repos/own/striker`), signed there with
 *     Striker's repo key (`rpmsign`; hosts' `gpgcheck=1` and the kickstart's signature audit trust
 *     that key) and indexed with `createrepo_c`; a stamp of the inputs' digests and the key skips
 *     this when nothing changed;
 *  3. the staging directory is mirrored like any directory repo (`syncRepo`): content store,
 *     signed repomd.xml, atomic switch of `current`; an unchanged staging keeps the snapshot.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import { StrikerError } from '../striker/core/errors/index.js';
import type { DbWriter } from '../striker/db/database.js';
import { repoConfigSchema, type RepoConfig } from './config.js';
import type { JobContext } from './job-context.js';
import type { RepoPaths } from './repo-paths.js';
import { readySigner } from './repo-jobs.js';
import { recordSync } from './repo-store.js';
import { syncRepo, type SyncResult } from './sync-repo.js';
import type { GpgRepoSigner } from './verify/repo-signer.js';

/** The repo id kickstarts install Striker's packages from. */
export const OWN_REPO_NAME = 'striker';

/** The package without which hosts cannot be provisioned. */
export const AGENT_PACKAGE = 'striker-agent';

export interface OwnPackage {
  name: string;
  /** `name-version-release.arch`. */
  nevra: string;
  file: string;
}

export interface OwnPackagesOutcome {
  status: 'published';
  dir: string;
  packages: OwnPackage[];
  sync: SyncResult;
}

export interface OwnPackagesDeps {
  paths: RepoPaths;
  runner: CommandRunner;
  signer: GpgRepoSigner;
  ctx: JobContext;
}

/** Where the signed copies and their repodata are staged before they are mirrored. */
export function ownStagingDir(paths: RepoPaths): string {
  return join(paths.own, OWN_REPO_NAME);
}

/** The `striker` repo as repo-sync mirrors it: the staging directory, two snapshots kept. */
export function ownRepoConfig(paths: RepoPaths): RepoConfig {
  return repoConfigSchema.parse({ name: OWN_REPO_NAME, source: { kind: 'directory', path: ownStagingDir(paths) } });
}

/** The binary RPMs in `dir` with their names from the headers (none when the directory does not exist). */
export async function readOwnPackages(dir: string, runner: CommandRunner): Promise<OwnPackage[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  const files = names.filter((n) => n.endsWith('.rpm') && !n.endsWith('.src.rpm')).sort().map((n) => join(dir, n));
  if (files.length === 0) return [];
  const r = await runner(['rpm', '-qp', '--nosignature', '--nodigest', '--qf', '%{NAME}\\t%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n', ...files], { timeoutMs: 60_000 });
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  return lines.map((line, i) => {
    const [name, nevra] = line.split('\t');
    return { name: name!, nevra: nevra!, file: files[i]! };
  });
}

/** What the operator is told when `dir` holds no agent RPM. */
export function missingAgentMessage(dir: string, configKey: string): string {
  return `no ${AGENT_PACKAGE} RPM in ${dir} (${configKey}): hosts cannot install the agent from this Striker's ${OWN_REPO_NAME} repo, so their kickstarts fail the package check; build it with npm run build:rpms (or install the striker RPM, which carries it) and restart`;
}

/** Publishes `packages` (read by readOwnPackages) as the signed `striker` repo (see the header). */
export async function publishOwnPackages(dir: string, packages: readonly OwnPackage[], deps: OwnPackagesDeps): Promise<OwnPackagesOutcome> {
  if (!packages.some((p) => p.name === AGENT_PACKAGE)) throw new StrikerError('NOT_FOUND', `no ${AGENT_PACKAGE} package among ${packages.map((p) => p.nevra).join(', ') || 'no packages'} in ${dir}`, { details: { path: dir } });
  await stage(packages, deps);
  const sync = await syncRepo(ownRepoConfig(deps.paths), { paths: deps.paths, runner: deps.runner, ctx: deps.ctx, signer: deps.signer });
  return { status: 'published', dir, packages: [...packages], sync };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Copies, signs and indexes the packages in the staging directory, unless its stamp says they are there already. */
async function stage(packages: readonly OwnPackage[], deps: OwnPackagesDeps): Promise<void> {
  const staging = ownStagingDir(deps.paths);
  const stampFile = join(staging, 'stamp.json');
  const inputs = await Promise.all(packages.map(async (p) => ({ nevra: p.nevra, sha256: await sha256Of(p.file) })));
  const key = createHash('sha256').update(await deps.signer.publicKeyArmored()).digest('hex');
  const stamp = JSON.stringify({ inputs, key });
  if ((await readFile(stampFile, 'utf8').catch(() => '')) === stamp) return;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'Packages'), { recursive: true });
  const copies = packages.map((p) => join(staging, 'Packages', `${p.nevra}.rpm`));
  await Promise.all(packages.map((p, i) => copyFile(p.file, copies[i]!)));
  await deps.signer.signPackages(copies);
  await deps.runner(['createrepo_c', '--quiet', '--no-database', staging], { timeoutMs: 10 * 60_000, signal: deps.ctx.signal });
  await writeFile(stampFile, stamp);
  deps.ctx.logger.info({ path: staging, packages: packages.map((p) => p.nevra) }, `signed and staged ${packages.length} of Striker's own packages`);
}

/** What `striker serve` found in its own packages' directory, and what came of publishing them. */
export interface OwnRepoState {
  status: 'found' | 'published' | 'missing' | 'failed';
  dir: string;
  packages: OwnPackage[];
  snapshotId?: string;
  /** Why nothing new was published (missing or failed). */
  message?: string;
}

/**
 * Reads `dir` at start: `found` when it holds a striker-agent RPM, else `missing` (or `failed`
 * when the directory or an RPM in it cannot be read) with the message the log and health show.
 * Only a `found` directory makes the `striker` repo a configured repo, so a Striker without its
 * agent package does not offer kickstarts a repo that lacks it.
 */
export async function findOwnPackages(dir: string, configKey: string, runner: CommandRunner, logger: Logger): Promise<OwnRepoState> {
  const log = logger.child({ repo: OWN_REPO_NAME });
  try {
    const packages = await readOwnPackages(dir, runner);
    if (packages.some((p) => p.name === AGENT_PACKAGE)) return { status: 'found', dir, packages };
    const message = missingAgentMessage(dir, configKey);
    log.warn({ path: dir, found: packages.map((p) => p.nevra) }, message);
    return { status: 'missing', dir, packages, message };
  } catch (error) {
    const message = `cannot read Striker's own packages in ${dir} (${configKey}): ${(error as Error).message}`;
    log.error({ err: error, path: dir }, message);
    return { status: 'failed', dir, packages: [], message };
  }
}

export interface OwnRepoDeps {
  db: DbWriter;
  paths: RepoPaths;
  runner: CommandRunner;
  logger: Logger;
}

/**
 * `striker serve`'s start, for a `found` directory: publishes it (publishOwnPackages), records the
 * outcome on the repo's row (last sync, or last error) and logs it. It never throws: a Striker
 * whose publication failed still serves everything else, keeps serving the snapshot published
 * before, and says why.
 */
export async function publishOwnRepo(found: OwnRepoState, deps: OwnRepoDeps): Promise<OwnRepoState> {
  const log = deps.logger.child({ repo: OWN_REPO_NAME });
  const ctx: JobContext = { signal: new AbortController().signal, progress: () => {}, logger: log };
  try {
    const signer = await readySigner(deps.paths, deps.runner);
    const outcome = await publishOwnPackages(found.dir, found.packages, { paths: deps.paths, runner: deps.runner, signer, ctx });
    await recordSync(deps.db, OWN_REPO_NAME, null, { result: outcome.sync });
    log.info({ path: found.dir, packages: found.packages.map((p) => p.nevra), snapshot: outcome.sync.snapshotId, unchanged: outcome.sync.unchanged }, `published Striker's own packages as the signed ${OWN_REPO_NAME} repo`);
    return { ...found, status: 'published', snapshotId: outcome.sync.snapshotId };
  } catch (error) {
    const message = `publishing Striker's own packages from ${found.dir} failed: ${(error as Error).message}`;
    await recordSync(deps.db, OWN_REPO_NAME, null, { error: message }).catch(() => {});
    log.error({ err: error, path: found.dir }, message);
    return { ...found, status: 'failed', message };
  }
}
