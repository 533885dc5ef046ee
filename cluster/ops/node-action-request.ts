/**
 * An operator's node action on a pair (`POST /api/anvils/:name/nodes/:node/actions` and
 * `striker cluster node <action> <node>`), validated, checked, queued and audited in one place:
 *
 * - the pair and node names and the body (`action`, `force`, `reason`) are validated, a 400
 *   naming each bad field;
 * - the check runs on the pair's stored state (`checkNodeAction`): taking the servers' last
 *   healthy node out of service is refused with the reason in plain words (409) unless forced;
 *   so is an action that takes a node out of service when the state it would be checked against
 *   is stale or missing, since the check could not be trusted;
 * - standby, unstandby, withdraw and join become host jobs (`node.*`) on the node's own agent;
 *   power off and boot a Striker job (`cluster.node-power`) through the node's BMC;
 * - one audit row names the action, the node, whether it was forced and the check's warning.
 */
import { z } from 'zod';
import { addHostJob } from '../../striker/agent/index.js';
import { audit, type ActionOptions, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, NotFoundError } from '../../striker/core/errors/index.js';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import type { Database } from '../../striker/db/database.js';
import { enqueueJob } from '../../striker/jobs/enqueue.js';
import type { Job } from '../../striker/jobs/job.js';
import type { JobCatalog } from '../../striker/jobs/job-kind.js';
import type { ClusterState } from '../crm-mon-parser.js';
import { checkNodeAction, nodeActions, type NodeAction } from '../node-actions.js';
import { anvilView, type AnvilView } from './anvil-view.js';
import { clusterReports } from './cluster-report-store.js';
import { nodePowerKind, type BmcLookup } from './node-power-job.js';

const nameSchema = z.string().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a name like an-anvil-01 (letters, digits, dots, hyphens, underscores)');

export const nodeActionTargetSchema = z.strictObject({ name: nameSchema, node: nameSchema });

export const nodeActionInputSchema = z.strictObject({
  action: z.enum(nodeActions),
  force: z.boolean().default(false),
  reason: z.string().max(200).optional(),
});

export type NodeActionInput = z.input<typeof nodeActionInputSchema>;

export interface ClusterOpsDeps {
  db: Database;
  catalog: () => JobCatalog;
  bmcOf: BmcLookup;
  now: () => number;
  /** State older than this is stale. */
  staleAfterMs: number;
}

export interface NodeActionResult {
  job: Job;
  action: NodeAction;
  forced: boolean;
  /** Set when force overrode the check: what the check said. */
  warning?: string;
}

const hostKinds: Partial<Record<NodeAction, string>> = { standby: 'node.standby', unstandby: 'node.unstandby', withdraw: 'node.withdraw', join: 'node.join' };
const outOfService: ReadonlySet<NodeAction> = new Set(['standby', 'withdraw', 'poweroff']);

/** The pair's view; NotFoundError when no node of it has reported. */
export async function loadAnvil(deps: Pick<ClusterOpsDeps, 'db' | 'now' | 'staleAfterMs'>, name: string): Promise<AnvilView> {
  const reports = await clusterReports(deps.db, name);
  if (reports.length === 0) throw new NotFoundError('anvil', name);
  return anvilView(name, reports, deps.now(), deps.staleAfterMs);
}

/** The view as crm_mon's state, for `checkNodeAction`. */
function stateOf(view: AnvilView): ClusterState {
  return { stonithEnabled: view.stonithEnabled ?? false, maintenanceMode: view.maintenanceMode ?? false, nodes: view.nodes, resources: view.resources, failedActions: view.failedActions, fenceHistory: view.fenceHistory };
}

export async function requestNodeAction(deps: ClusterOpsDeps, actor: Actor, target: { name: unknown; node: unknown }, input: unknown, options: ActionOptions & { prefix?: string; targetPrefix?: string } = {}): Promise<NodeActionResult> {
  const { name, node } = parseOrThrow(nodeActionTargetSchema, target, 'node action', options.targetPrefix ?? '');
  const body = parseOrThrow(nodeActionInputSchema, input ?? {}, 'node action', options.prefix ?? '');
  const view = await loadAnvil(deps, name);
  const nodeView = view.nodes.find((n) => n.name === node);
  if (nodeView === undefined) throw new NotFoundError(`node of ${name}`, node);

  let warning: string | undefined;
  if (outOfService.has(body.action)) {
    const doubt = view.source === undefined
      ? `there is no current cluster state for ${name} (${view.stateError ?? 'no node could read it'}), so whether ${node} is the servers' last healthy node cannot be checked`
      : view.source.stale ? `the cluster state of ${name} is ${view.source.ageSeconds} s old (stale), so whether ${node} is the servers' last healthy node cannot be checked` : undefined;
    if (doubt !== undefined) {
      if (!body.force) throw new ConflictError(`${doubt}. Use force to do it anyway.`, { anvil: name, node, action: body.action });
      warning = `forced: ${doubt}`;
    } else {
      const servers = [...new Set(view.resources.filter((r) => r.server).map((r) => r.id))];
      const check = checkNodeAction({ action: body.action, node, servers, force: body.force }, stateOf(view));
      if (!check.ok) throw new ConflictError(check.reason, { anvil: name, node, action: body.action });
      warning = check.warning;
    }
  }

  const reason = body.reason ?? `${body.action} requested by ${actor.name}`;
  const hostKind = hostKinds[body.action];
  if (hostKind === undefined && (await deps.bmcOf(name, node)) === undefined) {
    throw new ConflictError(`${node} of ${name} has no BMC, neither in the configuration (scancore.pairs ipmi) nor in an applied manifest: it cannot be ${body.action === 'boot' ? 'booted' : 'powered off'} remotely`, { anvil: name, node });
  }
  if (hostKind !== undefined && nodeView.hostId === undefined) {
    throw new ConflictError(`${node} of ${name} has not reported from a host agent, so there is no agent to run ${body.action} on it`, { anvil: name, node });
  }
  const job = await deps.db.tx(async (t) => {
    const queued = hostKind !== undefined
      ? await addHostJob(t, actor, { hostId: nodeView.hostId!, kind: hostKind, payload: { reason } }, { requestId: options.requestId })
      : await enqueueJob(t, deps.catalog(), { kind: nodePowerKind, payload: { anvil: name, node, power: body.action === 'boot' ? 'on' : 'off', reason }, createdBy: actor.userId });
    await audit(t, actor, {
      action: `cluster.node.${body.action}`, targetKind: 'node', targetId: `${name}/${node}`,
      details: { anvil: name, node, force: body.force, jobId: queued.id, ...(warning === undefined ? {} : { warning }) }, requestId: options.requestId,
    });
    return queued;
  });
  return { job, action: body.action, forced: body.force, ...(warning === undefined ? {} : { warning }) };
}
