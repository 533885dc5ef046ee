/**
 * The Jobs list API: filters (status, kind, target), paging, counts by status, and titles that
 * name each job's subject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { testCatalog } from '../../test/support/test-job-kinds.js';
import { enqueueJob } from './enqueue.js';
import type { JobListResponse } from './job-routes.js';

let t: TestApp;
let vera: Login;

beforeAll(async () => {
  t = await createTestApp();
  await addUser(t, 'vera', 'viewer');
  vera = await loginAs(t, 'vera');
  for (let i = 0; i < 7; i++) await enqueueJob(t.t.db, testCatalog, { kind: 'test.ticks', payload: { name: `repo-${i % 2 === 0 ? 'even' : 'odd'}-${i}`, ticks: 1 } });
  for (let i = 0; i < 3; i++) await enqueueJob(t.t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 0 } });
  await t.t.db.query("UPDATE jobs SET status = 'failed', finished_at = now() WHERE kind = 'test.steps'");
});
afterAll(async () => t.close());

async function list(query: string): Promise<JobListResponse> {
  const res = await t.app.inject({ method: 'GET', url: `/api/jobs${query}`, headers: { cookie: vera.cookie } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as JobListResponse;
}

describe('GET /api/jobs', () => {
  it('titles a job with its subject', async () => {
    const { jobs } = await list('?kind=test.ticks&limit=1');
    expect(jobs[0]).toMatchObject({ title: 'Tick repo-even-6', subject: 'repo-even-6' });
    const steps = await list('?kind=test.steps&limit=1');
    expect(steps.jobs[0]!.title).toBe('Steps');
  });

  it('pages through the jobs newest first, with the total and counts by status', async () => {
    const first = await list('?limit=4');
    const second = await list('?limit=4&offset=4');
    const third = await list('?limit=4&offset=8');
    expect(first).toMatchObject({ total: 10, limit: 4, offset: 0, counts: { queued: 7, failed: 3, running: 0, succeeded: 0 } });
    expect([first.jobs.length, second.jobs.length, third.jobs.length]).toEqual([4, 4, 2]);
    const ids = [...first.jobs, ...second.jobs, ...third.jobs].map((j) => j.id);
    expect(new Set(ids).size).toBe(10);
  });

  it('filters by status, kind and part of the target, counting what the filter leaves', async () => {
    const failed = await list('?status=failed');
    expect(failed.total).toBe(3);
    expect(failed.jobs.every((j) => j.status === 'failed')).toBe(true);
    const odd = await list('?target=ODD');
    expect(odd.jobs.map((j) => j.subject).sort()).toEqual(['repo-odd-1', 'repo-odd-3', 'repo-odd-5']);
    expect(odd).toMatchObject({ total: 3, counts: { queued: 3, failed: 0 } });
    // A wildcard in the target is matched as itself.
    expect((await list('?target=%25')).total).toBe(0);
    expect((await list('?kind=test.ticks&status=failed')).total).toBe(0);
  });

  it('refuses a bad filter with the field named', async () => {
    for (const [query, field] of [['?status=done', 'status'], ['?offset=-1', 'offset'], ['?limit=0', 'limit'], ['?colour=red', 'colour']] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/api/jobs${query}`, headers: { cookie: vera.cookie } });
      expect(res.statusCode, query).toBe(400);
      expect(res.body).toContain(field);
    }
  });
});
