/**
 * `manifest.check`, Striker's job in a manifest run: asks every BMC (`ipmitool … chassis power
 * status`), every PDU outlet (its fence agent, action status) and every NUT UPS (`upsc`) whether
 * it answers, and whether each host's agent is alive (its last heartbeat). Every problem is a line
 * in the job's messages; a check that found any fails, its error listing each one. The payload
 * names the manifest and revision only: the secrets are read from storage when the job runs.
 */
import { z } from 'zod';
import type { CommandRunner } from '../core/command/run-command.js';
import { ConflictError } from '../core/errors/index.js';
import type { DbReader } from '../db/database.js';
import { defineJobKind } from '../jobs/job-kind.js';
import { getHostAgent } from '../agent/index.js';
import { agentProblem, planChecks, type Probe, type SecretsBySlot } from './run-checks.js';
import { getManifest } from './manifest-store.js';
import { CHECK_KIND, manifestRevision } from './run-manifest.js';

export const checkPayloadSchema = z.strictObject({
  manifestId: z.uuid(),
  revision: z.string().regex(/^[0-9a-f]{20}$/, 'must be a manifest revision (20 hex digits)'),
});

/** Checks are cheap to repeat, but a failed one is for the operator to read: never retried by itself. */
export const checkJobInfo = { kind: CHECK_KIND, title: 'Check that the BMCs, PDUs, UPSes and agents answer', maxAttempts: 1, onStale: 'fail' } as const;

export interface CheckDeps {
  db: DbReader;
  /** The manifest's secrets in clear, by slot; never logged, never stored in the job. */
  openSecrets(manifestId: string): Promise<SecretsBySlot>;
  run: CommandRunner;
  /** An agent whose last heartbeat is older than this is not alive. */
  agentStaleSeconds: number;
  /** Per probe. */
  probeTimeoutMs: number;
  now?: () => Date;
}

export function manifestCheckJobKind(deps: CheckDeps) {
  return defineJobKind({
    ...checkJobInfo,
    payload: checkPayloadSchema,
    async run(ctx) {
      const manifest = await getManifest(deps.db, ctx.payload.manifestId);
      if (manifestRevision(manifest.document) !== ctx.payload.revision) {
        throw new ConflictError(`manifest ${manifest.name} changed since this run was made (revision ${ctx.payload.revision}); run it again`);
      }
      const plan = planChecks(manifest.document, await deps.openSecrets(manifest.id));
      const total = plan.probes.length + plan.agents.length;
      const problems: string[] = [];
      let done = 0;
      const advance = () => Math.floor((++done / Math.max(1, total)) * 95);
      for (const line of plan.skipped) await ctx.note('Not checked: {what}', { what: line }, 'warn');
      for (const probe of plan.probes) {
        ctx.checkpoint();
        const problem = await runProbe(deps, probe, ctx.signal);
        if (problem === undefined) await ctx.progress(advance(), '{what} answers', { what: probe.what });
        else {
          problems.push(problem);
          await ctx.note('{problem}', { problem }, 'error');
          await ctx.progress(advance(), '{what} does not answer', { what: probe.what });
        }
      }
      const now = (deps.now ?? (() => new Date()))();
      for (const agent of plan.agents) {
        const row = await getHostAgent(deps.db, agent.hostId);
        const problem = agentProblem(agent, row?.lastHeartbeatAt ?? null, now, deps.agentStaleSeconds);
        if (problem === undefined) await ctx.progress(advance(), 'Agent of {hostName} is alive', { hostName: agent.hostName });
        else {
          problems.push(problem);
          await ctx.note('{problem}', { problem }, 'error');
          await ctx.progress(advance(), 'Agent of {hostName} is not alive', { hostName: agent.hostName });
        }
      }
      if (problems.length > 0) {
        // maxAttempts 1: the job fails, with every problem in its last error.
        throw new Error(`${problems.length} of ${total} checks found a problem:\n${problems.map((p) => `- ${p}`).join('\n')}`);
      }
      await ctx.progress(99, 'All {total} checks answered', { total });
    },
  });
}

/** Runs one probe; the problem in words, or undefined when the device answered as expected. */
async function runProbe(deps: CheckDeps, probe: Probe, signal: AbortSignal): Promise<string | undefined> {
  try {
    const result = await deps.run(probe.argv, {
      timeoutMs: deps.probeTimeoutMs,
      signal,
      ...(probe.env === undefined ? {} : { env: probe.env }),
      ...(probe.input === undefined ? {} : { input: probe.input }),
    });
    if (probe.expect.test(result.stdout)) return undefined;
    return `${probe.what}: unexpected answer from ${probe.argv[0]}: ${firstLine(result.stdout) || firstLine(result.stderr) || '(nothing)'}`;
  } catch (error) {
    if (signal.aborted) throw error;
    const e = error as { reason?: string; stderr?: string; message?: string };
    const why = [e.reason, firstLine(e.stderr ?? '')].filter((s) => s !== undefined && s !== '').join(': ') || String(e.message ?? error);
    return `${probe.what} does not answer: ${probe.argv[0]} ${why}`;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}
