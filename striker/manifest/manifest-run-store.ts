/**
 * Runs of manifests in PostgreSQL (`manifest_runs`, migration 0017): the revision that ran, its
 * secret-free document and the job map. The jobs themselves are the job store's.
 */
import { NotFoundError } from '../core/errors/index.js';
import { isUuid } from '../core/validation/uuid.js';
import type { DbReader, DbWriter } from '../db/database.js';
import type { ManifestView } from './manifest-schema.js';
import type { RunTarget } from './run-manifest.js';

/** One job of a run, as the row's `jobs` array holds it. */
export interface RunJobEntry {
  key: string;
  target: RunTarget;
  hostId: string | null;
  kind: string;
  jobId: string;
  fingerprint: string;
  /** True when this run created the job; false when it kept the job of an earlier run. */
  created: boolean;
}

export interface ManifestRunRow {
  id: string;
  manifestId: string;
  revision: string;
  document: ManifestView;
  jobs: RunJobEntry[];
  createdBy: string | null;
  createdAt: Date;
}

const COLUMNS = `id, manifest_id AS "manifestId", revision, document, jobs, created_by AS "createdBy", created_at AS "createdAt"`;

/** Serialises runs of one manifest (two operators pressing Run at once make one run). */
export async function lockManifestRuns(q: DbWriter, manifestId: string): Promise<void> {
  await q.write(`SELECT pg_advisory_xact_lock(hashtextextended('manifest_runs:' || $1, 0))`, [manifestId]);
}

export async function insertManifestRun(q: DbWriter, run: { manifestId: string; revision: string; document: ManifestView; jobs: RunJobEntry[]; createdBy: string | null }): Promise<ManifestRunRow> {
  const { rows } = await q.write<ManifestRunRow>(
    `INSERT INTO manifest_runs (manifest_id, revision, document, jobs, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [run.manifestId, run.revision, JSON.stringify(run.document), JSON.stringify(run.jobs), run.createdBy],
  );
  return rows[0]!;
}

/** The manifest's runs, newest first. */
export async function listManifestRuns(q: DbReader, manifestId: string, limit = 50): Promise<ManifestRunRow[]> {
  const { rows } = await q.query<ManifestRunRow>(`SELECT ${COLUMNS} FROM manifest_runs WHERE manifest_id = $1 ORDER BY created_at DESC, id LIMIT $2`, [manifestId, limit]);
  return rows;
}

export async function latestManifestRun(q: DbReader, manifestId: string): Promise<ManifestRunRow | undefined> {
  return (await listManifestRuns(q, manifestId, 1))[0];
}

/** One run of the manifest; an id that is not a uuid, or a run of another manifest, names none. */
export async function getManifestRun(q: DbReader, manifestId: string, runId: string): Promise<ManifestRunRow> {
  if (!isUuid(runId)) throw new NotFoundError('manifest run', runId.slice(0, 80));
  const { rows } = await q.query<ManifestRunRow>(`SELECT ${COLUMNS} FROM manifest_runs WHERE id = $1 AND manifest_id = $2`, [runId, manifestId]);
  if (!rows[0]) throw new NotFoundError('manifest run', runId);
  return rows[0];
}

/** The newest run whose job map holds `jobId` (a kept job belongs to several runs), or undefined. */
export async function manifestRunOfJob(q: DbReader, jobId: string): Promise<ManifestRunRow | undefined> {
  const { rows } = await q.query<ManifestRunRow>(
    `SELECT ${COLUMNS} FROM manifest_runs WHERE jobs @> $1::jsonb ORDER BY created_at DESC, id LIMIT 1`,
    [JSON.stringify([{ jobId }])],
  );
  return rows[0];
}
