/**
 * Operator actions on one subnode — standby, unstandby, withdraw (leave the cluster), join, power
 * off and boot through its BMC — with a safety check that runs first and is pure
 * (`checkNodeAction`): an action that takes a node out of service refuses, unless forced, when
 * that node runs servers and no other node could take them over, and says so in plain words.
 * `nodeActionCommand` gives the command to run (argv, and where).
 */
import type { ClusterNode, ClusterState } from './crm-mon-parser.js';
import type { IpmiMethod } from './pair-input.js';

export const nodeActions = ['standby', 'unstandby', 'withdraw', 'join', 'poweroff', 'boot'] as const;
export type NodeAction = (typeof nodeActions)[number];

/** Actions after which the node no longer runs resources. */
const takesOutOfService: ReadonlySet<NodeAction> = new Set(['standby', 'withdraw', 'poweroff']);

const verb: Record<NodeAction, string> = {
  standby: 'putting {node} in standby', unstandby: 'taking {node} out of standby', withdraw: 'withdrawing {node} from the cluster',
  join: 'joining {node} to the cluster', poweroff: 'powering {node} off', boot: 'booting {node}',
};

export interface NodeActionRequest {
  action: NodeAction;
  node: string;
  /** Ids of the resources that are servers. */
  servers: readonly string[];
  force: boolean;
}

export type NodeActionCheck = { ok: true; warning?: string } | { ok: false; reason: string };

/** A node that can take over servers: online, clean, not in standby or maintenance, not leaving. */
export function canHost(node: ClusterNode): boolean {
  return node.online && !node.unclean && !node.standby && !node.maintenance && !node.pending && !node.shutdown;
}

function why(node: ClusterNode): string {
  if (!node.online) return node.unclean ? 'it is lost and not yet fenced' : 'it is offline';
  if (node.unclean) return 'it is unclean';
  if (node.standby) return 'it is in standby';
  if (node.maintenance) return 'it is in maintenance';
  if (node.shutdown) return 'it is shutting down';
  return 'it is still joining';
}

const list = (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

export function checkNodeAction(req: NodeActionRequest, state: ClusterState): NodeActionCheck {
  const node = state.nodes.find((n) => n.name === req.node);
  if (node === undefined) return { ok: false, reason: `${req.node} is not a node of this cluster (it has ${list(state.nodes.map((n) => n.name))})` };
  if (!takesOutOfService.has(req.action)) return { ok: true };
  const running = [...new Set(state.resources.filter((r) => req.servers.includes(r.id) && r.nodes.includes(req.node)).map((r) => r.id))].sort();
  if (running.length === 0) return { ok: true };
  const others = state.nodes.filter((n) => n.name !== req.node);
  if (others.some(canHost)) return { ok: true };
  const doing = verb[req.action].replace('{node}', req.node);
  const peers = others.length === 0 ? 'there is no other node' : others.map((o) => `${o.name} cannot take ${running.length === 1 ? 'it' : 'them'} because ${why(o)}`).join('; ');
  const plain = `${req.node} is the last node able to run ${running.length === 1 ? 'server' : 'servers'} ${list(running)}: ${peers}. ${doing[0]?.toUpperCase()}${doing.slice(1)} would stop ${running.length === 1 ? 'it' : 'them'}.`;
  return req.force ? { ok: true, warning: `forced: ${plain}` } : { ok: false, reason: `${plain} Use force to do it anyway.` };
}

export interface NodeCommand {
  argv: string[];
  /** Extra environment (the BMC password travels here, never in argv). */
  env?: Record<string, string>;
  /** `node`: run by the agent on the node itself; `anywhere`: on any host that reaches the BMC. */
  runsOn: 'node' | 'anywhere';
}

/**
 * The command for an action. Standby and unstandby go through pacemaker; withdraw and join stop
 * and start the cluster stack on the node itself (`pcs cluster stop|start` needs no pcsd there);
 * power off is a hard cut by the BMC — withdraw first for a clean stop.
 */
export function nodeActionCommand(action: NodeAction, node: string, bmc?: { ipmi: IpmiMethod; password: string }): NodeCommand {
  switch (action) {
    case 'standby':
    case 'unstandby':
      return { argv: ['pcs', 'node', action, node], runsOn: 'anywhere' };
    case 'withdraw':
      return { argv: ['pcs', 'cluster', 'stop'], runsOn: 'node' };
    case 'join':
      return { argv: ['pcs', 'cluster', 'start'], runsOn: 'node' };
    case 'poweroff':
    case 'boot': {
      if (bmc === undefined) throw new Error(`${node} has no IPMI BMC in its fence methods: it cannot be ${action === 'boot' ? 'booted' : 'powered off'} remotely`);
      const { ipmi, password } = bmc;
      return {
        argv: ['ipmitool', '-I', 'lanplus', '-C', String(ipmi.cipher ?? 3), '-H', ipmi.address, '-p', String(ipmi.port ?? 623), '-U', ipmi.username, '-E', 'chassis', 'power', action === 'boot' ? 'on' : 'off'],
        env: { IPMI_PASSWORD: password },
        runsOn: 'anywhere',
      };
    }
  }
}
