/**
 * `maintenance.purge`: removes expired sessions and finished jobs older than the retention, trims
 * history rows older than the retention, and runs the purges areas hand in (boot events, for one).
 * Run by an operator, and by `maintenance-schedule.ts` every `jobs.purgeEveryHours`.
 */
import { z } from 'zod';
import { purgeExpiredSessions } from '../auth/session-store.js';
import type { Database } from '../db/database.js';
import { purgeHistory } from '../db/history-store.js';
import { defineJobKind } from './job-kind.js';
import { purgeFinishedJobs } from './job-store.js';

/** A purge an area adds: what it removes (for the job's messages) and how. */
export interface PurgeStep {
  /** Plural noun for the message, e.g. "boot events". */
  what: string;
  /** Removes what is older than `keepDays` (and whatever else the area bounds); returns how many rows. */
  run(keepDays: number): Promise<number>;
}

export function purgeJobKind(db: Database, steps: readonly PurgeStep[] = []) {
  return defineJobKind({
    kind: 'maintenance.purge',
    title: 'Purge expired sessions and old records',
    payload: z.strictObject({ keepDays: z.number().int().min(1).max(3650).default(90) }),
    maxAttempts: 3,
    onStale: 'retry',
    async run(ctx) {
      const { keepDays } = ctx.payload;
      const sessions = await purgeExpiredSessions(db);
      await ctx.progress(20, 'Removed {n} expired sessions', { n: sessions });
      ctx.checkpoint();
      const jobs = await purgeFinishedJobs(db, keepDays, ctx.job.id);
      await ctx.progress(40, 'Removed {n} finished jobs older than {days} days', { n: jobs, days: keepDays });
      ctx.checkpoint();
      let removed = sessions + jobs;
      for (const [i, step] of steps.entries()) {
        const n = await step.run(keepDays);
        removed += n;
        await ctx.progress(40 + Math.round((40 * (i + 1)) / steps.length), 'Removed {n} {what}', { n, what: step.what }, { milestone: true });
        ctx.checkpoint();
      }
      const rows = await purgeHistory(db, keepDays);
      removed += rows;
      await ctx.progress(99, 'Removed {n} history rows older than {days} days', { n: rows, days: keepDays });
      if (removed === 0) ctx.nothingChanged(`nothing was old enough to remove (older than ${keepDays} days)`);
    },
  });
}
