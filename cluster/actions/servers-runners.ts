/**
 * The agent's runners for the server actions on the pacemaker cluster its host belongs to
 * (`servers.migrate`, `servers.stop`, `servers.start`; payloads in striker/agent/host-job-kinds.ts).
 * The app injects them into the agent (striker/app/agent-run.ts): the agent area comes before the
 * cluster area. Every command goes through the command adapter as an argv array, and each action
 * waits for its result in `crm_mon --output-as=xml` (cluster-watch.ts), failing with the cluster's
 * own words when a resource fails or the time runs out.
 *
 * **Migrate** uses `crm_resource --resource <id> --move --node <to>`, then, once crm_mon shows
 * the resource active on `<to>` and nowhere else, `crm_resource --resource <id> --clear --node <to>`.
 * Why crm_resource and not `pcs resource move --wait`: pacemaker's own tool behaves the same on
 * every release and needs no pcsd, while `pcs resource move` changed meaning between pcs 0.10
 * (the constraint stays) and 0.11 (it is removed, after a simulation that refuses some moves).
 * Why clear: the move works through a temporary `cli-prefer-<id>` location constraint of score
 * INFINITY; left in place it would pin the server to that node for ever, so the cluster could
 * not move it back later, nor recover it on the peer without an operator. After clearing, the
 * runner looks again: a server that went back (no resource-stickiness in the cluster) is a failure
 * saying so. A move that does not finish in time clears its constraint too before failing.
 *
 * **Stop** and **start** set the resource's `target-role` meta attribute (`Stopped` / `Started`)
 * with `crm_resource --meta --set-parameter`; pacemaker then runs the resource agent's stop
 * (for a server: a graceful shutdown, within the stop operation's timeout) or start. The runner
 * waits until none / each of them is active. Both first wait for a DC with quorum, so that the
 * change is written to the cluster's CIB and not to that of a node still joining.
 */
import type { HostJobPayload } from '../../striker/agent/index.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { ClusterState } from '../crm-mon-parser.js';
import { canHost } from '../node-actions.js';
import { readCibFencing } from '../reconcile.js';
import { movePreferenceOperations } from '../split-preference.js';
import { listOf, placement, readCluster, waitForCluster, type ClusterActionDeps, type WaitVerdict } from './cluster-watch.js';

