import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { nextRunAfter } from '../agent/host-agent-store.js';
import { claimJobs, finishJob, getJob, insertJob, jobMessages, releaseHeldJob, requestCancel, type NewJob } from './job-store.js';
import type { Job } from './job.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterEach(async () => {
  await t.db.query('DELETE FROM jobs');
});
afterAll(async () => t.drop());

const HOST = '52-54-00-00-00-01';
const KINDS = ['test.a', 'test.b', 'test.c'];

function job(kind: string, over: Partial<NewJob> = {}): Promise<Job> {
  return insertJob(t.db, { kind, payload: {}, maxAttempts: 1, retryOnStale: false, ...over });
}

async function claimAll(targetHost: string | null = null): Promise<string[]> {
  return (await claimJobs(t.db, { workerId: 'w', kinds: KINDS, targetHost, limit: 10 })).map((j) => j.id);
}

describe('job dependencies', () => {
  it('a job is claimable only once every job it waits for has succeeded', async () => {
    const a = await job('test.a');
    const b = await job('test.b');
    const c = await job('test.c', { waitsFor: [a.id, b.id] });
    expect(c.waitsFor).toEqual([a.id, b.id]);
    expect(c.message).toBe('Waiting for 2 jobs to succeed');
    expect((await claimAll()).sort()).toEqual([a.id, b.id].sort());
    await finishJob(t.db, a.id, 'w', { kind: 'succeeded' });
    expect(await claimAll()).toEqual([]);
    await finishJob(t.db, b.id, 'w', { kind: 'succeeded' });
    expect(await claimAll()).toEqual([c.id]);
  });

  it('when a job fails, the jobs waiting for it fail "because" it failed, down the whole graph', async () => {
    const a = await job('test.a');
    const b = await job('test.b', { waitsFor: [a.id] });
    const c = await job('test.c', { waitsFor: [b.id], targetHost: HOST });
    const other = await job('test.c');
    await claimAll();
    await finishJob(t.db, a.id, 'w', { kind: 'failed', error: 'disk full', retryAfterSeconds: null });
    const [gotB, gotC, gotOther] = await Promise.all([getJob(t.db, b.id), getJob(t.db, c.id), getJob(t.db, other.id)]);
    expect(gotB.status).toBe('failed');
    expect(gotB.lastError).toBe(`because job test.a ${a.id} failed`);
    expect(gotB.finishedAt).not.toBeNull();
    expect(gotC.status).toBe('failed');
    expect(gotC.lastError).toBe(`because job test.b ${b.id} failed`);
    expect(gotOther.status).toBe('running');
    const messages = await jobMessages(t.db, c.id);
    expect(messages.map((m) => [m.level, m.message, m.vars])).toEqual([['error', 'Not run: {dependency} failed', { dependency: `test.b ${b.id}` }]]);
    expect(await claimAll(HOST)).toEqual([]);
  });

  it('a failure that will be retried is not the end: the waiting job keeps waiting', async () => {
    const a = await insertJob(t.db, { kind: 'test.a', payload: {}, maxAttempts: 3, retryOnStale: false });
    const b = await job('test.b', { waitsFor: [a.id] });
    await claimAll();
    await finishJob(t.db, a.id, 'w', { kind: 'failed', error: 'flaky', retryAfterSeconds: 0 });
    expect((await getJob(t.db, a.id)).status).toBe('queued');
    expect((await getJob(t.db, b.id)).status).toBe('queued');
  });

  it('cancelling a job cancels the jobs waiting for it', async () => {
    const a = await job('test.a');
    const b = await job('test.b', { waitsFor: [a.id] });
    await requestCancel(t.db, a.id);
    const got = await getJob(t.db, b.id);
    expect(got.status).toBe('cancelled');
    expect(got.lastError).toBe(`because job test.a ${a.id} was cancelled`);
  });

  it('a job waiting for one that already failed ends at once; one waiting for a job that does not exist is refused', async () => {
    const a = await job('test.a');
    await claimAll();
    await finishJob(t.db, a.id, 'w', { kind: 'failed', error: 'no', retryAfterSeconds: null });
    const b = await job('test.b', { waitsFor: [a.id] });
    expect(b.status).toBe('failed');
    expect(b.lastError).toBe(`because job test.a ${a.id} failed`);
    await expect(job('test.b', { waitsFor: ['00000000-0000-4000-8000-000000000000'] })).rejects.toThrow(/waits for job 00000000-0000-4000-8000-000000000000 which does not exist/);
  });

  it('a host job may wait for a Striker job; the agent claims it only after', async () => {
    const a = await job('test.a');
    const h = await job('test.b', { targetHost: HOST, waitsFor: [a.id] });
    expect(await claimAll(HOST)).toEqual([]);
    expect(await nextRunAfter(t.db, HOST)).toBeNull();
    expect(await claimAll()).toEqual([a.id]);
    await finishJob(t.db, a.id, 'w', { kind: 'succeeded' });
    expect(await nextRunAfter(t.db, HOST)).not.toBeNull();
    expect(await claimAll(HOST)).toEqual([h.id]);
  });
});

describe('held jobs', () => {
  it('an agent never claims a held job; released, it runs once its dependencies succeeded', async () => {
    const net = await job('test.a', { targetHost: HOST });
    const join = await job('test.b', { targetHost: HOST, waitsFor: [net.id], heldReason: 'cluster formation is not available yet' });
    expect(join.heldReason).toBe('cluster formation is not available yet');
    expect(join.message).toBe('Waiting: cluster formation is not available yet');
    expect(await claimAll(HOST)).toEqual([net.id]);
    await finishJob(t.db, net.id, 'w', { kind: 'succeeded' });
    expect(await claimAll(HOST)).toEqual([]);
    expect(await nextRunAfter(t.db, HOST)).toBeNull();
    expect(await releaseHeldJob(t.db, join.id)).toBe(true);
    expect(await releaseHeldJob(t.db, join.id)).toBe(false);
    expect(await claimAll(HOST)).toEqual([join.id]);
  });

  it('a held job whose dependency fails ends failed, not held forever', async () => {
    const net = await job('test.a', { targetHost: HOST });
    const join = await job('test.b', { targetHost: HOST, waitsFor: [net.id], heldReason: 'cluster formation is not available yet' });
    await claimAll(HOST);
    await finishJob(t.db, net.id, 'w', { kind: 'failed', error: 'nmcli failed', retryAfterSeconds: null });
    const got = await getJob(t.db, join.id);
    expect(got.status).toBe('failed');
    expect(got.lastError).toBe(`because job test.a ${net.id} failed`);
  });
});
