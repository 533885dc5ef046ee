/** The cluster API's answers (cluster/ops/anvil-view.ts), as the Cluster pages read them. */
export interface Age { receivedAt: string; ageSeconds: number; stale: boolean }
export type NodeStatus = 'online' | 'standby' | 'maintenance' | 'offline' | 'unclean' | 'joining' | 'shutting-down';

export interface AnvilSummary {
  name: string;
  source?: Age & { node: string };
  quorate?: boolean;
  nodes: { name: string; status: NodeStatus }[];
  servers: { total: number; running: number };
  failedActions: number;
}

export interface NodeView {
  name: string; status: NodeStatus; isDc: boolean; hostId?: string;
  report?: Age & { problems: string[] };
  links?: { linkId: number; address: string; peers: { node: string; status: string }[] }[];
  linksError?: string;
}

export interface AnvilView {
  name: string;
  source?: Age & { node: string; hostId: string };
  quorate?: boolean; dc?: string; stonithEnabled?: boolean; maintenanceMode?: boolean;
  nodes: NodeView[];
  resources: { id: string; agent: string; role: string; failed: boolean; nodes: string[]; server: boolean; group?: string; clone?: string }[];
  failedActions: { opKey: string; node: string; exitStatus: string; exitReason: string; lastRcChange: string }[];
  fenceDevices: { id: string; agent: string; target?: string; level?: number; runningOn: string[]; lastTest?: { task: string; node: string; ok: boolean; rcText: string; at: string } }[];
  fenceDevicesError?: string;
  fenceHistory: { target: string; action: string; status: string; delegate?: string; completed?: string; exitReason?: string }[];
  fenceHistoryError?: string;
  stateError?: string;
}

export const nodeActions = ['standby', 'unstandby', 'withdraw', 'join', 'poweroff', 'boot'] as const;
export type NodeAction = (typeof nodeActions)[number];

/** "12 s old", "5 min old (stale)". */
export function ageText(a: Age | undefined): string {
  if (a === undefined) return 'no state';
  const s = a.ageSeconds;
  const text = s < 120 ? `${s} s old` : s < 7200 ? `${Math.floor(s / 60)} min old` : `${Math.floor(s / 3600)} h old`;
  return a.stale ? `${text} (stale)` : text;
}

/** One DRBD resource on one node, from the `drbd.*` readings of that node's newest scan. */
export interface DrbdOnNode {
  resource: string;
  role: string;
  /** Each volume's disk state, `0: UpToDate`. */
  disks: string[];
  /** Each peer: its connection state, and each volume's replication (with how much is in sync while it syncs). */
  peers: { peer: string; connection: string; replication: string[] }[];
  /** The worst status among these readings. */
  status: 'ok' | 'warning' | 'critical' | 'unknown';
}

interface DrbdReading {
  agent: string;
  metric: string;
  subject: string;
  value: number | string | boolean | null;
  status: 'ok' | 'warning' | 'critical' | 'unknown';
}

const statusRank = { unknown: 0, ok: 1, warning: 2, critical: 3 } as const;

/** The DRBD resources a node's scan read (drbd-agent's readings), by resource name. */
export function drbdOnNode(readings: readonly DrbdReading[]): DrbdOnNode[] {
  const byName = new Map<string, DrbdOnNode>();
  const resource = (name: string): DrbdOnNode => {
    let r = byName.get(name);
    if (r === undefined) byName.set(name, (r = { resource: name, role: 'unknown', disks: [], peers: [], status: 'unknown' }));
    return r;
  };
  const peer = (r: DrbdOnNode, name: string) => {
    let p = r.peers.find((x) => x.peer === name);
    if (p === undefined) r.peers.push((p = { peer: name, connection: 'unknown', replication: [] }));
    return p;
  };
  const drbd = readings.filter((x) => x.agent === 'drbd' && x.metric !== 'drbd.sync-source');
  for (const x of drbd) {
    // Subjects: `r` (role), `r/volume` (disk), `r:peer` (connection), `r:peer/volume` (replication, in-sync).
    const [head, volume] = x.subject.split('/') as [string, string | undefined];
    const [name, peerName] = head.split(':') as [string, string | undefined];
    const r = resource(name);
    if (statusRank[x.status] > statusRank[r.status]) r.status = x.status;
    const value = String(x.value);
    if (x.metric === 'drbd.role') r.role = value;
    else if (x.metric === 'drbd.disk') r.disks.push(`${volume ?? '?'}: ${value}`);
    else if (x.metric === 'drbd.connection' && peerName !== undefined) peer(r, peerName).connection = value;
    else if (x.metric === 'drbd.replication' && peerName !== undefined) {
      const inSync = drbd.find((y) => y.metric === 'drbd.in-sync' && y.subject === x.subject);
      peer(r, peerName).replication.push(`${volume ?? '?'}: ${value}${inSync !== undefined && value !== 'Established' ? ` (${String(inSync.value)} % in sync)` : ''}`);
    }
  }
  return [...byName.values()].sort((a, b) => a.resource.localeCompare(b.resource));
}
