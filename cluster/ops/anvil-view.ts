/**
 * A pair's state as the API and the Cluster page show it, built from its nodes' stored reports
 * (pure: reports and the time in, the view out). The pair-wide part (membership, resources,
 * failed actions, fencing) comes from one report — the freshest that read crm_mon, preferring a
 * report that is not stale and sees quorum, since a node cut off from its peer sees only its own
 * partition; each node's links come from that node's own report. Every part carries how old it is
 * and whether it is stale (older than `staleAfterMs`): stale state is shown as stale, never as
 * current.
 */
import type { ClusterNode, FailedAction, FenceEvent, ResourceInstance } from '../crm-mon-parser.js';
import { isServer } from '../scancore/agents/scan-agent.js';
import type { ClusterReport } from './cluster-report.js';
import type { StoredClusterReport } from './cluster-report-store.js';
import type { FenceDevice } from './fence-devices.js';

export interface Age {
  receivedAt: string;
  ageSeconds: number;
  stale: boolean;
}

export interface NodeLinkView {
  linkId: number;
  address: string;
  /** The link's status to each other node, by node name (or `node <id>` when crm_mon does not name it). */
  peers: { node: string; status: string }[];
}

export type NodeStatus = 'online' | 'standby' | 'maintenance' | 'offline' | 'unclean' | 'joining' | 'shutting-down';

export interface NodeView extends ClusterNode {
  status: NodeStatus;
  hostId?: string;
  /** This node's own latest report. */
  report?: Age & { problems: string[] };
  links?: NodeLinkView[];
  linksError?: string;
}

export interface AnvilView {
  name: string;
  /** The report the pair-wide state was read from; absent when no node could read crm_mon. */
  source?: Age & { node: string; hostId: string };
  quorate?: boolean;
  dc?: string;
  stonithEnabled?: boolean;
  maintenanceMode?: boolean;
  nodes: NodeView[];
  resources: (ResourceInstance & { server: boolean })[];
  failedActions: FailedAction[];
  fenceDevices: FenceDevice[];
  fenceDevicesError?: string;
  fenceHistory: FenceEvent[];
  fenceHistoryError?: string;
  /** Why there is no pair-wide state (each node's crm_mon error). */
  stateError?: string;
}

export interface AnvilSummary {
  name: string;
  source?: Age & { node: string };
  quorate?: boolean;
  nodes: { name: string; status: NodeStatus }[];
  servers: { total: number; running: number };
  failedActions: number;
}

function ageOf(r: StoredClusterReport, now: number, staleAfterMs: number): Age {
  const received = new Date(r.receivedAt).getTime();
  const ageMs = Math.max(0, now - received);
  return { receivedAt: new Date(received).toISOString(), ageSeconds: Math.floor(ageMs / 1000), stale: ageMs > staleAfterMs };
}

export function nodeStatus(n: ClusterNode): NodeStatus {
  if (!n.online) return n.unclean ? 'unclean' : 'offline';
  if (n.unclean) return 'unclean';
  if (n.shutdown) return 'shutting-down';
  if (n.pending) return 'joining';
  if (n.standby) return 'standby';
  if (n.maintenance) return 'maintenance';
  return 'online';
}

function problemsOf(report: ClusterReport): string[] {
  const out: string[] = [];
  for (const [what, r] of [['crm_mon', report.state], ['knet links', report.links], ['fence history', report.fenceHistory], ['fence devices', report.fenceDevices]] as const) {
    if ('error' in r) out.push(`${what}: ${r.error}`);
  }
  return out;
}

/** The report the pair-wide state is read from. */
function sourceOf(reports: readonly StoredClusterReport[], now: number, staleAfterMs: number): StoredClusterReport | undefined {
  const rank = (r: StoredClusterReport) => {
    const state = 'value' in r.report.state ? r.report.state.value : undefined;
    return [ageOf(r, now, staleAfterMs).stale ? 0 : 1, state?.quorate === true ? 1 : 0, new Date(r.receivedAt).getTime()];
  };
  const candidates = reports.filter((r) => 'value' in r.report.state);
  return candidates.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return (y[0]! - x[0]!) || (y[1]! - x[1]!) || (y[2]! - x[2]!);
  })[0];
}

