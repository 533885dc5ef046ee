/**
 * The repo actions, each once for the API and the CLI: validation, the change and its audit row
 * in one transaction. Adding and removing repos; syncing a repo and importing OS media, which
 * enqueue jobs (the job row is the change).
 */
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { audit, type ActionOptions, type Actor } from '../striker/audit/audit-store.js';
import { ConflictError, NotFoundError, ValidationError } from '../striker/core/errors/index.js';
import { parseInput } from '../striker/core/validation/zod-problems.js';
import type { Database } from '../striker/db/database.js';
import { enqueueJob } from '../striker/jobs/enqueue.js';
import type { Job } from '../striker/jobs/job.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import { repoConfigSchema, type RepoConfig } from './config.js';
import { deleteRepo, getRepo, insertRepo, type RepoRecord } from './repo-store.js';

const REPO_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const importIsoSchema = z.strictObject({
  path: z.string().startsWith('/', 'must be an absolute path to an ISO on the Striker').max(4096),
  name: z.string().regex(REPO_NAME, 'must be 1–64 of a-z 0-9 . _ -').optional(),
});

/** A repo's configuration, every problem listed under `path` ('body' for the API). */
export function parseRepoConfig(input: unknown, path = ''): RepoConfig {
  return parseInput(repoConfigSchema, input, 'repo', path);
}

/** A repo name from a URL or an argument; one that cannot exist is not found. */
export function repoNameOf(raw: string): string {
  if (!REPO_NAME.test(raw)) throw new NotFoundError('repo', raw.slice(0, 80));
  return raw;
}

/**
 * A directory source must exist when it is added: a mistyped path is refused here, with the
 * field named, instead of failing at the first sync.
 */
async function requireSourceDirectory(config: RepoConfig, inputPath: string | undefined): Promise<void> {
  if (config.source.kind !== 'directory') return;
  const path = config.source.path;
  const info = await stat(path).catch(() => undefined);
  const problem = info === undefined ? `directory ${path} not found on this Striker` : info.isDirectory() ? undefined : `${path} is not a directory`;
  if (problem !== undefined) throw new ValidationError([{ path: [inputPath, 'source.path'].filter(Boolean).join('.'), message: problem }], 'repo');
}

export async function addRepo(db: Database, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<RepoRecord> {
  const config = parseRepoConfig(input, options.inputPath);
  await requireSourceDirectory(config, options.inputPath);
  return db.tx(async (t) => {
    const repo = await insertRepo(t, config);
    if (!repo) throw new ConflictError(`repo ${config.name} already exists`, { name: config.name });
    await audit(t, actor, { action: 'repo.add', targetKind: 'repo', targetId: config.name, details: { source: config.source }, requestId: options.requestId });
    return repo;
  });
}

/** Stops mirroring a repo (its published files stay until pruned); one from the configuration file is refused. */
export async function removeRepo(db: Database, actor: Actor, rawName: string, options: ActionOptions = {}): Promise<void> {
  const name = repoNameOf(rawName);
  await db.tx(async (t) => {
    const removed = await deleteRepo(t, name);
    if (!removed) throw new NotFoundError('repo', name);
    if (removed.fromConfig) throw new ConflictError(`repo ${name} comes from the configuration file; remove it there`, { name });
    await audit(t, actor, { action: 'repo.remove', targetKind: 'repo', targetId: name, requestId: options.requestId });
  });
}

/** Enqueues a `repo.sync` job for an existing repo. */
export async function startRepoSync(db: Database, catalog: JobCatalog, actor: Actor, rawName: string, options: ActionOptions = {}): Promise<Job> {
  const name = repoNameOf(rawName);
  return db.tx(async (t) => {
    await getRepo(t, name);
    const job = await enqueueJob(t, catalog, { kind: 'repo.sync', payload: { name }, createdBy: actor.userId });
    await audit(t, actor, { action: 'repo.sync', targetKind: 'repo', targetId: name, details: { jobId: job.id }, requestId: options.requestId });
    return job;
  });
}

/** Enqueues a `repo.import-iso` job for an ISO file on the Striker. */
export async function startIsoImport(db: Database, catalog: JobCatalog, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<Job> {
  const request = parseInput(importIsoSchema, input, 'ISO import', options.inputPath);
  return db.tx(async (t) => {
    const job = await enqueueJob(t, catalog, { kind: 'repo.import-iso', payload: request, createdBy: actor.userId });
    await audit(t, actor, { action: 'repo.import-iso', targetKind: 'iso', targetId: request.path, details: { jobId: job.id }, requestId: options.requestId });
    return job;
  });
}