/** What a runner needs from the agent's job context (striker/agent/host-jobs.ts HostJobContext). */
export interface ActionContext<P> {
  payload: P;
  signal: AbortSignal;
  progress(percent: number, message: string, vars?: Record<string, unknown>): Promise<void>;
  note(message: string, vars?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
}

export type ActionResult = { message: string } | { noChange: string };

export interface ServersRunners {
  'servers.migrate': (ctx: ActionContext<HostJobPayload<'servers.migrate'>>) => Promise<ActionResult>;
  'servers.stop': (ctx: ActionContext<HostJobPayload<'servers.stop'>>) => Promise<ActionResult>;
  'servers.start': (ctx: ActionContext<HostJobPayload<'servers.start'>>) => Promise<ActionResult>;
}

/**
 * crm_mon is read every half second while an action waits: a live migration ends within seconds,
 * and the job's end (and the constraint's clearing) follows the cluster by at most one poll.
 */
export const defaultClusterActionTiming = { commandTimeoutMs: 30_000, settleTimeoutMs: 300_000, pollMs: 500 } as const;

export const moveArgv = (id: string, to: string) => ['crm_resource', '--resource', id, '--move', '--node', to] as const;
export const clearArgv = (id: string, to: string) => ['crm_resource', '--resource', id, '--clear', '--node', to] as const;
export const targetRoleArgv = (id: string, role: 'Stopped' | 'Started') => ['crm_resource', '--resource', id, '--meta', '--set-parameter', 'target-role', '--parameter-value', role] as const;

function unknownServers(state: ClusterState, servers: readonly string[]): string[] {
  return servers.filter((s) => !placement(state, s).found);
}

function refuseUnknown(state: ClusterState, servers: readonly string[]): void {
  const missing = unknownServers(state, servers);
  if (missing.length > 0) throw new StrikerError('NOT_FOUND', `the cluster has no resource ${listOf(missing)}`, { retryable: false });
}

export function serversRunners(deps: ClusterActionDeps): ServersRunners {
  const cmd = (argv: readonly string[], signal: AbortSignal) => deps.run(argv, { timeoutMs: deps.commandTimeoutMs, signal });

  const migrate: ServersRunners['servers.migrate'] = async (ctx) => {
    const { servers, to } = ctx.payload;
    const before = await readCluster(deps, ctx.signal);
    refuseUnknown(before, servers);
    const target = before.nodes.find((n) => n.name === to);
    if (target === undefined) throw new StrikerError('NOT_FOUND', `${to} is not a node of this cluster (it has ${listOf(before.nodes.map((n) => n.name))})`, { retryable: false });
    if (!canHost(target)) throw new StrikerError('CONFLICT', `${to} cannot take servers now: it is ${target.online ? 'not ready (standby, maintenance, unclean or leaving)' : 'offline'}`, { retryable: false });
    const moving = servers.filter((s) => {
      const p = placement(before, s);
      return !(p.nodes.length === 1 && p.nodes[0] === to);
    });
    if (moving.length === 0) return { noChange: `${listOf([...servers])} already ${servers.length === 1 ? 'runs' : 'run'} on ${to}` };
    await ctx.progress(10, 'Moving {servers} to {to}', { servers: moving, to, reason: ctx.payload.reason ?? '' });
    const placed: string[] = [];
    try {
      for (const s of moving) {
        await cmd(moveArgv(s, to), ctx.signal);
        placed.push(s);
      }
      await ctx.progress(40, 'Waiting for pacemaker to run {servers} on {to}', { servers: moving, to });
      await waitForCluster(deps, ctx.signal, `moving ${listOf(moving)} to ${to}`, (state): WaitVerdict => {
        const failed = moving.filter((s) => placement(state, s).failed);
        if (failed.length > 0) return { failed: `${listOf(failed)} failed (crm_mon reports a failed resource or action)` };
        const pending = moving.filter((s) => {
          const p = placement(state, s);
          return !(p.nodes.length === 1 && p.nodes[0] === to);
        });
        if (pending.length === 0) return { done: true };
        return { done: false, waitingFor: pending.map((s) => `${s} on ${listOf(placement(state, s).nodes) || 'no node'}`).join(', ') };
      });
    } finally {
      // The temporary constraints go, whether the move worked or not (see the module comment).
      for (const s of placed) await cmd(clearArgv(s, to), new AbortController().signal).catch(async (error: unknown) => {
        await ctx.note('Could not clear the move constraint of {server}: {error}', { server: s, error: error instanceof Error ? error.message : String(error) }, 'warn');
      });
    }
    await waitForCluster(deps, ctx.signal, `keeping ${listOf(moving)} on ${to} after clearing the move constraints`, (state): WaitVerdict => {
      const away = moving.filter((s) => {
        const p = placement(state, s);
        return !(p.nodes.length === 1 && p.nodes[0] === to);
      });
      if (away.length > 0) return { failed: `${listOf(away)} left ${to} once the move constraint was cleared (the cluster sets no resource-stickiness?)` };
      return { done: true };
    });
    return { message: `Moved ${listOf(moving)} to ${to}${await movePreference(to, ctx)}` };
  };

  /**
   * The split-brain preference follows the servers (cluster/split-preference.ts): the delay goes to
   * the first device fencing `to`. A failure here is a warning in the job, not a failed job: the
   * servers did move, and the jobs waiting for the move (a withdrawal) must go on.
   */
  const movePreference = async (to: string, ctx: ActionContext<HostJobPayload<'servers.migrate'>>): Promise<string> => {
    try {
      const cib = await cmd(['cibadmin', '--query'], ctx.signal);
      const ops = movePreferenceOperations(readCibFencing(cib.stdout), to);
      for (const op of ops) await cmd(['pcs', ...op.args], ctx.signal);
      return ops.length > 0 ? `; the split-brain preference moved to ${to}` : '';
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      await ctx.note('The servers moved, but the split-brain preference could not move to {to}: {error}', { to, error: message }, 'warn');
      return `; the split-brain preference could not move to ${to} (see the job's messages)`;
    }
  };

  const setRole = (role: 'Stopped' | 'Started') => async (ctx: ActionContext<{ servers: string[]; reason?: string | undefined }>): Promise<ActionResult> => {
    const { servers } = ctx.payload;
    const verb = role === 'Stopped' ? 'stop' : 'start';
    if (servers.length === 0) return { noChange: `no servers to ${verb}` };
    // A node whose host has just booted may not have joined the cluster yet: a target-role written
    // to its own CIB then is replaced by the cluster's CIB when it joins, and lost. The runner acts
    // once crm_mon names a DC with quorum (the CIB is the cluster's).
    const before = await waitForCluster(deps, ctx.signal, `waiting for the cluster to ${verb} ${listOf([...servers])}`, (state): WaitVerdict =>
      state.dc !== undefined && state.quorate === true ? { done: true } : { done: false, waitingFor: 'no DC with quorum yet (the cluster is still forming)' });
    refuseUnknown(before, servers);
    const want = (s: string, state: ClusterState) => (role === 'Stopped' ? placement(state, s).nodes.length === 0 : placement(state, s).nodes.length === 1);
    const changing = servers.filter((s) => !want(s, before));
    if (changing.length === 0) return { noChange: `${listOf([...servers])} ${role === 'Stopped' ? 'are already stopped' : 'already run'}` };
    await ctx.progress(10, role === 'Stopped' ? 'Shutting {servers} down gracefully' : 'Starting {servers}', { servers: changing, reason: ctx.payload.reason ?? '' });
    for (const s of changing) await cmd(targetRoleArgv(s, role), ctx.signal);
    await ctx.progress(40, role === 'Stopped' ? 'Waiting for pacemaker to stop {servers}' : 'Waiting for pacemaker to start {servers}', { servers: changing });
    await waitForCluster(deps, ctx.signal, `${role === 'Stopped' ? 'stopping' : 'starting'} ${listOf(changing)}`, (state): WaitVerdict => {
      const failed = changing.filter((s) => placement(state, s).failed);
      if (failed.length > 0) return { failed: `${listOf(failed)} failed (crm_mon reports a failed resource or action)` };
      const pending = changing.filter((s) => !want(s, state));
      if (pending.length === 0) return { done: true };
      return { done: false, waitingFor: `${listOf(pending)} still ${role === 'Stopped' ? 'running' : 'not running'}` };
    });
    return { message: `${role === 'Stopped' ? 'Stopped' : 'Started'} ${listOf(changing)}` };
  };

  return { 'servers.migrate': migrate, 'servers.stop': setRole('Stopped'), 'servers.start': setRole('Started') };
}
