/**
 * Upload sessions (migration 0029; `purpose` and `meta` 0033) of OS media and of files synced to hosts: created when the browser names a file and its
 * size, moved forward chunk by chunk (`received_bytes` counts bytes on disk and verified), ended
 * complete (SHA-256 recorded, import job enqueued), failed or cancelled.
 */
import type { DbReader, DbWriter } from '../../striker/db/database.js';

export type UploadState = 'receiving' | 'complete' | 'failed' | 'cancelled';

/** What an upload is for: OS media to import, or a file synced to hosts (cluster/files). */
export type UploadPurpose = 'media' | 'file';

export interface MediaUpload {
  id: string;
  fileName: string;
  sizeBytes: number;
  receivedBytes: number;
  state: UploadState;
  sha256: string | null;
  error: string | null;
  jobId: string | null;
  purpose: UploadPurpose;
  /** What the purpose needs when the upload completes (a file's kind). */
  meta: Record<string, unknown>;
  createdBy: string | null;
  createdAt: Date;
}

const COLUMNS = `id, file_name AS "fileName", size_bytes::float8 AS "sizeBytes", received_bytes::float8 AS "receivedBytes", state, sha256, error,
  job_id AS "jobId", purpose, meta, created_by AS "createdBy", created_at AS "createdAt"`;

export async function insertUpload(q: DbWriter, u: { purpose: UploadPurpose; fileName: string; sizeBytes: number; meta: Record<string, unknown>; createdBy: string | null }): Promise<MediaUpload> {
  const { rows } = await q.write<MediaUpload>(
    `INSERT INTO media_uploads (purpose, file_name, size_bytes, meta, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [u.purpose, u.fileName, u.sizeBytes, JSON.stringify(u.meta), u.createdBy],
  );
  return rows[0]!;
}

/** The open upload of the same file (purpose, name and size), which a new start resumes instead of repeating. */
export async function findOpenUpload(q: DbReader, purpose: UploadPurpose, fileName: string, sizeBytes: number): Promise<MediaUpload | undefined> {
  const { rows } = await q.query<MediaUpload>(
    `SELECT ${COLUMNS} FROM media_uploads WHERE state = 'receiving' AND purpose = $1 AND file_name = $2 AND size_bytes = $3 ORDER BY created_at DESC LIMIT 1`,
    [purpose, fileName, sizeBytes],
  );
  return rows[0];
}

export async function getUpload(q: DbReader, id: string): Promise<MediaUpload | undefined> {
  const { rows } = await q.query<MediaUpload>(`SELECT ${COLUMNS} FROM media_uploads WHERE id = $1`, [id]);
  return rows[0];
}

/** Open uploads of one purpose first, then the most recent ended ones. */
export async function listUploads(q: DbReader, purpose: UploadPurpose = 'media', limit = 20): Promise<MediaUpload[]> {
  const { rows } = await q.query<MediaUpload>(
    `SELECT ${COLUMNS} FROM media_uploads WHERE purpose = $1 ORDER BY (state = 'receiving') DESC, created_at DESC LIMIT $2`,
    [purpose, limit],
  );
  return rows;
}

/** Records bytes appended and verified; only while receiving, and only forward from `from`. */
export async function advanceUpload(q: DbWriter, id: string, from: number, to: number): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE media_uploads SET received_bytes = $3 WHERE id = $1 AND state = 'receiving' AND received_bytes = $2`,
    [id, from, to],
  );
  return rowCount === 1;
}

/** Ends an upload complete with its SHA-256 and, when the purpose enqueued one, its job. */
export async function completeUpload(q: DbWriter, id: string, sha256: string, jobId: string | null): Promise<void> {
  await q.write(`UPDATE media_uploads SET state = 'complete', sha256 = $2, job_id = $3 WHERE id = $1 AND state = 'receiving'`, [id, sha256, jobId]);
}

/** Ends an open upload as failed (with why) or cancelled; false when it was not open. */
export async function endUpload(q: DbWriter, id: string, state: 'failed' | 'cancelled', error: string | null): Promise<boolean> {
  const { rowCount } = await q.write(`UPDATE media_uploads SET state = $2, error = $3 WHERE id = $1 AND state = 'receiving'`, [id, state, error]);
  return rowCount === 1;
}
