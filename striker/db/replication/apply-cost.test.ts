/**
 * Migration 0036 (the apply cost of a peer's changes): the live channel's row trigger reads an
 * `id` key straight from the row and any other key column through jsonb, announcing the same
 * payload either way, for inserts, updates and deletes; and the queued jobs keep one claim index.
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
});
