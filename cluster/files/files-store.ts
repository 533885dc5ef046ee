/**
 * SQL for files synced to hosts and their per-host state (migration 0033), with each Striker's
 * copy of the bytes (migration 0040, written by `file-copies-store.ts`).
 */
import { ConflictError } from '../../striker/core/errors/index.js';
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { FileCopy, FileHost, FileHostState, FileKind, SyncedFile } from './file-record.js';

/**
 * Each host's state; a fetch whose job ended without the agent's last word (cancelled, failed
 * on the Striker's side, or its agent vanished) shows as failed with the job's reason.
 */
const HOSTS = `COALESCE((SELECT jsonb_agg(jsonb_build_object('hostId', h.host_id,
  'state', CASE WHEN h.state IN ('pending', 'fetching') AND j.status IN ('failed', 'cancelled') THEN 'failed' ELSE h.state END,
  'bytes', h.bytes,
  'error', CASE WHEN h.state IN ('pending', 'fetching') AND j.status IN ('failed', 'cancelled')
                THEN COALESCE(j.last_error, 'the fetch job was ' || j.status) ELSE h.error END,
  'jobId', h.job_id, 'updatedAt', h.updated_at) ORDER BY h.host_id)
  FROM file_hosts h LEFT JOIN jobs j ON j.id = h.job_id WHERE h.file_id = f.id), '[]'::jsonb) AS hosts`;

/** Each Striker's copy of the bytes (migration 0040). */
const COPIES = `COALESCE((SELECT jsonb_agg(jsonb_build_object('node', c.node, 'state', c.state, 'bytes', c.bytes, 'source', c.source,
  'error', c.error, 'updatedAt', c.updated_at) ORDER BY c.node) FROM file_copies c WHERE c.file_id = f.id), '[]'::jsonb) AS copies`;

const COLUMNS = `f.id, f.name, f.kind, f.size_bytes::float8 AS "sizeBytes", f.sha256, f.uploaded_by AS "uploadedBy",
  f.uploaded_at AS "uploadedAt", f.modified_at AS "modifiedAt", ${HOSTS}, ${COPIES}`;

type Row = Omit<SyncedFile, 'hosts' | 'copies'> & {
  hosts: (Omit<FileHost, 'updatedAt'> & { updatedAt: string })[];
  copies: (Omit<FileCopy, 'updatedAt'> & { updatedAt: string })[];
};

const fileOf = (r: Row): SyncedFile => ({
  ...r,
  hosts: r.hosts.map((h) => ({ ...h, bytes: Number(h.bytes), updatedAt: new Date(h.updatedAt) })),
  copies: r.copies.map((c) => ({ ...c, bytes: Number(c.bytes), updatedAt: new Date(c.updatedAt) })),
});

export async function insertFile(q: DbReader & DbWriter, f: { id: string; name: string; kind: FileKind; sizeBytes: number; sha256: string; uploadedBy: string | null }): Promise<SyncedFile> {
  try {
    await q.write(`INSERT INTO files (id, name, kind, size_bytes, sha256, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6)`, [f.id, f.name, f.kind, f.sizeBytes, f.sha256, f.uploadedBy]);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictError(`a file named ${f.name} exists already; remove it first or choose another name`, { name: f.name });
    throw error;
  }
  return (await fileById(q, f.id))!;
}

export async function listFiles(q: DbReader): Promise<SyncedFile[]> {
  const { rows } = await q.query<Row>(`SELECT ${COLUMNS} FROM files f ORDER BY f.name`);
  return rows.map(fileOf);
}

export async function fileById(q: DbReader, id: string): Promise<SyncedFile | undefined> {
  const { rows } = await q.query<Row>(`SELECT ${COLUMNS} FROM files f WHERE f.id = $1`, [id]);
  return rows[0] === undefined ? undefined : fileOf(rows[0]);
}

export async function fileByName(q: DbReader, name: string): Promise<SyncedFile | undefined> {
  const { rows } = await q.query<Row>(`SELECT ${COLUMNS} FROM files f WHERE f.name = $1`, [name]);
  return rows[0] === undefined ? undefined : fileOf(rows[0]);
}

/** Servers whose install or driver ISO is this path on their nodes. */
export async function serversUsingPath(q: DbReader, path: string): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(`SELECT name FROM servers WHERE install_iso = $1 OR driver_iso = $1 ORDER BY name`, [path]);
  return rows.map((r) => r.name);
}

export async function deleteFile(q: DbWriter, id: string): Promise<boolean> {
  const { rowCount } = await q.write(`DELETE FROM files WHERE id = $1`, [id]);
  return rowCount === 1;
}

/** A host is to fetch the file with `jobId`: its row starts again at pending. */
export async function markPending(q: DbWriter, fileId: string, hostId: string, jobId: string): Promise<void> {
  await q.write(
    `INSERT INTO file_hosts (file_id, host_id, state, bytes, error, job_id) VALUES ($1, $2, 'pending', 0, NULL, $3)
     ON CONFLICT (file_id, host_id) DO UPDATE SET state = 'pending', bytes = 0, error = NULL, job_id = $3, updated_at = clock_timestamp()`,
    [fileId, hostId, jobId],
  );
}

export async function fileHost(q: DbReader, fileId: string, hostId: string): Promise<FileHost | undefined> {
  const { rows } = await q.query<FileHost>(
    `SELECT host_id AS "hostId", state, bytes::float8 AS bytes, error, job_id AS "jobId", updated_at AS "updatedAt" FROM file_hosts WHERE file_id = $1 AND host_id = $2`,
    [fileId, hostId],
  );
  return rows[0];
}

/**
 * Records what a host's agent reports, only for the fetch job the row names now (a report of an
 * older fetch is ignored); false when nothing matched.
 */
export async function recordHostState(q: DbWriter, fileId: string, hostId: string, jobId: string, s: { state: FileHostState; bytes: number; error: string | null }): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE file_hosts SET state = $4, bytes = $5, error = $6, updated_at = clock_timestamp() WHERE file_id = $1 AND host_id = $2 AND job_id = $3`,
    [fileId, hostId, jobId, s.state, s.bytes, s.error],
  );
  return rowCount === 1;
}

/** The status of the jobs named, by id. */
export async function jobStatuses(q: DbReader, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await q.query<{ id: string; status: string }>(`SELECT id, status FROM jobs WHERE id = ANY ($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.status]));
}
