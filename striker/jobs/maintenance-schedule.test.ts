import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { enqueueJob } from './enqueue.js';
import { catalogOf } from './job-kind.js';
import { JobRunner } from './job-runner.js';
import { getJob } from './job-store.js';
import { purgeJobKind } from './maintenance-purge.js';
import { MaintenanceSchedule } from './maintenance-schedule.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('MaintenanceSchedule', () => {
  it('enqueues a purge with the configured retention when none ran within the interval, never two at once', async () => {
    const schedule = new MaintenanceSchedule(t.db, catalogOf([purgeJobKind(t.db)]), quietLogger, { everyHours: 24, keepDays: 30 });
    const now = new Date();
    expect(await schedule.tick(now)).toBe(true);
    // Queued, not yet run: no second one, even a day later.
    expect(await schedule.tick(new Date(now.getTime() + 25 * 3600_000))).toBe(false);
    await t.db.query("UPDATE jobs SET status = 'cancelled', finished_at = now()");
    expect(await schedule.tick(new Date(now.getTime() + 23 * 3600_000))).toBe(false);
    expect(await schedule.tick(new Date(now.getTime() + 25 * 3600_000))).toBe(true);
    const { rows } = await t.db.query<{ kind: string; keep: number; n: number }>(
      "SELECT kind, (payload->>'keepDays')::int AS keep, count(*)::int AS n FROM jobs GROUP BY 1, 2",
    );
    expect(rows).toEqual([{ kind: 'maintenance.purge', keep: 30, n: 2 }]);
  });

  it('says a purge that found nothing old enough changed nothing', async () => {
    await t.db.query('DELETE FROM jobs');
    const catalog = catalogOf([purgeJobKind(t.db)]);
    const job = await enqueueJob(t.db, catalog, { kind: 'maintenance.purge', payload: { keepDays: 3650 } });
    const runner = new JobRunner({ db: t.db, catalog, logger: quietLogger, host: 'test', workers: 1, pollSeconds: 0.05, heartbeatSeconds: 1, staleAfterSeconds: 30 });
    await runner.start();
    try {
      await expect.poll(async () => (await getJob(t.db, job.id)).status, { timeout: 20_000 }).toBe('succeeded');
    } finally {
      await runner.stop(2000);
    }
    expect((await getJob(t.db, job.id)).noChange).toBe('nothing was old enough to remove (older than 3650 days)');
  });
});
