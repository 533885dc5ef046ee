import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { catalogOf } from './job-kind.js';
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
});
