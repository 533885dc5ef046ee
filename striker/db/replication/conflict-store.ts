/**
 * The `conflicts` table: every version a conflict rule discarded (migration 0013). Apply workers
 * record into the local `conflict_inbox` (their own writes never reach peers); `shareConflicts`
 * moves those rows into `conflicts` from an ordinary session so every Striker sees them.
 */
import type { Database, DbReader, DbWriter } from '../database.js';

export interface ConflictRow {
  id: string;
  tableName: string;
  rowId: string;
  kind: 'update' | 'insert' | 'delete';
  /** The version kept; null when the row was deleted. */
  kept: Record<string, unknown> | null;
  discarded: Record<string, unknown>;
  keptOrigin: string;
  discardedOrigin: string;
  detectedOn: string;
  detectedAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: 'kept' | 'restored-discarded' | null;
}

/** Moves recorded conflicts from the inbox into the replicated table; returns how many were new. */
export async function shareConflicts(db: Database): Promise<number> {
  return db.tx(async (t) => {
    const r = await t.write(
      `WITH moved AS (DELETE FROM public.conflict_inbox RETURNING *)
       INSERT INTO public.conflicts (id, table_name, row_id, kind, kept, discarded, kept_origin, discarded_origin, detected_on, detected_at)
       SELECT id, table_name, row_id, kind, kept, discarded, kept_origin, discarded_origin, detected_on, detected_at FROM moved
       ON CONFLICT (id) DO NOTHING`,
    );
    return r.rowCount ?? 0;
  });
}

export async function listConflicts(db: DbReader, options: { unresolvedOnly?: boolean; limit?: number } = {}): Promise<ConflictRow[]> {
  const { rows } = await db.query<{
    id: string; table_name: string; row_id: string; kind: ConflictRow['kind']; kept: Record<string, unknown> | null; discarded: Record<string, unknown>;
    kept_origin: string; discarded_origin: string; detected_on: string; detected_at: Date; resolved_at: Date | null; resolved_by: string | null; resolution: ConflictRow['resolution'];
  }>(
    `SELECT id, table_name, row_id, kind, kept, discarded, kept_origin, discarded_origin, detected_on, detected_at, resolved_at, resolved_by, resolution
       FROM public.conflicts WHERE ($1::boolean IS NOT TRUE OR resolved_at IS NULL) ORDER BY detected_at DESC, id LIMIT $2`,
    [options.unresolvedOnly ?? false, options.limit ?? 500],
  );
  return rows.map((r) => ({
    id: r.id, tableName: r.table_name, rowId: r.row_id, kind: r.kind, kept: r.kept, discarded: r.discarded,
    keptOrigin: r.kept_origin, discardedOrigin: r.discarded_origin, detectedOn: r.detected_on, detectedAt: r.detected_at,
    resolvedAt: r.resolved_at, resolvedBy: r.resolved_by, resolution: r.resolution,
  }));
}

/** Marks a conflict resolved; false when it does not exist or was already resolved. */
export async function markConflictResolved(db: DbWriter, id: string, resolution: 'kept' | 'restored-discarded', by: string): Promise<boolean> {
  const r = await db.write(
    'UPDATE public.conflicts SET resolved_at = clock_timestamp(), resolved_by = $3, resolution = $2 WHERE id = $1 AND resolved_at IS NULL',
    [id, resolution, by],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Deletes row_deletions older than `keepDays` (every peer has long applied them). */
export async function purgeRowDeletions(db: DbWriter, keepDays: number): Promise<number> {
  const r = await db.write('DELETE FROM public.row_deletions WHERE deleted_at < clock_timestamp() - make_interval(days => $1)', [keepDays]);
  return r.rowCount ?? 0;
}
