/**
 * SQL for each Striker's copy of each file's bytes (`file_copies`, migration 0040). A Striker
 * writes only its own rows (`node` = its replication node name); the row's id is derived from the
 * file and the node, so it is the same wherever it is computed.
 */
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { FileCopyState } from './file-record.js';

/** This Striker's node name (its name among its peers). */
export async function localNode(q: DbReader): Promise<string> {
  const { rows } = await q.query<{ name: string }>('SELECT public.striker_node_name() AS name');
  return rows[0]!.name;
}

export interface CopyRecord {
  state: FileCopyState;
  bytes: number;
  source: string | null;
  error: string | null;
}

/** Records where this Striker's copy of a file stands (nothing when the file is gone meanwhile). */
export async function recordCopy(q: DbWriter, fileId: string, node: string, c: CopyRecord): Promise<void> {
  await q.write(
    `INSERT INTO file_copies (id, file_id, node, state, bytes, source, error)
     SELECT md5(f.id::text || '/' || $2)::uuid, f.id, $2, $3, $4, $5, $6 FROM files f WHERE f.id = $1::uuid
     ON CONFLICT (id) DO UPDATE SET state = $3, bytes = $4, source = $5, error = $6, updated_at = clock_timestamp()`,
    [fileId, node, c.state, c.bytes, c.source, c.error?.slice(0, 2000) ?? null],
  );
}

/** Moves a fetch's byte count on (only while it is fetching). */
export async function recordCopyProgress(q: DbWriter, fileId: string, node: string, bytes: number): Promise<void> {
  await q.write(`UPDATE file_copies SET bytes = $3, updated_at = clock_timestamp() WHERE file_id = $1 AND node = $2 AND state = 'fetching'`, [fileId, node, bytes]);
}

/** A file as this Striker's copy keeper sees it: its own copy, and which other Strikers hold it. */
export interface CopyView {
  id: string;
  name: string;
  sizeBytes: number;
  sha256: string;
  own: { state: FileCopyState; updatedAt: Date } | undefined;
  /** Other Strikers whose copy is held, by node name. */
  holders: string[];
}

export interface CopyScan {
  files: CopyView[];
  /** Ids of file uploads still open here: their directory may exist before their `files` row. */
  openUploads: Set<string>;
}

/** Every file with this Striker's copy and the holders, and the open uploads, in one snapshot. */
export async function scanCopies(q: DbReader, node: string): Promise<CopyScan> {
  const { rows } = await q.query<{ id: string; name: string; sizeBytes: number; sha256: string; ownState: FileCopyState | null; ownAt: Date | null; holders: string[]; openUploads: string[] }>(
    `SELECT f.id, f.name, f.size_bytes::float8 AS "sizeBytes", f.sha256, o.state AS "ownState", o.updated_at AS "ownAt",
            ARRAY(SELECT c.node FROM file_copies c WHERE c.file_id = f.id AND c.state = 'held' AND c.node <> $1 ORDER BY c.node) AS holders,
            ARRAY[]::text[] AS "openUploads"
       FROM files f LEFT JOIN file_copies o ON o.file_id = f.id AND o.node = $1
     UNION ALL
     SELECT NULL, NULL, NULL, NULL, NULL, NULL, ARRAY[]::text[],
            ARRAY(SELECT u.id::text FROM media_uploads u WHERE u.purpose = 'file' AND u.state = 'receiving')
     ORDER BY 2 NULLS LAST`,
    [node],
  );
  const files: CopyView[] = [];
  let openUploads = new Set<string>();
  for (const r of rows) {
    if (r.id === null) openUploads = new Set(r.openUploads);
    else files.push({ id: r.id, name: r.name, sizeBytes: r.sizeBytes, sha256: r.sha256, own: r.ownState === null ? undefined : { state: r.ownState, updatedAt: r.ownAt! }, holders: r.holders });
  }
  return { files, openUploads };
}
