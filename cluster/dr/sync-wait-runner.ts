/**
 * `dr.sync-wait` on the DR host (injected into the agent): reads `drbdsetup status --json` every
 * `pollSeconds` until every named resource is in sync (sync-wait.ts), and fails at the time limit
 * naming each resource that is not and why. Each look is reported as progress.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { HostJobRunner } from '../../striker/agent/index.js';
import { parseDrbdStatus } from '../scancore/parsers/drbd.js';
import { syncLag } from './sync-wait.js';

export interface SyncWaitDeps {
  run: CommandRunner;
  /** Milliseconds since the epoch; tests pass a clock they move. */
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  commandTimeoutMs?: number;
}

export function syncWaitRunner(deps: SyncWaitDeps): HostJobRunner<'dr.sync-wait'> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }));
  return async (ctx) => {
    const p = ctx.payload;
    const deadline = now() + p.timeoutSeconds * 1000;
    let looks = 0;
    for (;;) {
      ctx.signal.throwIfAborted();
      looks += 1;
      const r = await deps.run(['drbdsetup', 'status', '--json'], { timeoutMs: deps.commandTimeoutMs ?? 30_000, signal: ctx.signal });
      const lag = syncLag(parseDrbdStatus(r.stdout), p.resources);
      if (lag.length === 0) return { message: `Every protected resource of ${p.anvilName} is UpToDate here (${p.resources.join(', ')}), after ${looks} look(s)` };
      const waiting = lag.map((l) => `${l.resource}: ${l.state}`).join('; ');
      if (now() >= deadline) throw new Error(`not in sync after ${p.timeoutSeconds} s: ${waiting}`);
      await ctx.progress(Math.floor(((p.resources.length - lag.length) / p.resources.length) * 95), 'Waiting for {count} of {total} resources: {waiting}', { count: lag.length, total: p.resources.length, waiting });
      await sleep(p.pollSeconds * 1000, ctx.signal);
    }
  };
}
