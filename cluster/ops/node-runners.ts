/**
 * The node actions a host agent runs on its own node, as the runners of the `node.*` host-job
 * kinds (the app injects them into the agent: striker/app/agent-run.ts):
 *
 * | kind | command on the node | done when crm_mon says |
 * |---|---|---|
 * | `node.standby` | `pcs node standby --wait=<s>` | the node is in standby |
 * | `node.unstandby` | `pcs node unstandby --wait=<s>` | the node is out of standby |
 * | `node.withdraw` | `pcs cluster stop` (or the agent's `cluster.stopCommand`) | pacemaker no longer answers on the node |
 * | `node.join` | `pcs cluster start --wait=<s>` | the node is online |
 *
 * Without a node name pcs acts on the local node, so the payload names none: a job runs on the
 * node it is addressed to. A node already in the wanted state is left alone and the job says
 * "nothing changed". The safety check (the servers' last healthy node) is made by Striker before
 * the job is queued (`checkNodeAction`); ScanCore's withdraw moves the servers away first.
 */
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { CommandError } from '../../striker/core/command/command-error.js';
import { parseCrmMon, type ClusterNode, type ClusterState } from '../crm-mon-parser.js';
import { crmMonArgv } from '../scancore/agents/cluster-agent.js';

/** The part of the agent's job context these runners use (striker/agent HostJobContext). */
export interface NodeJobContext {
  payload: { reason?: string | undefined };
  signal: AbortSignal;
  progress(percent: number, message: string, vars?: Record<string, unknown>): Promise<void>;
  note(message: string, vars?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
}

export type NodeJobResult = { message: string } | { noChange: string };
export type NodeJobRunner = (ctx: NodeJobContext) => Promise<NodeJobResult>;

export const nodeJobKinds = ['node.standby', 'node.unstandby', 'node.withdraw', 'node.join'] as const;
export type NodeJobKind = (typeof nodeJobKinds)[number];

export interface NodeRunnerDeps {
  run: CommandRunner;
  /** What `node.withdraw` runs to stop the stack (`cluster.stopCommand` in agent.json): `pcs cluster stop` by default. */
  stopCommand?: readonly string[];
  /** Time allowed to pcs for one action (resources moving away, the stack stopping or starting). */
  actionTimeoutMs?: number;
  /** Time allowed to a reading command (crm_node, crm_mon). */
  readTimeoutMs?: number;
  /** How long `node.join` waits for the node to be online after the stack started, and between looks. */
  joinWaitMs?: number;
  pollMs?: number;
}

/** crm_mon failing (pacemaker's "not connected", exit 102): the stack is not running on this node. */
const notRunning = (error: unknown) => error instanceof CommandError;

export function nodeJobRunners(deps: NodeRunnerDeps): Record<NodeJobKind, NodeJobRunner> {
  const actionTimeoutMs = deps.actionTimeoutMs ?? 300_000;
  const readTimeoutMs = deps.readTimeoutMs ?? 30_000;
  const waitSeconds = String(Math.max(1, Math.floor(actionTimeoutMs / 1000) - 10));

  const localName = async (signal: AbortSignal) => (await deps.run(['crm_node', '-n'], { timeoutMs: readTimeoutMs, signal })).stdout.trim();
  const state = async (signal: AbortSignal): Promise<ClusterState> => parseCrmMon((await deps.run(crmMonArgv, { timeoutMs: readTimeoutMs, signal })).stdout);
  const self = (s: ClusterState, name: string): ClusterNode => {
    const node = s.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`this host's node name ${name} is not a node of its cluster (crm_mon lists ${s.nodes.map((n) => n.name).join(', ') || 'none'})`);
    return node;
  };

  const standby = (wanted: boolean): NodeJobRunner => async (ctx) => {
    const name = await localName(ctx.signal);
    if (self(await state(ctx.signal), name).standby === wanted) return { noChange: `${name} is already ${wanted ? 'in standby' : 'out of standby'}` };
    const verb = wanted ? 'standby' : 'unstandby';
    await ctx.progress(10, wanted ? 'Putting {node} in standby; its resources move to the peer' : 'Taking {node} out of standby', { node: name, reason: ctx.payload.reason ?? '' });
    await deps.run(['pcs', 'node', verb, `--wait=${waitSeconds}`], { timeoutMs: actionTimeoutMs, signal: ctx.signal });
    const after = self(await state(ctx.signal), name);
    if (after.standby !== wanted) throw new Error(`pcs node ${verb} returned, but crm_mon still shows ${name} ${after.standby ? 'in standby' : 'out of standby'}`);
    return { message: wanted ? `${name} is in standby` : `${name} is out of standby` };
  };

  return {
    'node.standby': standby(true),
    'node.unstandby': standby(false),
    'node.withdraw': async (ctx) => {
      const name = await localName(ctx.signal);
      const before = await state(ctx.signal).catch((error: unknown) => {
        if (notRunning(error)) return undefined;
        throw error;
      });
      if (before === undefined) return { noChange: `the cluster stack is not running on ${name}` };
      await ctx.progress(10, 'Stopping the cluster stack on {node} (its resources stop or move first)', { node: name, reason: ctx.payload.reason ?? '' });
      const stop = deps.stopCommand ?? ['pcs', 'cluster', 'stop'];
      await deps.run(stop, { timeoutMs: actionTimeoutMs, signal: ctx.signal });
      const still = await state(ctx.signal).then(() => true, (error: unknown) => {
        if (notRunning(error)) return false;
        throw error;
      });
      if (still) throw new Error(`${stop.join(' ')} returned, but pacemaker still answers on ${name}`);
      return { message: `${name} left the cluster: corosync and pacemaker are stopped on it` };
    },
    'node.join': async (ctx) => {
      const name = await localName(ctx.signal);
      const before = await state(ctx.signal).catch(() => undefined);
      if (before !== undefined && self(before, name).online) return { noChange: `${name} is already online in the cluster` };
      await ctx.progress(10, 'Starting the cluster stack on {node}', { node: name, reason: ctx.payload.reason ?? '' });
      await deps.run(['pcs', 'cluster', 'start', `--wait=${waitSeconds}`], { timeoutMs: actionTimeoutMs, signal: ctx.signal });
      const deadline = Date.now() + (deps.joinWaitMs ?? 120_000);
      for (;;) {
        const now = await state(ctx.signal).catch(() => undefined);
        if (now !== undefined && self(now, name).online) return { message: `${name} is online in the cluster` };
        if (Date.now() > deadline) throw new Error(`the cluster stack started on ${name}, but crm_mon did not show it online in time`);
        await ctx.progress(50, 'Waiting for {node} to be online in the cluster', { node: name });
        await new Promise((r) => setTimeout(r, deps.pollMs ?? 2000));
      }
    },
  };
}
