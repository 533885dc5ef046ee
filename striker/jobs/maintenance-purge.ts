/**
 * `maintenance.purge`: removes expired sessions and finished jobs older than the retention, and
 * trims history rows older than the retention. Run by an operator or a schedule.
 */
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { defineJobKind } from './job-kind.js';

export function purgeJobKind(db: Database) {
  return defineJobKind({
    kind: 'maintenance.purge',
    title: 'Purge expired sessions and old records',
    payload: z.strictObject({ keepDays: z.number().int().min(1).max(3650).default(90) }),
    maxAttempts: 3,
    onStale: 'retry',
    async run(ctx) {
      const { keepDays } = ctx.payload;
      const sessions = await db.query('DELETE FROM sessions WHERE expires_at < clock_timestamp()');
      await ctx.progress(30, 'Removed {n} expired sessions', { n: sessions.rowCount ?? 0 });
      ctx.checkpoint();
      const jobs = await db.query(
        `DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < clock_timestamp() - make_interval(days => $1) AND id <> $2`,
        [keepDays, ctx.job.id],
      );
      await ctx.progress(60, 'Removed {n} finished jobs older than {days} days', { n: jobs.rowCount ?? 0, days: keepDays });
      ctx.checkpoint();
      const tables = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'history'");
      let rows = 0;
      for (const { table_name } of tables.rows) {
        if (table_name === 'audit_log') continue; // the audit trail is kept whole
        const r = await db.query(`DELETE FROM history.${quoteIdent(table_name)} WHERE history_at < clock_timestamp() - make_interval(days => $1)`, [keepDays]);
        rows += r.rowCount ?? 0;
      }
      await ctx.progress(99, 'Removed {n} history rows older than {days} days', { n: rows, days: keepDays });
    },
  });
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
