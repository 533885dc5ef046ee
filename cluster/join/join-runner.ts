/**
 * `cluster.join` on a subnode (the agent runs it; striker/app/agent-run.ts injects it). Steps, each
 * named in the job's progress:
 *
 * 1. fetch the join plan from Striker (join-plan-schema.ts) and check it is this job's;
 * 2. write corosync.conf (0644) and the pair's authkey (0400) where they differ — a running
 *    corosync with another authkey is refused before anything is written (a new key needs both
 *    nodes stopped);
 * 3. start the stack with the configured command when pacemaker is not answering, or make a
 *    running corosync read a changed corosync.conf;
 * 4. wait until both nodes are online, with a DC, in `crm_mon --output-as=xml`;
 * 5. node1 only: bring the CIB's fencing to the plan with `applyCibPlan` (only what differs, one
 *    `cib-push … diff-against=`). Fencing levels name both nodes, so this waits for step 4.
 *
 * When every step found the node as the plan wants it, the job says so (`noChange`). The plan
 * holds the authkey and fence passwords: they go to the two files and the CIB, never to a message
 * (CIB changes are reported redacted).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { redactOperation } from '../cib-plan.js';
import { parseCrmMon, type ClusterState } from '../crm-mon-parser.js';
import { applyCibPlan, liveCib } from '../reconcile.js';
import type { JoinConfig } from './join-config.js';
import { joinPlanPath, joinPlanSchema, type JoinPlan } from './join-plan-schema.js';

/** What the runner uses of a host job's context (the agent's HostJobContext). */
export interface JoinJobContext {
  jobId: string;
  payload: { anvilName: string; hostName: string; subnode: 'node1' | 'node2' };
  signal: AbortSignal;
  progress(percent: number, message: string, vars?: Record<string, unknown>): Promise<void>;
  note(message: string, vars?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
  api<T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T>;
}

export type JoinResult = { message: string } | { noChange: string };

export interface JoinRunnerDeps {
  run: CommandRunner;
  config: JoinConfig;
  /** Waits between looks at crm_mon; tests pass one that returns at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const AUTHKEY_MODE = 0o400;
const CONF_MODE = 0o644;

export function clusterJoinRunner(deps: JoinRunnerDeps): (ctx: JoinJobContext) => Promise<JoinResult> {
  const { run, config } = deps;
  const sleep = deps.sleep ?? ((ms: number, signal: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const command = (argv: readonly string[], signal: AbortSignal) => run(argv, { timeoutMs: config.commandTimeoutMs, signal });

  /** The cluster's state, or undefined while pacemaker does not answer. */
  async function clusterState(signal: AbortSignal): Promise<ClusterState | undefined> {
    try {
      return parseCrmMon((await command(['crm_mon', '--output-as=xml'], signal)).stdout);
    } catch (error) {
      if (signal.aborted) throw error;
      return undefined;
    }
  }

