/**
 * Boot, sync, shutdown: one cycle of a DR host in `boot-sync-shutdown` mode, the mode that keeps
 * the DR copy out of reach (of a crypto-locker on the pair) except while it syncs.
 *
 * `runDrCycle` is the sequence, over injected steps: power the DR host on through its BMC, wait
 * until every protected resource is UpToDate on it (skipped when none is protected), power it off
 * — always, also when the wait failed or timed out, so the DR host is never left running by a
 * failed cycle. The outcome says what happened; a failure is reported as one, never as a success.
 *
 * `drCycleJobKind` is the Striker job (`dr.cycle`) the schedule enqueues (dr-scheduler.ts): power
 * through the DR host's BMC from the pair's manifest (`ipmitool … chassis power on|off`, password
 * in IPMI_PASSWORD, confirmed by `chassis power status`), the wait as a `dr.sync-wait` job on the
 * DR host's agent (it reads `drbdsetup status --json`), followed until it ends or the time limit
 * (boot allowance + sync limit) passes, when it is cancelled.
 */
import { z } from 'zod';
import { addHostJob } from '../../striker/agent/index.js';
import { systemActor } from '../../striker/audit/audit-store.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { Database } from '../../striker/db/database.js';
import type { JobKindDefinition } from '../../striker/jobs/job-kind.js';
import { jobsByIds, requestCancel } from '../../striker/jobs/job-store.js';
import { renderMessage } from '../../striker/jobs/job.js';
import { nodeActionCommand } from '../node-actions.js';
import type { IpmiMethod } from '../pair-input.js';
import { ipmitoolArgv } from '../scancore/agents/ipmi-agent.js';
import { parseChassisPower } from '../scancore/parsers/ipmi.js';
import { getDrLink, listProtections, recordCycle } from './dr-store.js';

export const drCycleKind = 'dr.cycle';

