/**
 * GET /api/jobs/throughput on a real database: jobs counted by the bucket they ended in, every
 * bucket present, and bad ranges refused with the field named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { testCatalog } from '../../test/support/test-job-kinds.js';
import { enqueueJob } from './enqueue.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;
let t: TestApp;
let viewer: Login;

beforeAll(async () => {
  t = await createTestApp();
  const ended: [string, number][] = [['succeeded', T0 + 10 * 60_000], ['succeeded', T0 + 20 * 60_000], ['failed', T0 + 2 * HOUR + 1], ['cancelled', T0 + 3 * HOUR], ['succeeded', T0 - 1]];
  for (const [status, at] of ended) {
    const job = await enqueueJob(t.t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 1 } });
    await t.t.db.query(`UPDATE jobs SET status = $2, progress = CASE WHEN $2 = 'succeeded' THEN 100 ELSE progress END, started_at = $3, finished_at = $3 WHERE id = $1`, [job.id, status, new Date(at).toISOString()]);
  }
  await addUser(t, 'watcher', 'viewer');
  viewer = await loginAs(t, 'watcher');
});
afterAll(async () => t.close());

const get = (q: string) => t.app.inject({ method: 'GET', url: `/api/jobs/throughput?${q}`, headers: viewer.headers });

describe('GET /api/jobs/throughput', () => {
  it('counts jobs by the bucket they ended in, every bucket present', async () => {
    const res = await get('from=2026-12-01T00:00:00Z&to=2026-12-01T04:00:00Z&points=4');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.bucketSeconds).toBe(3600);
    expect(body.times).toEqual([0, 1, 2, 3].map((h) => (T0 + h * HOUR) / 1000));
    const by = Object.fromEntries(body.subjects.map((s: { subject: string; values: number[] }) => [s.subject, s.values]));
    expect(by).toEqual({ succeeded: [2, 0, 0, 0], failed: [0, 0, 1, 0], cancelled: [0, 0, 0, 1] });
    expect(body.subjects[0]).toMatchObject({ total: 2, max: 2, min: 0, latest: 0 });
  });

  it('refuses a bad date, range or number of points, naming the field', async () => {
    for (const [q, path] of [['from=soon', 'query.from'], ['from=2026-12-02&to=2026-12-01', 'query.from'], ['from=2026-01-01&to=2026-12-01', 'query.from'], ['points=5000', 'query.points'], ['x=1', 'query']] as const) {
      const res = await get(q);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.details.problems.map((p: { path: string }) => p.path).join(' '), q).toContain(path);
    }
  });

  it('refuses anonymous callers', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs/throughput' })).statusCode).toBe(401);
  });
});
