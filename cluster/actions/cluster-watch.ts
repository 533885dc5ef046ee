/**
 * Reading the cluster's state for an action on it, and waiting for the state the action wants:
 * `crm_mon --output-as=xml` (one shot) through the command adapter, parsed by the cluster area's
 * reader, polled until a condition holds, a resource of the action fails, or the time is up. A
 * crm_mon that fails or prints what the reader refuses counts as "not yet" while time remains,
 * and its error is what a time-out reports: an action fails honestly, never on a guess.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import { parseCrmMon, type ClusterState } from '../crm-mon-parser.js';

export const crmMonArgv = ['crm_mon', '--output-as=xml', '--one-shot', '--inactive'] as const;

export interface ClusterActionDeps {
  run: CommandRunner;
  /** Each command's limit (ms). */
  commandTimeoutMs: number;
  /** How long a move, stop or start may take in all before the job fails (ms). */
  settleTimeoutMs: number;
  /** Between two looks at crm_mon (ms). */
  pollMs: number;
  /** Waits `ms` (or until `signal` aborts); injected so unit tests need not wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The time in ms (injected for the same reason). */
  now?: () => number;
}

export async function readCluster(deps: ClusterActionDeps, signal: AbortSignal): Promise<ClusterState> {
  const out = await deps.run(crmMonArgv, { timeoutMs: deps.commandTimeoutMs, signal });
  return parseCrmMon(out.stdout);
}

export type WaitVerdict = { done: true } | { done: false; waitingFor: string } | { failed: string };

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> => sleepFor(ms, undefined, { signal });

/**
 * Polls crm_mon until `verdict` says done (the state is returned) or failed (a StrikerError with
 * its words), or `settleTimeoutMs` passes (a StrikerError saying what it was still waiting for).
 */
export async function waitForCluster(deps: ClusterActionDeps, signal: AbortSignal, what: string, verdict: (state: ClusterState) => WaitVerdict): Promise<ClusterState> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const deadline = now() + deps.settleTimeoutMs;
  let last = 'no answer from crm_mon yet';
  for (;;) {
    signal.throwIfAborted();
    let v: WaitVerdict | undefined;
    let state: ClusterState | undefined;
    try {
      state = await readCluster(deps, signal);
      v = verdict(state);
    } catch (error) {
      signal.throwIfAborted();
      last = `crm_mon: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (v !== undefined && 'failed' in v) throw new StrikerError('COMMAND_FAILED', `${what}: ${v.failed}`, { retryable: false });
    if (v !== undefined && state !== undefined && v.done) return state;
    if (v !== undefined && !v.done) last = v.waitingFor;
    if (now() >= deadline) throw new StrikerError('COMMAND_FAILED', `${what}: not done after ${Math.round(deps.settleTimeoutMs / 1000)} s — ${last}`, { retryable: false });
    await sleep(deps.pollMs, signal);
  }
}

/**
 * Where each named resource runs (every instance), and whether one of them is failed now (its
 * `failed` flag; the failed-action history is not looked at, since it keeps old failures until an
 * operator cleans them up).
 */
export function placement(state: ClusterState, id: string): { nodes: string[]; failed: boolean; found: boolean } {
  const instances = state.resources.filter((r) => r.id === id);
  return {
    nodes: [...new Set(instances.filter((r) => r.active).flatMap((r) => r.nodes))].sort(),
    failed: instances.some((r) => r.failed),
    found: instances.length > 0,
  };
}

export const listOf = (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
