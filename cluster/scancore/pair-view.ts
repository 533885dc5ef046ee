/**
 * What the decision engine sees of a node pair: each node's membership, power, servers,
 * health, temperature and DRBD role, and each UPS that feeds it. Built from the latest readings
 * and the cluster state by pure functions; a reading older than `staleAfterSeconds` counts as
 * unknown, never as its last value.
 */
import { isServer, type ClusterStatus } from './agents/scan-agent.js';
import type { HealthScore } from './health-score.js';
import { worseStatus, type ReadingStatus, type TimedReading } from './reading.js';
import type { ScancoreConfig } from './scancore-config.js';

export interface NodeView {
  name: string;
  hostId: string;
  /** Online in the cluster (pacemaker). */
  inCluster: boolean;
  /** Chassis power from the BMC; `unknown` without a fresh reading. */
  power: 'on' | 'off' | 'unknown';
  /** Servers running on this node now. */
  servers: string[];
  health: HealthScore;
  /** Worst fresh temperature sensor status; `unknown` without one. */
  temperature: ReadingStatus;
  /** This node is the DRBD sync source (its data is the one the peer copies). */
  syncSource: boolean;
  /** The node has fresh readings; without them its health is unknown, not zero. */
  fresh: boolean;
}

export interface UpsView {
  name: string;
  /** Names of the nodes this UPS powers. */
  feeds: string[];
  /** False when the UPS has no fresh reading: its state is unknown. */
  fresh: boolean;
  onBattery: boolean;
  lowBattery: boolean;
  chargePct: number | null;
  runtimeS: number | null;
}

export interface PairView {
  id: string;
  nodes: readonly [NodeView, NodeView];
  upses: UpsView[];
  /** An action for this pair is still running: no new decision except an emergency shutdown. */
  actionInProgress: boolean;
}

function freshOnly(readings: readonly TimedReading[], now: number, config: ScancoreConfig): TimedReading[] {
  const staleBefore = now - config.readings.staleAfterSeconds * 1000;
  return readings.filter((r) => r.at >= staleBefore);
}

export function nodeView(args: { name: string; hostId: string; readings: readonly TimedReading[]; cluster: ClusterStatus; health: HealthScore; now: number; config: ScancoreConfig }): NodeView {
  const fresh = freshOnly(args.readings, args.now, args.config);
  const power = fresh.find((r) => r.metric === 'ipmi.power')?.value;
  const temperature = fresh.filter((r) => r.metric === 'ipmi.temperature').reduce<ReadingStatus>((worst, r) => worseStatus(worst, r.status), 'unknown');
  return {
    name: args.name,
    hostId: args.hostId,
    inCluster: args.cluster.nodes.some((n) => n.name === args.name && n.online),
    power: power === 'on' || power === 'off' ? power : 'unknown',
    servers: args.cluster.resources.filter((r) => isServer(r) && r.nodes.includes(args.name)).map((r) => r.id).sort(),
    health: args.health,
    temperature,
    syncSource: fresh.some((r) => r.metric === 'drbd.sync-source' && r.value === true),
    fresh: fresh.some((r) => r.hostId === args.hostId && r.agent !== 'ups'),
  };
}

/** A UPS's view from the readings the UPS agent made of it (subject = the UPS's name). */
export function upsView(args: { name: string; feeds: string[]; readings: readonly TimedReading[]; now: number; config: ScancoreConfig }): UpsView {
  const mine = freshOnly(args.readings, args.now, args.config).filter((r) => r.agent === 'ups' && r.subject === args.name);
  const status = mine.find((r) => r.metric === 'ups.status');
  const flags = typeof status?.value === 'string' ? status.value.split(' ') : [];
  const num = (metric: string): number | null => {
    const v = mine.find((r) => r.metric === metric)?.value;
    return typeof v === 'number' ? v : null;
  };
  return {
    name: args.name,
    feeds: args.feeds,
    fresh: status !== undefined,
    onBattery: flags.includes('OB'),
    lowBattery: flags.includes('LB'),
    chargePct: num('ups.charge'),
    runtimeS: num('ups.runtime'),
  };
}
