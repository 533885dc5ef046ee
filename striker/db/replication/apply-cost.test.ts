/**
 * Migration 0036 (the apply cost of a peer's changes): the live channel's row trigger reads an
 * `id` key straight from the row and any other key column through jsonb, announcing the same
 * payload either way, for inserts, updates and deletes; and the queued jobs keep one claim index.
 * Migration 0044: jobs' checks are one CHECK constraint that refuses the same rows, naming the
 * check that failed as the separate constraints did.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';

let t: TestDatabase;
let listener: pg.Client;
const heard: { topic: string; key: string }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  listener = new pg.Client({ connectionString: t.url });
  await listener.connect();
  listener.on('notification', (m) => heard.push(JSON.parse(m.payload!) as { topic: string; key: string }));
  await listener.query('LISTEN striker_live');
});
afterAll(async () => {
  await listener?.end();
  await t?.drop();
});

async function announced(topic: string, key: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!heard.some((h) => h.topic === topic && h.key === key)) {
    if (Date.now() > deadline) throw new Error(`no announcement of ${topic} ${key}; heard ${JSON.stringify(heard)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('apply cost (migration 0036)', () => {
  it('announces a row keyed by id with its id, on insert, update and delete', async () => {
    const { rows } = await t.db.query<{ id: string }>("INSERT INTO jobs (kind, payload) VALUES ('test.live', '{}') RETURNING id");
    const id = rows[0]!.id;
    await announced('jobs', id);
    heard.length = 0;
    await t.db.query("UPDATE jobs SET status = 'cancelled' WHERE id = $1", [id]);
    await announced('jobs', id);
    heard.length = 0;
    await t.db.query('DELETE FROM jobs WHERE id = $1', [id]);
    await announced('jobs', id);
  });

  it('announces a row keyed by another column with that column, on insert and delete', async () => {
    await t.db.query("INSERT INTO machines (mac) VALUES ('52:54:00:aa:bb:01')");
    await announced('machines', '52:54:00:aa:bb:01');
    heard.length = 0;
    await t.db.query("DELETE FROM machines WHERE mac = '52:54:00:aa:bb:01'");
    await announced('machines', '52:54:00:aa:bb:01');
  });

  it('keeps one index over the queued jobs for claims', async () => {
    const { rows } = await t.db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'jobs' AND indexdef LIKE '%WHERE (status = ''queued''::text)%' ORDER BY 1");
    expect(rows.map((r) => r.indexname)).toEqual(['jobs_claimable_by_owner']);
  });

  it('checks jobs with one constraint that refuses each bad row naming the check it fails, in name order', async () => {
    const { rows: checks } = await t.db.query<{ conname: string }>("SELECT conname FROM pg_constraint WHERE conrelid = 'public.jobs'::regclass AND contype = 'c'");
    expect(checks.map((c) => c.conname)).toEqual(['jobs_valid']);
    const refused = async (columns: Record<string, unknown>): Promise<{ code?: string; constraint?: string; message?: string }> => {
      const row = { kind: 'test.check', ...columns };
      const names = Object.keys(row);
      try {
        await t.db.query(`INSERT INTO jobs (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
      } catch (error) {
        const e = error as { code?: string; constraint?: string; message?: string };
        return { code: e.code, constraint: e.constraint, message: e.message };
      }
      return {};
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ progress: 100 }, 'jobs_check'],
      [{ status: 'succeeded', progress: 50 }, 'jobs_check1'],
      [{ held_reason: '' }, 'jobs_held_reason_check'],
      [{ held_reason: 'x'.repeat(301) }, 'jobs_held_reason_check'],
      [{ kind: 'Not A Kind' }, 'jobs_kind_check'],
      [{ max_attempts: 0 }, 'jobs_max_attempts_check'],
      [{ no_change: 'nothing to do' }, 'jobs_no_change_succeeded'],
      [{ progress: -1 }, 'jobs_progress_check'],
      [{ status: 'lost' }, 'jobs_status_check'],
      // Two checks fail: the first by name is reported, as PostgreSQL orders a table's checks.
      [{ kind: 'Not A Kind', progress: 100 }, 'jobs_check'],
    ];
    for (const [columns, constraint] of cases) {
      expect(await refused(columns), JSON.stringify(columns)).toEqual({
        code: '23514', constraint, message: `new row for relation "jobs" violates check constraint "${constraint}"`,
      });
    }
    expect(await refused({ status: 'succeeded', progress: 100, no_change: 'already there', held_reason: 'waits', max_attempts: 3 })).toEqual({});
    const { rows: [job] } = await t.db.query<{ id: string }>("INSERT INTO jobs (kind) VALUES ('test.check') RETURNING id");
    await expect(t.db.query('UPDATE jobs SET progress = 101 WHERE id = $1', [job!.id])).rejects.toMatchObject({ code: '23514', constraint: 'jobs_check' });
  });
});
