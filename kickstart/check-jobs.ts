/**
 * The `kickstart.check` job: one machine's pre-boot check with progress, its result stored with
 * the machine (the check outcome itself is data: a failed check is a job that succeeded).
 */
import { z } from 'zod';
import { defineJobKind, type JobKindDefinition } from '../striker/jobs/job-kind.js';
import { macSchema } from '../striker/machines/index.js';
import { runKickstartCheck, type CheckDeps } from './run-check.js';

export const checkJobPayload = z.strictObject({
  mac: macSchema,
  engine: z.enum(['auto', 'dnf', 'resolver']).optional(),
});

export function kickstartCheckJobKind(deps: CheckDeps): JobKindDefinition {
  return defineJobKind({
    kind: 'kickstart.check',
    title: 'Check a kickstart before boot',
    payload: checkJobPayload,
    maxAttempts: 2,
    onStale: 'retry',
    retryDelaySeconds: () => 5,
    async run(ctx) {
      const { mac, engine } = ctx.payload;
      const outcome = await runKickstartCheck(deps, mac, {
        jobId: ctx.job.id,
        ...(engine === undefined ? {} : { engine }),
        progress: async (percent, message) => {
          ctx.checkpoint();
          await ctx.progress(percent, message);
        },
      });
      const s = outcome.status;
      await ctx.note(
        s.status === 'ready' ? 'Kickstart for {mac} is ready ({engine})' : 'Kickstart for {mac} is {status}: {count} problem(s), first: {first}',
        { mac, status: s.status, engine: s.engine ?? '-', count: s.problems.length, first: s.problems[0]?.message ?? '-' },
        s.status === 'ready' ? 'info' : 'warn',
      );
    },
  });
}
