/**
 * The `kickstart.check` job: one machine's pre-boot check with progress, its result stored with
 * the machine. A check that finds the kickstart not ready is a failed job whose error lists the
 * problems (not retried: the same inputs give the same answer); a ready one succeeds.
 */
import { z } from 'zod';
import { defineJobKind, type JobKindDefinition } from '../striker/jobs/job-kind.js';
import { macSchema } from '../striker/machines/index.js';
import { StrikerError } from '../striker/core/errors/index.js';
import type { KickstartStatus } from './check-store.js';
import { runKickstartCheck, type CheckDeps } from './run-check.js';

export const checkJobPayload = z.strictObject({
  mac: macSchema,
  engine: z.enum(['auto', 'dnf', 'resolver']).optional(),
});

export function kickstartCheckJobKind(deps: CheckDeps): JobKindDefinition {
  return defineJobKind({
    kind: 'kickstart.check',
    title: 'Check a kickstart before boot',
    subject: { of: (p: { mac: string }) => p.mac, title: 'Check the kickstart of {subject}' },
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
      if (s.status === 'ready') {
        await ctx.note('Kickstart for {mac} is ready ({engine})', { mac, engine: s.engine ?? '-' });
        return;
      }
      throw new StrikerError('CHECK_FAILED', `the kickstart for ${mac} is ${s.status}: ${describeProblems(s.problems)}`, {
        details: { mac, status: s.status, problems: s.problems },
        retryable: false,
      });
    },
  });
}

/** The problems of a check, each on its own line, the first `limit` of them. */
export function describeProblems(problems: KickstartStatus['problems'], limit = 20): string {
  const lines = problems.slice(0, limit).map((p) => `\n  - ${'path' in p ? p.path : `${p.source}${p.line > 0 ? ` line ${p.line}` : ''}`}: ${p.message}`);
  if (problems.length > limit) lines.push(`\n  - and ${problems.length - limit} more`);
  return `${problems.length} problem(s)${lines.join('')}`;
}