  return async (ctx) => {
    const { payload, signal } = ctx;
    await ctx.progress(5, 'Fetching the join plan of {anvilName} from Striker', { anvilName: payload.anvilName });
    const plan = checkPlan(joinPlanSchema.parse(await ctx.api('GET', joinPlanPath(ctx.jobId))) as JoinPlan, payload);
    const names = plan.pairNodes.join(' and ');
    const changes: string[] = [];

    const confPath = join(config.corosyncDir, 'corosync.conf');
    const keyPath = join(config.corosyncDir, 'authkey');
    const authkey = Buffer.from(plan.authkey, 'base64');
    const before = await clusterState(signal);
    const keyDiffers = !(await holds(keyPath, authkey, AUTHKEY_MODE));
    if (before !== undefined && keyDiffers && (await readOrUndefined(keyPath)) !== undefined) {
      throw new Error(`corosync runs on ${plan.nodeName} with another authkey than ${plan.anvilName}'s: stop the cluster on both nodes (pcs cluster stop --all), then run the manifest again`);
    }

    await ctx.progress(15, 'Writing {path} and {keyPath} where they differ from the plan', { path: confPath, keyPath });
    const confChanged = await writeIfDifferent(confPath, Buffer.from(plan.corosyncConf), CONF_MODE);
    if (confChanged) changes.push(`wrote ${confPath}`);
    if (keyDiffers) {
      await writeIfDifferent(keyPath, authkey, AUTHKEY_MODE);
      changes.push(`wrote ${keyPath}`);
    }
    await ctx.note(changes.length === 0 ? '{path} and {keyPath} already hold the plan' : 'Wrote {files}', { path: confPath, keyPath, files: changes.map((c) => c.slice(6)).join(', ') });

    if (before === undefined) {
      await ctx.progress(30, 'Starting corosync and pacemaker: {command}', { command: config.startCommand.join(' ') });
      await command(config.startCommand, signal);
      changes.push('started the cluster stack');
    } else if (confChanged) {
      await ctx.progress(30, 'corosync runs: making it read the new corosync.conf ({command})', { command: config.reloadCommand.join(' ') });
      await command(config.reloadCommand, signal);
      changes.push('reloaded corosync.conf');
    } else {
      await ctx.progress(30, 'corosync and pacemaker already run on {node}', { node: plan.nodeName });
    }

    await ctx.progress(45, 'Waiting for {nodes} to be online (crm_mon)', { nodes: names });
    const online = await waitOnline(plan, signal);
    await ctx.progress(70, '{nodes} are online; the DC is {dc}', { nodes: names, dc: online.dc ?? '' });

    if (plan.role === 'node1' && plan.cib !== undefined) {
      const cib = plan.cib;
      await ctx.progress(75, 'Comparing the CIB with the fencing plan ({devices} stonith devices, {levels} levels)', { devices: cib.devices.length, levels: cib.levels.length });
      const applied = await applyCibPlan(cib, plan.pairNodes, liveCib((argv, options) => run(argv, { ...options, signal })), (argv, options) => run(argv, { ...options, signal }));
      if (applied.operations.length === 0) {
        await ctx.note('The CIB already holds the fencing plan: nothing pushed');
      } else {
        await ctx.note('Pushed {count} changes to the CIB in one cib-push: {operations}', {
          count: applied.operations.length,
          operations: applied.operations.map((op) => redactOperation(op, cib)).join('; '),
        });
        changes.push(`${applied.operations.length} CIB changes`);
      }
    }

    if (changes.length === 0) {
      return { noChange: `${plan.nodeName} is already a member of ${plan.anvilName}: corosync.conf, the authkey${plan.role === 'node1' ? ' and the fencing configuration' : ''} match the manifest` };
    }
    return { message: `${plan.nodeName} joined ${plan.anvilName} (${names} online): ${changes.join(', ')}` };
  };

  async function waitOnline(plan: JoinPlan, signal: AbortSignal): Promise<ClusterState> {
    const polls = Math.max(1, Math.ceil(config.onlineTimeoutSeconds / config.pollSeconds));
    let last: ClusterState | undefined;
    for (let i = 0; i < polls; i++) {
      last = await clusterState(signal);
      if (last !== undefined && last.dc !== undefined && plan.pairNodes.every((n) => last!.nodes.some((node) => node.name === n && node.online))) return last;
      await sleep(config.pollSeconds * 1000, signal);
    }
    const seen = last === undefined ? 'pacemaker never answered crm_mon' : `online: ${last.nodes.filter((n) => n.online).map((n) => n.name).join(', ') || 'none'}; DC: ${last.dc ?? 'none'}`;
    throw new Error(`${plan.pairNodes.join(' and ')} were not both online with a DC after ${config.onlineTimeoutSeconds} s (${seen})`);
  }
}

/** The plan must be for this job's pair and this subnode. */
function checkPlan(plan: JoinPlan, payload: JoinJobContext['payload']): JoinPlan {
  if (plan.anvilName !== payload.anvilName || plan.role !== payload.subnode) {
    throw new Error(`Striker answered a join plan for ${plan.role} of ${plan.anvilName}, but this job is ${payload.subnode} of ${payload.anvilName}`);
  }
  if (plan.role === 'node1' && plan.cib === undefined) throw new Error(`the join plan of node1 of ${plan.anvilName} has no CIB plan`);
  return plan;
}

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether the file holds exactly `content` with exactly `mode`. */
async function holds(path: string, content: Buffer, mode: number): Promise<boolean> {
  const current = await readOrUndefined(path);
  return current !== undefined && current.equals(content) && ((await stat(path)).mode & 0o777) === mode;
}

/** Writes the file (through a temporary file and a rename) unless it holds `content` with `mode`; true when it wrote. */
async function writeIfDifferent(path: string, content: Buffer, mode: number): Promise<boolean> {
  if (await holds(path, content, mode)) return false;
  const current = await readOrUndefined(path);
  if (current !== undefined && current.equals(content)) {
    await chmod(path, mode);
    return true;
  }
  const temporary = `${path}.striker-new`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
  return true;
}

