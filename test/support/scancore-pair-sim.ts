/**
 * A simulated node pair for ScanCore tests and the bench: node hardware states, where servers run,
 * and the UPSes, turned each tick into the readings the real agents would report (through the
 * real stamping, health score, pair view and decision engine). Decisions are applied the way the
 * actions would: servers move, withdrawn nodes power off and leave the cluster, booted nodes
 * rejoin and their servers start again.
 */
import type { ClusterStatus } from '../../cluster/scancore/agents/scan-agent.js';
import { decide, type Decision, type EngineMemory } from '../../cluster/scancore/decide.js';
import { healthScore } from '../../cluster/scancore/health-score.js';
import { nodeView, upsView, type PairView } from '../../cluster/scancore/pair-view.js';
import { stampReadings, type Reading, type TimedReading } from '../../cluster/scancore/reading.js';
import type { ScancoreConfig } from '../../cluster/scancore/scancore-config.js';

export interface SimNode {
  name: string;
  fan: 'ok' | 'warning' | 'critical';
  array: 'clean' | 'degraded' | 'rebuilding';
  temperature: 'ok' | 'warning' | 'critical';
  link: 'up' | 'down';
  power: 'on' | 'off';
  inCluster: boolean;
  syncSource: boolean;
  ramBytes: number;
}

export interface SimUps {
  name: string;
  feeds: string[];
  onBattery: boolean;
  lowBattery: boolean;
  chargePct: number;
  runtimeS: number;
}

export interface SimPair {
  id: string;
  nodes: [SimNode, SimNode];
  upses: SimUps[];
  /** Server name → the node it runs on, or null when stopped. */
  servers: Map<string, string | null>;
  previous: Map<string, TimedReading[]>;
  /** Readings of a host stop arriving (its agent died): the last ones age. */
  silent: Set<string>;
}

export function simNode(name: string, overrides: Partial<SimNode> = {}): SimNode {
  return { name, fan: 'ok', array: 'clean', temperature: 'ok', link: 'up', power: 'on', inCluster: true, syncSource: false, ramBytes: 256 * 2 ** 30, ...overrides };
}

export function simPair(id: string, servers: Record<string, string>, overrides: { nodes?: [Partial<SimNode>, Partial<SimNode>]; upses?: SimUps[] } = {}): SimPair {
  const n1 = simNode(`${id}n01`, overrides.nodes?.[0]);
  const n2 = simNode(`${id}n02`, overrides.nodes?.[1]);
  return {
    id,
    nodes: [n1, n2],
    upses: overrides.upses ?? [
      { name: `${id}-ups1`, feeds: [n1.name, n2.name], onBattery: false, lowBattery: false, chargePct: 100, runtimeS: 3600 },
      { name: `${id}-ups2`, feeds: [n1.name, n2.name], onBattery: false, lowBattery: false, chargePct: 100, runtimeS: 3600 },
    ],
    servers: new Map(Object.entries(servers).map(([s, n]) => [s, n.replace(/^n/, `${id}n`)])),
    previous: new Map(),
    silent: new Set(),
  };
}

const sensorStatus = { ok: 'ok', warning: 'warning', critical: 'critical' } as const;

