/**
 * Putting a discarded version back: when an admin keeps the version a conflict rule discarded,
 * that version is written over the row (or inserted again when the row was deleted) with a new
 * `modified_at`, so it is the newest everywhere and replicates like any change. The table name
 * comes from the conflict row and must be a replicated table (checked by the caller); the values
 * go through jsonb_populate_record, so only the table's own columns are written.
 */
import type { DbTx } from '../db/database.js';

export async function restoreVersion(t: DbTx, table: string, rowId: string, version: Record<string, unknown>): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new Error(`not a table name: ${table.slice(0, 80)}`);
  const { rows } = await t.query<{ columns: string[] }>(
    `SELECT array_agg(attname::text ORDER BY attnum) AS columns FROM pg_attribute
      WHERE attrelid = ('public.' || quote_ident($1))::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('id', 'modified_at')`,
    [table],
  );
  const columns = rows[0]!.columns.map((c) => `"${c}"`);
  const record = `jsonb_populate_record(NULL::public."${table}", $1::jsonb)`;
  const updated = await t.write(
    `UPDATE public."${table}" SET (${columns.join(', ')}, modified_at) = (SELECT ${columns.map((c) => `r.${c}`).join(', ')}, clock_timestamp() FROM ${record} r) WHERE id = $2`,
    [JSON.stringify(version), rowId],
  );
  if ((updated.rowCount ?? 0) === 0) {
    await t.write(
      `INSERT INTO public."${table}" (id, ${columns.join(', ')}, modified_at) SELECT $2::uuid, ${columns.map((c) => `r.${c}`).join(', ')}, clock_timestamp() FROM ${record} r`,
      [JSON.stringify(version), rowId],
    );
  }
}