export function anvilView(name: string, reports: readonly StoredClusterReport[], now: number, staleAfterMs: number): AnvilView {
  const source = sourceOf(reports, now, staleAfterMs);
  const state = source !== undefined && 'value' in source.report.state ? source.report.state.value : undefined;
  const byNode = new Map(reports.map((r) => [r.nodeName, r]));
  const nameOfId = new Map((state?.nodes ?? []).map((n) => [Number(n.id), n.name]));
  const view: AnvilView = { name, nodes: [], resources: [], failedActions: [], fenceDevices: [], fenceHistory: [] };
  if (source === undefined || state === undefined) {
    view.stateError = reports.length === 0 ? `no node of ${name} has reported` : reports.map((r) => `${r.nodeName}: ${'error' in r.report.state ? r.report.state.error : ''}`).join('; ');
  } else {
    view.source = { ...ageOf(source, now, staleAfterMs), node: source.nodeName, hostId: source.hostId };
    if (state.quorate !== undefined) view.quorate = state.quorate;
    if (state.dc !== undefined) view.dc = state.dc;
    view.stonithEnabled = state.stonithEnabled;
    view.maintenanceMode = state.maintenanceMode;
    view.resources = state.resources.map((r) => ({ ...r, server: isServer(r) }));
    view.failedActions = state.failedActions;
    const devices = source.report.fenceDevices;
    if ('value' in devices) view.fenceDevices = devices.value;
    else view.fenceDevicesError = devices.error;
    const history = source.report.fenceHistory;
    if ('value' in history) view.fenceHistory = history.value;
    else {
      view.fenceHistory = state.fenceHistory;
      view.fenceHistoryError = history.error;
    }
  }
  const clusterNodes: ClusterNode[] = state?.nodes ?? [];
  // Nodes that reported but that crm_mon does not list (no state read at all): shown from their reports.
  const listed = new Set(clusterNodes.map((n) => n.name));
  const unlisted = reports.filter((r) => !listed.has(r.nodeName)).map((r): ClusterNode => ({
    name: r.nodeName, id: '', online: false, standby: false, standbyOnFail: false, maintenance: false, pending: false, unclean: false, shutdown: false, isDc: false, resourcesRunning: 0,
  }));
  view.nodes = [...clusterNodes, ...unlisted].map((n): NodeView => {
    const own = byNode.get(n.name);
    const node: NodeView = { ...n, status: nodeStatus(n) };
    if (own === undefined) return node;
    node.hostId = own.hostId;
    node.report = { ...ageOf(own, now, staleAfterMs), problems: problemsOf(own.report) };
    const links = own.report.links;
    if ('error' in links) node.linksError = links.error;
    else {
      node.links = links.value.links.map((l) => ({
        linkId: l.linkId,
        address: l.address,
        peers: l.peers.filter((p) => p.nodeId !== links.value.localNodeId).map((p) => ({ node: nameOfId.get(p.nodeId) ?? `node ${p.nodeId}`, status: p.status })),
      }));
    }
    return node;
  });
  return view;
}

export function anvilSummary(view: AnvilView): AnvilSummary {
  const servers = view.resources.filter((r) => r.server);
  const summary: AnvilSummary = {
    name: view.name,
    nodes: view.nodes.map((n) => ({ name: n.name, status: n.status })),
    servers: { total: new Set(servers.map((s) => s.id)).size, running: new Set(servers.filter((s) => s.nodes.length > 0).map((s) => s.id)).size },
    failedActions: view.failedActions.length,
  };
  if (view.source !== undefined) summary.source = { receivedAt: view.source.receivedAt, ageSeconds: view.source.ageSeconds, stale: view.source.stale, node: view.source.node };
  if (view.quorate !== undefined) summary.quorate = view.quorate;
  return summary;
}