/** The readings the agents would report for a node (host agents and the Striker's BMC/UPS reads together). */
export function nodeReadings(node: SimNode): Reading[] {
  const arrayStatus = node.array === 'clean' ? 'ok' : node.array === 'degraded' ? 'critical' : 'warning';
  return [
    { agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value: node.fan === 'ok' ? 6000 : node.fan === 'warning' ? 800 : 300, unit: 'RPM', status: sensorStatus[node.fan] },
    { agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN2', value: 6000, unit: 'RPM', status: 'ok' },
    { agent: 'ipmi', metric: 'ipmi.temperature', subject: 'CPU Temp', value: node.temperature === 'ok' ? 40 : node.temperature === 'warning' ? 75 : 90, unit: 'degrees C', status: sensorStatus[node.temperature] },
    { agent: 'ipmi', metric: 'ipmi.temperature', subject: 'Inlet Temp', value: 22, unit: 'degrees C', status: 'ok' },
    { agent: 'ipmi', metric: 'ipmi.voltage', subject: '12V', value: 12.1, unit: 'Volts', status: 'ok' },
    { agent: 'ipmi', metric: 'ipmi.power', subject: 'chassis', value: node.power, status: 'ok' },
    { agent: 'ipmi', metric: 'ipmi.sel', subject: 'entries', value: 0, status: 'ok' },
    { agent: 'storage', metric: 'storage.array', subject: '/dev/md127', value: node.array, status: arrayStatus },
    { agent: 'storage', metric: 'storage.disk', subject: '/dev/sda', value: true, status: 'ok' },
    { agent: 'storage', metric: 'storage.disk', subject: '/dev/sdb', value: true, status: 'ok' },
    { agent: 'links', metric: 'link.state', subject: 'bcn1_link1', value: node.link === 'up' ? 'UP' : 'DOWN', status: node.link === 'up' ? 'ok' : 'critical' },
    { agent: 'links', metric: 'link.state', subject: 'sn1_link1', value: 'UP', status: 'ok' },
    { agent: 'links', metric: 'link.bond', subject: 'bcn1_bond1', value: 2, status: 'ok' },
    { agent: 'drbd', metric: 'drbd.disk', subject: 'r0/0', value: 'UpToDate', status: 'ok' },
    { agent: 'drbd', metric: 'drbd.sync-source', subject: 'host', value: node.syncSource, status: 'ok' },
  ];
}

export function upsReadingsOf(ups: SimUps): Reading[] {
  const flags = [ups.onBattery ? 'OB DISCHRG' : 'OL', ...(ups.lowBattery ? ['LB'] : [])].join(' ');
  return [
    { agent: 'ups', metric: 'ups.status', subject: ups.name, value: flags, status: ups.lowBattery ? 'critical' : ups.onBattery ? 'warning' : 'ok' },
    { agent: 'ups', metric: 'ups.charge', subject: ups.name, value: ups.chargePct, unit: '%', status: 'ok' },
    { agent: 'ups', metric: 'ups.runtime', subject: ups.name, value: ups.runtimeS, unit: 's', status: 'ok' },
  ];
}

/** One scan: stamps every node's and UPS's readings at `now`, as the collector would store them. */
export function scanPair(pair: SimPair, now: number): void {
  for (const node of pair.nodes) {
    if (pair.silent.has(node.name)) continue;
    const readings = [...nodeReadings(node), ...pair.upses.flatMap(upsReadingsOf)];
    pair.previous.set(node.name, stampReadings(node.name, now, readings, pair.previous.get(node.name) ?? []));
  }
}

export function clusterStatusOf(pair: SimPair): ClusterStatus {
  return {
    nodes: pair.nodes.map((n) => ({ name: n.name, online: n.inCluster && n.power === 'on' })),
    resources: [...pair.servers].map(([id, node]) => ({ id, agent: 'ocf:heartbeat:VirtualDomain', nodes: node === null ? [] : [node] })),
  };
}

/** What the engine sees of the pair from the stored readings. */
export function viewOf(pair: SimPair, now: number, config: ScancoreConfig): PairView {
  const cluster = clusterStatusOf(pair);
  const [a, b] = pair.nodes.map((n, i) => {
    const peer = pair.nodes[1 - i] as SimNode;
    const readings = pair.previous.get(n.name) ?? [];
    const health = healthScore({ hostId: n.name, readings, facts: { ramBytes: n.ramBytes }, peerFacts: { ramBytes: peer.ramBytes } }, now, config);
    return nodeView({ name: n.name, hostId: n.name, readings, cluster, health, now, config });
  }) as [ReturnType<typeof nodeView>, ReturnType<typeof nodeView>];
  const upsReadings = pair.nodes.flatMap((n) => pair.previous.get(n.name) ?? []);
  return {
    id: pair.id,
    nodes: [a, b],
    upses: pair.upses.map((u) => upsView({ name: u.name, feeds: u.feeds, readings: upsReadings, now, config })),
    actionInProgress: false,
  };
}

/** Carries a decision out on the simulated pair, as the actions would. */
export function applyDecision(pair: SimPair, d: Decision): void {
  const node = (name: string): SimNode => pair.nodes.find((n) => n.name === name) as SimNode;
  switch (d.kind) {
    case 'migrate-servers':
      for (const s of d.servers) pair.servers.set(s, d.to);
      break;
    case 'withdraw-node':
      for (const s of d.servers) pair.servers.set(s, d.to);
      Object.assign(node(d.node), { power: 'off', inCluster: false });
      break;
    case 'shutdown':
      for (const s of d.servers) pair.servers.set(s, null);
      for (const n of d.nodes) Object.assign(node(n), { power: 'off', inCluster: false });
      break;
    case 'boot-nodes':
      for (const n of d.nodes) Object.assign(node(n), { power: 'on', inCluster: true });
      // The cluster starts stopped servers again on a node that came back.
      for (const s of d.servers) if (pair.servers.get(s) === null) pair.servers.set(s, d.nodes[0] ?? null);
      break;
  }
}

export interface SimEvent {
  at: number;
  decision: Decision;
}

/**
 * Runs the engine on the pairs every `stepS` simulated seconds for `forS` seconds, applying each
 * decision; returns the decisions with their times and the engine's memory.
 */
export function runSimulation(pairs: readonly SimPair[], config: ScancoreConfig, clock: { now: number }, forS: number, memory: EngineMemory = {}, stepS = 30): { events: SimEvent[]; memory: EngineMemory } {
  const events: SimEvent[] = [];
  let mem = memory;
  const end = clock.now + forS * 1000;
  while (clock.now < end) {
    clock.now += stepS * 1000;
    for (const p of pairs) scanPair(p, clock.now);
    const result = decide(pairs.map((p) => viewOf(p, clock.now, config)), clock.now, config, mem);
    mem = result.memory;
    for (const d of result.decisions) {
      events.push({ at: clock.now, decision: d });
      applyDecision(pairs.find((p) => p.id === d.pair) as SimPair, d);
    }
  }
  return { events, memory: mem };
}
