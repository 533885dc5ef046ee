/**
 * Repos in the database: the ones operators added (validated with repo-sync's schema), the ones
 * the configuration file lists (synchronised at start, marked `from_config`), their last sync
 * outcome, and imported installation trees.
 */
import type { Database, Queryable } from '../striker/db/database.js';
import { audit, type Actor } from '../striker/audit/audit-store.js';
import { ConflictError, NotFoundError } from '../striker/core/errors/index.js';
import { repoConfigSchema, type RepoConfig } from './config.js';
import { type InstallationTree } from './iso/import-iso.js';
import { type SyncResult } from './sync-repo.js';
import { parseOrThrow } from '../striker/core/validation/zod-problems.js';

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

export function parseRepoConfig(input: unknown): RepoConfig {
  return parseOrThrow(repoConfigSchema, input, 'repo', 'body');
}

export async function addRepo(db: Database, actor: Actor, config: RepoConfig, requestId?: string): Promise<RepoRecord> {
  return db.tx(async (q) => {
    const { rows } = await q.query<RepoRecord>(
      `INSERT INTO repos (name, config) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
      [config.name, JSON.stringify(config)],
    );
    if (!rows[0]) throw new ConflictError(`repo ${config.name} already exists`, { name: config.name });
    await audit(q, actor, { action: 'repo.add', targetKind: 'repo', targetId: config.name, details: { source: config.source }, requestId });
    return rows[0];
  });
}

/** Makes the database hold exactly the configuration file's repos among `from_config` ones. */
export async function syncConfiguredRepos(db: Database, repos: readonly RepoConfig[]): Promise<void> {
  await db.tx(async (q) => {
    for (const r of repos) {
      await q.query(
        `INSERT INTO repos (name, config, from_config) VALUES ($1, $2, true)
         ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config, from_config = true`,
        [r.name, JSON.stringify(r)],
      );
    }
    await q.query('DELETE FROM repos WHERE from_config AND NOT (name = ANY($1))', [repos.map((r) => r.name)]);
  });
}

export async function listRepos(q: Queryable): Promise<RepoRecord[]> {
  const { rows } = await q.query<RepoRecord>(`SELECT ${COLUMNS} FROM repos ORDER BY name`);
  return rows;
}

export async function getRepo(q: Queryable, name: string): Promise<RepoRecord> {
  const { rows } = await q.query<RepoRecord>(`SELECT ${COLUMNS} FROM repos WHERE name = $1`, [name]);
  if (!rows[0]) throw new NotFoundError('repo', name);
  return rows[0];
}

export async function removeRepo(db: Database, actor: Actor, name: string, requestId?: string): Promise<void> {
  await db.tx(async (q) => {
    const { rows } = await q.query<{ from_config: boolean }>('DELETE FROM repos WHERE name = $1 RETURNING from_config', [name]);
    if (!rows[0]) throw new NotFoundError('repo', name);
    if (rows[0].from_config) throw new ConflictError(`repo ${name} comes from the configuration file; remove it there`, { name });
    await audit(q, actor, { action: 'repo.remove', targetKind: 'repo', targetId: name, requestId });
  });
}

export async function recordSync(q: Queryable, name: string, jobId: string, outcome: { result: SyncResult } | { error: string }): Promise<void> {
  if ('result' in outcome) {
    await q.query(
      'UPDATE repos SET last_job_id = $2, last_synced_at = clock_timestamp(), last_result = $3, last_error = NULL WHERE name = $1',
      [name, jobId, JSON.stringify(outcome.result)],
    );
  } else {
    await q.query('UPDATE repos SET last_job_id = $2, last_error = $3 WHERE name = $1', [name, jobId, outcome.error]);
  }
}

export async function recordTree(q: Queryable, tree: InstallationTree, sourcePath: string): Promise<void> {
  await q.query(
    `INSERT INTO installation_trees (name, tree, source_path) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET tree = EXCLUDED.tree, source_path = EXCLUDED.source_path, imported_at = clock_timestamp()`,
    [tree.name, JSON.stringify(tree), sourcePath],
  );
}

export async function listTrees(q: Queryable): Promise<{ name: string; tree: InstallationTree; sourcePath: string; importedAt: Date }[]> {
  const { rows } = await q.query<{ name: string; tree: InstallationTree; sourcePath: string; importedAt: Date }>(
    'SELECT name, tree, source_path AS "sourcePath", imported_at AS "importedAt" FROM installation_trees ORDER BY name',
  );
  return rows;
}
