/**
 * Servers' state and node as pacemaker runs them, from a node's cluster report (crm_mon, read by
 * each node's agent with every scan and sent to Striker: cluster/ops). Striker calls
 * `followPacemaker` for each report it accepts, so `servers.state` and `running_on` follow the
 * cluster without an action of Striker's own (a failover after fencing, a move made with pcs);
 * each change is announced on the live channel by the servers table's trigger (topic `servers`).
 *
 * A server is its pacemaker resource of the same name (one resource per server):
 *   failed                  → `failed` (on the node it is still active on, else none)
 *   active on two nodes     → `migrating` (a live migration: on the node it ran on before, while that
 *                             is one of the two)
 *   active on one node      → `running` on that node
 *   active nowhere          → `stopped`
 * A report from a node outside the quorate partition (or whose crm_mon could not be read) says
 * nothing certain about where servers run, and changes nothing; nor does a server the report does
 * not show (not created in pacemaker yet), nor a server still being provisioned.
 */
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { ClusterState } from '../crm-mon-parser.js';
import type { Server, ServerState } from './server-record.js';
import { serversOnHost, updateRunState } from './servers-store.js';

export interface RunState {
  state: ServerState;
  node: string | null;
}

/** Where pacemaker runs `name`, or undefined when the cluster has no such resource. Pure. */
export function runStateOf(cluster: ClusterState, name: string, runningOn: string | null = null): RunState | undefined {
  const instances = cluster.resources.filter((r) => r.id === name);
  if (instances.length === 0) return undefined;
  const nodes = [...new Set(instances.filter((r) => r.active).flatMap((r) => r.nodes))].sort();
  const stay = runningOn !== null && nodes.includes(runningOn) ? runningOn : (nodes[0] ?? null);
  if (instances.some((r) => r.failed)) return { state: 'failed', node: stay };
  if (nodes.length > 1) return { state: 'migrating', node: stay };
  if (nodes.length === 1) return { state: 'running', node: nodes[0]! };
  return { state: 'stopped', node: null };
}

/** Whether a node's view of the cluster can be trusted for placement: quorate, with a DC, the node itself online. */
export function authoritative(cluster: ClusterState, node: string): boolean {
  return cluster.quorate === true && cluster.dc !== undefined && cluster.nodes.some((n) => n.name === node && n.online && !n.unclean);
}

/** What a node's cluster report carries that servers need (cluster/ops ClusterReport). */
export interface NodeClusterView {
  node: string;
  state: { value: ClusterState } | { error: string };
}

/**
 * Brings the servers of the reporting host's pair in line with its crm_mon; returns the servers
 * changed, with their new state.
 */
export async function followPacemaker(q: DbReader & DbWriter, hostId: string, report: NodeClusterView): Promise<{ name: string; state: ServerState; node: string | null }[]> {
  if (!('value' in report.state) || !authoritative(report.state.value, report.node)) return [];
  const cluster = report.state.value;
  const changed: { name: string; state: ServerState; node: string | null }[] = [];
  for (const server of await serversOnHost(q, hostId)) {
    if (!followed(server)) continue;
    const run = runStateOf(cluster, server.name, server.runningOn);
    if (run === undefined) continue;
    if (await updateRunState(q, server.name, run.state, run.node)) changed.push({ name: server.name, ...run });
  }
  return changed;
}

const followed = (s: Server) => s.provisionStep === 'done';
