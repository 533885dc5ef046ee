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
