/**
 * `maintenance.purge`: removes expired sessions and finished jobs older than the retention, and
 * trims history rows older than the retention. Run by an operator or a schedule.
 */
import { z } from 'zod';
import { purgeExpiredSessions } from '../auth/session-store.js';
import type { Database } from '../db/database.js';
import { purgeHistory } from '../db/history-store.js';
import { defineJobKind } from './job-kind.js';
import { purgeFinishedJobs } from './job-store.js';

export function purgeJobKind(db: Database) {
  return defineJobKind({
    kind: 'maintenance.purge',
    title: 'Purge expired sessions and old records',
    payload: z.strictObject({ keepDays: z.number().int().min(1).max(3650).default(90) }),
    maxAttempts: 3,
    onStale: 'retry',
    async run(ctx) {
      const { keepDays } = ctx.payload;
      const sessions = await purgeExpiredSessions(db);
      await ctx.progress(30, 'Removed {n} expired sessions', { n: sessions });
      ctx.checkpoint();
      const jobs = await purgeFinishedJobs(db, keepDays, ctx.job.id);
      await ctx.progress(60, 'Removed {n} finished jobs older than {days} days', { n: jobs, days: keepDays });
      ctx.checkpoint();
      const rows = await purgeHistory(db, keepDays);
      await ctx.progress(99, 'Removed {n} history rows older than {days} days', { n: rows, days: keepDays });
    },
  });
}
