/**
 * Repos in the database: the ones operators added (validated with repo-sync's schema), the ones
 * the configuration file lists (synchronised at start, marked `from_config`), their last sync
 * outcome, imported installation trees, and what the jobs table says about each repo's syncs.
 */
import type { DbReader, DbTx, DbWriter } from '../striker/db/database.js';
import { NotFoundError } from '../striker/core/errors/index.js';
import { type RepoConfig } from './config.js';
import { type InstallationTree } from './iso/import-iso.js';
import { type SyncResult } from './sync-repo.js';
import type { JobStatus } from '../striker/jobs/job.js';

export interface RepoRecord {
  name: string;
  config: RepoConfig;
  fromConfig: boolean;
  lastJobId: string | null;
  lastSyncedAt: Date | null;
  lastResult: SyncResult | null;
  lastError: string | null;
}

const COLUMNS = `name, config, from_config AS "fromConfig", last_job_id AS "lastJobId", last_synced_at AS "lastSyncedAt",
  last_result AS "lastResult", last_error AS "lastError"`;

/** Inserts an operator's repo; undefined when the name is taken. */
export async function insertRepo(q: DbWriter, config: RepoConfig): Promise<RepoRecord | undefined> {
  const { rows } = await q.write<RepoRecord>(
    `INSERT INTO repos (name, config) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
    [config.name, JSON.stringify(config)],
  );
  return rows[0];
}

/** Makes the database hold exactly the configuration file's repos among `from_config` ones. */
export async function syncConfiguredRepos(q: DbTx, repos: readonly RepoConfig[]): Promise<void> {
  for (const r of repos) {
    await q.write(
      `INSERT INTO repos (name, config, from_config) VALUES ($1, $2, true)
       ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config, from_config = true`,
      [r.name, JSON.stringify(r)],
    );
  }
  await q.write('DELETE FROM repos WHERE from_config AND NOT (name = ANY($1))', [repos.map((r) => r.name)]);
}

export async function listRepos(q: DbReader): Promise<RepoRecord[]> {
  const { rows } = await q.query<RepoRecord>(`SELECT ${COLUMNS} FROM repos ORDER BY name`);
  return rows;
}

export async function getRepo(q: DbReader, name: string): Promise<RepoRecord> {
  const { rows } = await q.query<RepoRecord>(`SELECT ${COLUMNS} FROM repos WHERE name = $1`, [name]);
  if (!rows[0]) throw new NotFoundError('repo', name);
  return rows[0];
}

/** Deletes a repo; undefined when there is none, else whether it came from the configuration file. */
export async function deleteRepo(q: DbWriter, name: string): Promise<{ fromConfig: boolean } | undefined> {
  const { rows } = await q.write<{ fromConfig: boolean }>('DELETE FROM repos WHERE name = $1 RETURNING from_config AS "fromConfig"', [name]);
  return rows[0];
}

/** Records a sync's outcome; `jobId` is null for the publication `striker serve` runs at start (own-packages.ts). */
export async function recordSync(q: DbWriter, name: string, jobId: string | null, outcome: { result: SyncResult } | { error: string }): Promise<void> {
  if ('result' in outcome) {
    await q.write(
      'UPDATE repos SET last_job_id = $2, last_synced_at = clock_timestamp(), last_result = $3, last_error = NULL WHERE name = $1',
      [name, jobId, JSON.stringify(outcome.result)],
    );
  } else {
    await q.write('UPDATE repos SET last_job_id = $2, last_error = $3 WHERE name = $1', [name, jobId, outcome.error]);
  }
}

export async function recordTree(q: DbWriter, tree: InstallationTree, sourcePath: string): Promise<void> {
  await q.write(
    `INSERT INTO installation_trees (name, tree, source_path) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET tree = EXCLUDED.tree, source_path = EXCLUDED.source_path, imported_at = clock_timestamp()`,
    [tree.name, JSON.stringify(tree), sourcePath],
  );
}

export async function listTrees(q: DbReader): Promise<{ name: string; tree: InstallationTree; sourcePath: string; importedAt: Date }[]> {
  const { rows } = await q.query<{ name: string; tree: InstallationTree; sourcePath: string; importedAt: Date }>(
    'SELECT name, tree, source_path AS "sourcePath", imported_at AS "importedAt" FROM installation_trees ORDER BY name',
  );
  return rows;
}

/** The latest `repo.sync` job of each repo that has one. */
/** The newest `repo.sync` job of a repo, as the repo list shows it. */
export interface LatestRepoJob {
  name: string;
  id: string;
  status: JobStatus;
  progress: number;
}

export async function latestSyncJobs(q: DbReader): Promise<LatestRepoJob[]> {
  const { rows } = await q.query<LatestRepoJob>(
    `SELECT DISTINCT ON (payload->>'name') payload->>'name' AS name, id, status, progress
       FROM jobs WHERE kind = 'repo.sync' ORDER BY payload->>'name', created_at DESC`,
  );
  return rows;
}

/** For the scheduler: when each repo's last sync was created, and whether one is queued or running. */
export async function syncActivity(q: DbReader): Promise<{ name: string; last: Date; busy: boolean }[]> {
  const { rows } = await q.query<{ name: string; last: Date; busy: boolean }>(
    `SELECT payload->>'name' AS name, max(created_at) AS last, bool_or(status IN ('queued', 'running')) AS busy
       FROM jobs WHERE kind = 'repo.sync' GROUP BY payload->>'name'`,
  );
  return rows;
}