export interface CycleSteps {
  /** Sets the DR host's power and returns once its BMC reports it; throws when it cannot. */
  power(state: 'on' | 'off'): Promise<void>;
  /** Waits until the resources are UpToDate on the DR host, within the time limit. */
  syncWait(resources: readonly string[]): Promise<{ ok: true; message: string } | { ok: false; reason: string }>;
  progress(percent: number, message: string, vars?: Record<string, unknown>): Promise<void>;
  note(message: string, vars?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
}

export interface CycleOutcome {
  outcome: 'succeeded' | 'failed';
  message: string;
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runDrCycle(steps: CycleSteps, input: { anvil: string; drHost: string; resources: readonly string[] }): Promise<CycleOutcome> {
  const { anvil, drHost, resources } = input;
  let failure: string | undefined;
  let synced = '';
  await steps.progress(5, 'Powering the DR host {drHost} of {anvil} on through its BMC', { drHost, anvil });
  try {
    await steps.power('on');
  } catch (error) {
    failure = `powering ${drHost} on failed: ${reasonOf(error)}`;
  }
  if (failure === undefined) {
    if (resources.length === 0) {
      synced = 'no server is protected, nothing to sync';
      await steps.note('No server of {anvil} is protected: nothing to sync', { anvil });
    } else {
      await steps.progress(20, 'Waiting until {count} resource(s) are UpToDate on {drHost}', { count: resources.length, drHost });
      const wait = await steps.syncWait(resources);
      if (wait.ok) synced = wait.message;
      else failure = `the sync on ${drHost} did not finish: ${wait.reason}`;
    }
  }
  await steps.progress(90, 'Powering the DR host {drHost} off through its BMC', { drHost });
  try {
    await steps.power('off');
  } catch (error) {
    const off = `powering ${drHost} off failed: ${reasonOf(error)}`;
    failure = failure === undefined ? off : `${failure}; ${off}`;
  }
  if (failure !== undefined) {
    await steps.note('The cycle of {anvil} failed: {failure}', { anvil, failure }, 'error');
    return { outcome: 'failed', message: failure };
  }
  return { outcome: 'succeeded', message: `${drHost} was powered on, synced (${synced}) and powered off` };
}

export const drCyclePayload = z.strictObject({
  anvil: z.string().min(1).max(253),
  /** The scheduled time this cycle is for (ISO 8601). */
  slot: z.iso.datetime({ offset: true }),
  /** How long the DR host may take to boot and its agent to start the wait. */
  bootTimeoutSeconds: z.int().min(10).max(3600).default(600),
  /** How long the wait may take once it runs. */
  syncTimeoutSeconds: z.int().min(10).max(7 * 86_400).default(4 * 3600),
  pollSeconds: z.number().min(0.05).max(600).default(10),
});

/** The DR host's BMC (from the pair's manifest and its sealed secrets), or undefined without one. */
export type DrBmcLookup = (anvil: string) => Promise<{ ipmi: IpmiMethod; password: string } | undefined>;

export interface DrCycleDeps {
  db: Database;
  run: CommandRunner;
  bmcOf: DrBmcLookup;
  commandTimeoutMs: number;
  /** Between looks at the BMC's power status and at the wait's job. */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function drCycleJobKind(deps: DrCycleDeps): JobKindDefinition<typeof drCyclePayload> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = deps.pollMs ?? 2000;
  return {
    kind: drCycleKind,
    title: 'Boot the DR host, sync it, shut it down',
    subject: { of: (p) => p.anvil, title: 'DR cycle of {subject}' },
    payload: drCyclePayload,
    // Powering a host is not repeated by itself: the next scheduled cycle tries again.
    maxAttempts: 1,
    onStale: 'fail',
    async run(ctx) {
      const p = ctx.payload;
      const link = await getDrLink(deps.db, p.anvil);
      if (link === undefined || link.state !== 'linked' || link.mode !== 'boot-sync-shutdown') {
        ctx.nothingChanged(link === undefined ? `${p.anvil} has no DR link` : `${p.anvil}'s DR link is ${link.state}, ${link.mode}: no cycle`);
        return;
      }
      const resources = (await listProtections(deps.db, { anvil: p.anvil })).filter((x) => x.state === 'protected').map((x) => x.serverName);
      await recordCycle(deps.db, p.anvil, new Date(now()), 'running', `started for the slot ${p.slot}`);
      const command = (argv: string[], env: Record<string, string>) => deps.run(argv, { timeoutMs: deps.commandTimeoutMs, signal: ctx.signal, env });
      const steps: CycleSteps = {
        async power(state) {
          const bmc = await deps.bmcOf(p.anvil);
          if (bmc === undefined) throw new Error(`${link.drHost} has no BMC in ${p.anvil}'s manifest (hosts.dr.ipmi)`);
          const c = nodeActionCommand(state === 'on' ? 'boot' : 'poweroff', link.drHost, bmc);
          await command(c.argv, c.env ?? {});
          const status = ipmitoolArgv({ ...bmc.ipmi, password: bmc.password }, 'chassis', 'power', 'status');
          const until = now() + p.bootTimeoutSeconds * 1000;
          for (;;) {
            ctx.checkpoint();
            if (parseChassisPower((await command(status, { IPMI_PASSWORD: bmc.password })).stdout) === state) return;
            if (now() >= until) throw new Error(`its BMC did not report the chassis ${state} within ${p.bootTimeoutSeconds} s`);
            await sleep(pollMs);
          }
        },
        async syncWait(names) {
          const job = await deps.db.tx((t) => addHostJob(t, systemActor, {
            hostId: link.drHostId, kind: 'dr.sync-wait',
            payload: { anvilName: p.anvil, resources: [...names], timeoutSeconds: p.syncTimeoutSeconds, pollSeconds: p.pollSeconds },
          }));
          await ctx.note('Waiting for the DR host: job {jobId} (dr.sync-wait)', { jobId: job.id });
          const deadline = now() + (p.bootTimeoutSeconds + p.syncTimeoutSeconds) * 1000;
          for (;;) {
            ctx.checkpoint();
            const [j] = await jobsByIds(deps.db, [job.id]);
            if (j === undefined) return { ok: false, reason: `its job ${job.id} is gone` };
            if (j.status === 'succeeded') return { ok: true, message: renderMessage(j.message, j.messageVars) };
            if (j.status === 'failed' || j.status === 'cancelled') return { ok: false, reason: j.lastError ?? renderMessage(j.message, j.messageVars) };
            if (now() >= deadline) {
              await requestCancel(deps.db, job.id);
              return { ok: false, reason: `no answer within ${p.bootTimeoutSeconds + p.syncTimeoutSeconds} s (job ${job.id} ${j.status}, cancelled)` };
            }
            await sleep(pollMs);
          }
        },
        progress: (percent, message, vars) => ctx.progress(percent, message, vars),
        note: (message, vars, level) => ctx.note(message, vars, level),
      };
      const outcome = await runDrCycle(steps, { anvil: p.anvil, drHost: link.drHost, resources });
      await recordCycle(deps.db, p.anvil, new Date(now()), outcome.outcome, outcome.message);
      if (outcome.outcome === 'failed') throw new StrikerError('COMMAND_FAILED', outcome.message, { retryable: false });
      await ctx.progress(99, '{message}', { message: outcome.message });
    },
  };
}
