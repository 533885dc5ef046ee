/**
 * The `striker.configure` job run by the real job runner on a real database: with host.manage off
 * it only records its plan (the applier must never be called); with it on, every planned file and
 * command goes through the applier, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { enqueueJob } from '../jobs/enqueue.js';
import { catalogOf } from '../jobs/job-kind.js';
import { JobRunner } from '../jobs/job-runner.js';
import { getJob, jobMessages } from '../jobs/job-store.js';
import { configureJobKind, NOT_APPLIED } from './configure-job.js';
import { renderMessage } from '../jobs/job.js';
import type { HostApplier } from './host-applier.js';
import { latestPlan, saveIdentity } from './identity-store.js';
import { planNetwork } from './network-plan.js';
import { sampleIdentity } from './sample-identity.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

function recordingApplier(): HostApplier & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    writeFile: async (path, _content, mode) => void calls.push(`write ${path} ${mode.toString(8)}`),
    run: async (argv) => void calls.push(`run ${argv.join(' ')}`),
  };
}

async function runConfigure(manage: boolean, applier: HostApplier, identityId?: string) {
  const kind = configureJobKind({ db: t.db, manage, applier });
  const catalog = catalogOf([kind]);
  const id = identityId ?? (await t.db.tx((tx) => saveIdentity(tx, sampleIdentity(), null)));
  const job = await enqueueJob(t.db, catalog, { kind: kind.kind, payload: { identityId: id } });
  const runner = new JobRunner({ db: t.db, catalog, logger: quietLogger, host: 'test', workers: 1, pollSeconds: 0.05, heartbeatSeconds: 1, staleAfterSeconds: 30 });
  await runner.start();
  try {
    for (let i = 0; i < 200; i++) {
      const j = await getJob(t.db, job.id);
      if (['succeeded', 'failed', 'cancelled'].includes(j.status)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await runner.stop(5000);
  }
  return { job: await getJob(t.db, job.id), messages: await jobMessages(t.db, job.id) };
}

describe('striker.configure', () => {
  it('with host.manage off records the plan, reports progress and touches nothing', async () => {
    const applier = recordingApplier();
    const { job, messages } = await runConfigure(false, applier);
    expect(job.status).toBe('succeeded');
    expect(job.progress).toBe(100);
    // A success that did nothing says so: not "Finished".
    expect(job.noChange).toBe(NOT_APPLIED);
    expect(renderMessage(job.message, job.messageVars)).toBe(`Nothing changed: ${NOT_APPLIED}`);
    expect(applier.calls).toEqual([]);
    const progress = messages.map((m) => m.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const plan = planNetwork(sampleIdentity());
    const own = messages.filter((m) => m.progress < 100); // the runner adds its own line on success
    expect(own.length).toBe(plan.files.length + plan.commands.length + 2);
    expect(own[0]!.message).toContain('host.manage is off');
    expect(own.at(-1)!.message).toContain('Recorded the plan');
    expect(messages.map((m) => m.vars.path).filter(Boolean)).toEqual(plan.files.map((f) => f.path));
    // Each step's message, shown while the job runs, says the step was recorded, not applied.
    const steps = own.slice(1, -1).map((m) => m.message);
    expect(steps.length).toBe(plan.files.length + plan.commands.length);
    for (const step of steps) expect(step).toMatch(/^Planned, not applied \(host management is off\): (write|run) /);
    const stored = await latestPlan(t.db);
    expect(stored).toMatchObject({ jobId: job.id, applied: false, plan: JSON.parse(JSON.stringify(plan)) });
  });

  it('with host.manage on writes every file and runs every command through the applier', async () => {
    const applier = recordingApplier();
    const { job, messages } = await runConfigure(true, applier);
    expect(job.status).toBe('succeeded');
    expect(job).toMatchObject({ noChange: null, message: 'Finished' });
    const plan = planNetwork(sampleIdentity());
    const steps = messages.filter((m) => m.vars.why !== undefined).map((m) => m.message);
    expect(steps).toEqual([...plan.files.map(() => 'Wrote {path} ({why})'), ...plan.commands.map(() => 'Ran {command} ({why})')]);
    expect(applier.calls).toEqual([
      ...plan.files.map((f) => `write ${f.path} ${f.mode.toString(8)}`),
      ...plan.commands.map((c) => `run ${c.argv.join(' ')}`),
    ]);
    expect((await latestPlan(t.db))?.applied).toBe(true);
  });

  it('fails, applying nothing, when the identity it was made for was replaced', async () => {
    const applier = recordingApplier();
    const { job } = await runConfigure(true, applier, '00000000-0000-4000-8000-000000000000');
    expect(job.status).toBe('failed');
    expect(job.lastError).toContain('is no longer the Striker\'s identity');
    expect(applier.calls).toEqual([]);
  });
});
