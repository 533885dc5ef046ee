/**
 * Job kinds used by the runner tests (the seam: the runner takes any catalog).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StrikerError } from '../../striker/core/errors/index.js';
import { catalogOf, defineJobKind } from '../../striker/jobs/job-kind.js';

export const testCatalog = catalogOf([
  defineJobKind({
    kind: 'test.steps',
    title: 'Steps',
    payload: z.strictObject({ steps: z.number().int().min(1).max(100), stepMs: z.number().int().min(0).max(10_000) }),
    maxAttempts: 1,
    onStale: 'fail',
    async run(ctx) {
      for (let i = 1; i <= ctx.payload.steps; i++) {
        await sleep(ctx.payload.stepMs);
        ctx.checkpoint();
        await ctx.progress((i / ctx.payload.steps) * 100, 'Step {step} of {steps}', { step: i, steps: ctx.payload.steps });
      }
    },
  }),
  defineJobKind({
    kind: 'test.flaky',
    title: 'Fails on early attempts',
    payload: z.strictObject({ failUntilAttempt: z.number().int().min(0), retryable: z.boolean().optional() }),
    maxAttempts: 3,
    onStale: 'retry',
    retryDelaySeconds: () => 0,
    async run(ctx) {
      await ctx.progress(40, 'Half way');
      if (ctx.job.attempts <= ctx.payload.failUntilAttempt) {
        const message = `attempt ${ctx.job.attempts} broke`;
        throw ctx.payload.retryable === undefined ? new Error(message) : new StrikerError('REPO_VERIFY_FAILED', message, { retryable: ctx.payload.retryable });
      }
      await ctx.progress(90, 'Nearly');
    },
  }),
  defineJobKind({
    kind: 'test.hang',
    title: 'Hangs on one attempt until aborted',
    payload: z.strictObject({ hangOnAttempt: z.number().int().min(1) }),
    maxAttempts: 3,
    onStale: 'retry',
    async run(ctx) {
      await ctx.progress(10, 'Started attempt {attempt}', { attempt: ctx.job.attempts });
      if (ctx.job.attempts === ctx.payload.hangOnAttempt) {
        await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
      }
      await ctx.progress(50, 'Second half');
    },
  }),
  defineJobKind({
    kind: 'test.no-retry',
    title: 'Fails when its worker dies',
    payload: z.strictObject({}),
    maxAttempts: 3,
    onStale: 'fail',
    async run(ctx) {
      await new Promise<void>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)));
    },
  }),
  defineJobKind({
    kind: 'test.ticks',
    title: 'Reports progress often',
    subject: { of: (p: { name: string }) => p.name, title: 'Tick {subject}' },
    payload: z.strictObject({ name: z.string(), ticks: z.number().int().min(1).max(5000) }),
    maxAttempts: 1,
    onStale: 'fail',
    async run(ctx) {
      await ctx.progress(0, 'Preparing');
      for (let i = 1; i <= ctx.payload.ticks; i++) await ctx.progress((i / ctx.payload.ticks) * 100, 'Tick {i} of {n}', { i, n: ctx.payload.ticks });
      await ctx.note('All ticks sent');
    },
  }),
  defineJobKind({
    kind: 'test.record-only',
    title: 'Records a plan without applying it',
    payload: z.strictObject({ apply: z.boolean() }),
    maxAttempts: 1,
    onStale: 'fail',
    async run(ctx) {
      await ctx.progress(50, 'Planning');
      if (!ctx.payload.apply) ctx.nothingChanged('the plan was recorded, not applied');
    },
  }),
]);
