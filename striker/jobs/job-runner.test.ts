import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { testCatalog } from '../../test/support/test-job-kinds.js';
import { ValidationError, ConflictError } from '../core/errors/index.js';
import { enqueueJob } from './enqueue.js';
import { JobEvents } from '../events/job-events.js';
import { JobRunner, type RunnerOptions } from './job-runner.js';
import { getJob, jobMessages, requestCancel } from './job-store.js';
import type { Job } from './job.js';

let t: TestDatabase;
const runners: JobRunner[] = [];
beforeAll(async () => {
  t = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop(2000)));
  await t.db.query('DELETE FROM jobs');
});
afterAll(async () => t.drop());

function runner(over: Partial<RunnerOptions> = {}): JobRunner {
  const r = new JobRunner({ db: t.db, catalog: testCatalog, logger: quietLogger, host: 'test', workers: 2, pollSeconds: 0.05, heartbeatSeconds: 0.1, staleAfterSeconds: 5, ...over });
  runners.push(r);
  return r;
}

// Generous bounds: they only decide when a stuck job is reported, never what a test asserts.
async function waitFor(id: string, pred: (j: Job) => boolean, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(t.db, id);
    if (pred(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} stuck: ${job.status} ${job.progress}% ${job.lastError ?? ''}`);
    await sleep(25);
  }
}

describe('job runner', { timeout: 180_000 }, () => {
  it('validates kind and payload on enqueue, listing every problem', async () => {
    const bad = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 0, stepMs: 'x', extra: 1 } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).problems.map((p) => p.path).sort()).toEqual(['payload.extra', 'payload.stepMs', 'payload.steps']);
    await expect(enqueueJob(t.db, testCatalog, { kind: 'shell.exec', payload: {} })).rejects.toThrow(/must be one of/);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
    expect(rows[0]!.n).toBe(0);
  });

  it('runs a job to 100 with its message history, progress only going up', async () => {
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 5, stepMs: 5 } });
    const seen: number[] = [];
    const events = new JobEvents(t.db, quietLogger);
    await events.start();
    events.subscribe((j) => j.id === job.id && seen.push(j.progress));
    runner().start();
    const done = await waitFor(job.id, (j) => j.status === 'succeeded');
    // Changes announced while a read is in flight are coalesced into one more read, so how many
    // intermediate steps the events carry depends on timing; which values, their order and the
    // last one do not. The message history holds every step.
    await expect.poll(() => seen.at(-1), { timeout: 15_000 }).toBe(100);
    await events.close();
    expect(done.progress).toBe(100);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const messages = await jobMessages(t.db, job.id);
    expect(messages.map((m) => m.progress)).toEqual([20, 40, 60, 80, 99, 100]);
    expect(seen.every((p) => p === 0 || messages.some((m) => m.progress === p))).toBe(true);
    expect(messages[0]).toMatchObject({ message: 'Step {step} of {steps}', vars: { step: 1, steps: 5 } });
  });

  it('refuses to move progress backwards in the database itself', async () => {
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 0 } });
    await t.db.query("UPDATE jobs SET status = 'running', progress = 50 WHERE id = $1", [job.id]);
    await expect(t.db.query('UPDATE jobs SET progress = 49 WHERE id = $1', [job.id])).rejects.toThrow(/backwards/);
    await expect(t.db.query('UPDATE jobs SET progress = 100 WHERE id = $1', [job.id])).rejects.toThrow(/check constraint/);
    expect((await getJob(t.db, job.id)).progress).toBe(50);
  });

  it('never runs a job twice when two workers claim at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 5 } })).id);
    const a = runner({ workers: 4 });
    const b = runner({ workers: 4 });
    await Promise.all([a.start(), b.start()]);
    for (const id of ids) await waitFor(id, (j) => j.status === 'succeeded');
    const { rows } = await t.db.query<{ id: string; runs: number }>(
      "SELECT id, count(*)::int AS runs FROM history.jobs WHERE history_op = 'UPDATE' AND status = 'running' AND progress = 0 AND id = ANY($1) GROUP BY id",
      [ids],
    );
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.runs === 1)).toBe(true);
    const total = a.state().counts.claimed + b.state().counts.claimed;
    expect(total).toBe(30);
    expect(a.state().counts.claimed).toBeGreaterThan(0);
    expect(b.state().counts.claimed).toBeGreaterThan(0);
  });

  it('retries a failing job per its kind and keeps the last error', async () => {
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.flaky', payload: { failUntilAttempt: 2 } });
    runner().start();
    const done = await waitFor(job.id, (j) => j.status === 'succeeded');
    expect(done.attempts).toBe(3);
    expect(done.lastError).toBe('attempt 2 broke');
    const failing = await enqueueJob(t.db, testCatalog, { kind: 'test.flaky', payload: { failUntilAttempt: 9 } });
    const failed = await waitFor(failing.id, (j) => j.status === 'failed');
    expect(failed.attempts).toBe(3);
    expect(failed.progress).toBe(40);
    expect(failed.lastError).toBe('attempt 3 broke');
    // An error that says retrying cannot help ends the job at its first attempt; one that may be retried is.
    const refused = await enqueueJob(t.db, testCatalog, { kind: 'test.flaky', payload: { failUntilAttempt: 9, retryable: false } });
    expect(await waitFor(refused.id, (j) => j.status === 'failed')).toMatchObject({ attempts: 1, lastError: 'attempt 1 broke' });
    const retried = await enqueueJob(t.db, testCatalog, { kind: 'test.flaky', payload: { failUntilAttempt: 1, retryable: true } });
    expect(await waitFor(retried.id, (j) => j.status === 'succeeded')).toMatchObject({ attempts: 2 });
  });

  it('cancels a queued job at once and a running job at its next checkpoint', async () => {
    const queued = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 0 } });
    expect((await requestCancel(t.db, queued.id)).status).toBe('cancelled');
    await expect(requestCancel(t.db, queued.id)).rejects.toBeInstanceOf(ConflictError);
    const long = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 50, stepMs: 100 } });
    runner().start();
    await waitFor(long.id, (j) => j.progress >= 4);
    await requestCancel(t.db, long.id);
    const cancelled = await waitFor(long.id, (j) => j.status === 'cancelled');
    expect(cancelled.progress).toBeLessThan(99);
    expect(cancelled.finishedAt).toBeInstanceOf(Date);
  });

  it('notices a worker killed mid-job and retries the job elsewhere', async () => {
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.hang', payload: { hangOnAttempt: 1 } });
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('../../test/support/job-worker-child.ts', import.meta.url).pathname, t.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const running = await waitFor(job.id, (j) => j.status === 'running' && j.progress === 10);
    expect(running.workerId).toMatch(/:\d+:/);
    expect(running.workerId).toContain(`:${child.pid}:`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    runner({ staleAfterSeconds: 1 }).start();
    const done = await waitFor(job.id, (j) => j.status === 'succeeded');
    expect(done.attempts).toBe(2);
    expect(done.lastError).toMatch(/stopped sending heartbeats/);
    // A kind that must not be re-run after a dead worker fails instead.
    const once = await enqueueJob(t.db, testCatalog, { kind: 'test.no-retry', payload: {} });
    await t.db.query("UPDATE jobs SET status = 'running', attempts = 1, worker_id = 'ghost:1:x', heartbeat_at = now() - interval '1 minute' WHERE id = $1", [once.id]);
    const failed = await waitFor(once.id, (j) => j.status === 'failed');
    expect(failed.lastError).toContain('ghost:1:x');
  });

  it('marks jobs interrupted on stop and resumes them at the next start', async () => {
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.steps', payload: { steps: 10, stepMs: 150 } });
    const first = runner();
    await first.start();
    await waitFor(job.id, (j) => j.status === 'running' && j.progress >= 10);
    await first.stop(2000);
    const interrupted = await getJob(t.db, job.id);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.progress).toBeLessThan(99);
    const second = runner();
    await second.start();
    const done = await waitFor(job.id, (j) => j.status === 'succeeded');
    // The interrupted run does not count as an attempt.
    expect(done.attempts).toBe(1);
    expect(done.progress).toBe(100);
  });

  it('keeps milestones in the history, not every progress report', async () => {
    const job = await enqueueJob(t.db, testCatalog, { kind: 'test.ticks', payload: { name: 'rhel9-baseos', ticks: 200 } });
    expect(job.subject).toBe('rhel9-baseos');
    runner().start();
    await waitFor(job.id, (j) => j.status === 'succeeded');
    const messages = await jobMessages(t.db, job.id);
    // 'Preparing' (a new step), the first tick (a new template), each 10 % step up to 99, the note, 'Finished'.
    expect(messages.map((m) => m.progress)).toEqual([0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99, 100]);
    expect(messages.map((m) => m.message).at(-2)).toBe('All ticks sent');
    expect(messages[1]).toMatchObject({ message: 'Tick {i} of {n}', vars: { i: 1, n: 200 } });
  });

  it('records a success that changed nothing as such, with its reason', async () => {
    const recorded = await enqueueJob(t.db, testCatalog, { kind: 'test.record-only', payload: { apply: false } });
    const applied = await enqueueJob(t.db, testCatalog, { kind: 'test.record-only', payload: { apply: true } });
    runner().start();
    const a = await waitFor(recorded.id, (j) => j.status === 'succeeded');
    const b = await waitFor(applied.id, (j) => j.status === 'succeeded');
    expect(a).toMatchObject({ noChange: 'the plan was recorded, not applied', message: 'Nothing changed: {reason}', progress: 100 });
    expect(b).toMatchObject({ noChange: null, message: 'Finished' });
    const last = (await jobMessages(t.db, a.id)).at(-1)!;
    expect(last).toMatchObject({ message: 'Finished; nothing changed: {reason}', vars: { reason: 'the plan was recorded, not applied' } });
    await expect(t.db.query("UPDATE jobs SET status = 'failed', progress = 100 WHERE id = $1", [a.id])).rejects.toThrow(/check constraint/);
  });
});
