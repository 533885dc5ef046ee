/**
 * The history tables (schema `history`, filled by triggers the migrations create): trimming rows
 * older than a retention. The audit log's history is kept whole.
 */
import type { DbReader, DbWriter } from './database.js';
import { quoteIdent } from './sql-quote.js';

/** Deletes history rows older than `keepDays` from every history table but the audit log's; returns how many. */
export async function purgeHistory(q: DbReader & DbWriter, keepDays: number): Promise<number> {
  const tables = await q.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'history'");
  let rows = 0;
  for (const { table_name } of tables.rows) {
    if (table_name === 'audit_log') continue;
    const r = await q.write(`DELETE FROM history.${quoteIdent(table_name)} WHERE history_at < clock_timestamp() - make_interval(days => $1)`, [keepDays]);
    rows += r.rowCount ?? 0;
  }
  return rows;
}
