import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../test/support/test-database.js';
import { systemActor } from '../striker/audit/audit-store.js';
import { catalogOf } from '../striker/jobs/job-kind.js';
import { repoJobKinds } from './repo-jobs.js';
import { RepoScheduler } from './repo-scheduler.js';
import { addRepo } from './actions.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('RepoScheduler', () => {
  it('enqueues due syncs once, leaves manual repos alone, and collects garbage daily', async () => {
    const catalog = catalogOf(repoJobKinds({ db: t.db, dataDir: '/nonexistent', runner: async () => { throw new Error('not run'); } }));
    await addRepo(t.db, systemActor, { name: 'hourly', source: { kind: 'directory', path: tmpdir() }, schedule: { kind: 'interval', everyMinutes: 60 } });
    await addRepo(t.db, systemActor, { name: 'manual', source: { kind: 'directory', path: tmpdir() } });
    const scheduler = new RepoScheduler(t.db, catalog, quietLogger);
    const now = new Date();
    expect(await scheduler.tick(now)).toEqual(['hourly', '(store garbage collection)']);
    // Already queued: nothing more.
    expect(await scheduler.tick(new Date(now.getTime() + 2 * 3600_000))).toEqual([]);
    await t.db.query("UPDATE jobs SET status = 'cancelled', finished_at = now()");
    // Ran just now: the next hourly sync is an hour after it.
    expect(await scheduler.tick(new Date(now.getTime() + 10 * 60_000))).toEqual([]);
    expect(await scheduler.tick(new Date(now.getTime() + 61 * 60_000))).toEqual(['hourly']);
    const { rows } = await t.db.query<{ kind: string; n: number }>('SELECT kind, count(*)::int AS n FROM jobs GROUP BY kind ORDER BY kind');
    expect(rows).toEqual([{ kind: 'repo.collect-garbage', n: 1 }, { kind: 'repo.sync', n: 2 }]);
  });
});
