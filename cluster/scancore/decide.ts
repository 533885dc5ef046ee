/**
 * The decision engine: a pure function from what ScanCore knows of each node pair (pair-view.ts),
 * the time, the configuration and the engine's own memory of earlier rounds (when a condition
 * began, which nodes it powered off and why) to decisions with reasons and the next memory.
 * It never reads a clock or a database, so tests run hours of simulated time in milliseconds.
 *
 * At most one decision per pair per round, in this order of precedence:
 *  1. power, hold-up below the floor → shut the servers down gracefully and power off;
 *  2. thermal: one node hot → withdraw it (servers to the peer, power off); both hot → shed load;
 *     the last node on still hot past its grace → shut down;
 *  3. power, every UPS feeding the pair on battery past the grace → shed load;
 *  4. boot nodes this engine powered off, once mains is back and the best UPS is charged to the
 *     safe level (power), or temperatures are ok and the cool-down has passed (thermal);
 *  5. preventative migration: both nodes in the cluster, no power or thermal event, the peer
 *     sicker by at least the threshold for longer than the grace → servers to the healthier node.
 * While an action for the pair is still running only (1) is decided.
 */
import type { NodeView, PairView, UpsView } from './pair-view.js';
import type { ScancoreConfig } from './scancore-config.js';

export type DecisionCause = 'health' | 'power' | 'thermal';

export type Decision =
  /** Live-migrate servers between the nodes. */
  | { kind: 'migrate-servers'; pair: string; from: string; to: string; servers: string[]; cause: DecisionCause; reasons: string[] }
  /** Move every server off `node` to `to`, withdraw it from the cluster and power it off (shedding load when cause is power). */
  | { kind: 'withdraw-node'; pair: string; node: string; to: string; servers: string[]; cause: DecisionCause; reasons: string[] }
  /** Shut the servers down gracefully, then power off the nodes. */
  | { kind: 'shutdown'; pair: string; nodes: string[]; servers: string[]; cause: DecisionCause; reasons: string[] }
  /** Power the nodes on through IPMI; the cluster starts the servers again. */
  | { kind: 'boot-nodes'; pair: string; nodes: string[]; servers: string[]; cause: DecisionCause; reasons: string[] };

interface PoweredOff {
  cause: 'power' | 'thermal';
  at: number;
  servers: string[];
}

export interface PairMemory {
  /** The healthier node and since when the score gap has held. */
  imbalance?: { healthier: string; since: number };
  /** Since when every UPS feeding the pair has been on battery. */
  onBatterySince?: number;
  /** Since when each node has been hot. */
  hotSince: Record<string, number>;
  /** Nodes this engine powered off, why and when, with the servers it stopped doing so. */
  poweredOff: Record<string, PoweredOff>;
  /** When this pair's thermal shutdowns happened (for the growing cool-down). */
  thermalShutdowns: number[];
}

export type EngineMemory = Readonly<Record<string, PairMemory>>;

export interface DecideResult {
  decisions: Decision[];
  memory: EngineMemory;
}

const emptyPair = (): PairMemory => ({ hotSince: {}, poweredOff: {}, thermalShutdowns: [] });

export function decide(pairs: readonly PairView[], now: number, config: ScancoreConfig, memory: EngineMemory = {}): DecideResult {
  const decisions: Decision[] = [];
  const next: Record<string, PairMemory> = {};
  for (const pair of pairs) {
    const before = memory[pair.id] ?? emptyPair();
    const mem: PairMemory = { ...before, hotSince: { ...before.hotSince }, poweredOff: { ...before.poweredOff }, thermalShutdowns: [...before.thermalShutdowns] };
    const decision = decidePair(pair, now, config, mem);
    if (decision !== null) decisions.push(decision);
    next[pair.id] = mem;
  }
  return { decisions, memory: next };
}

function decidePair(pair: PairView, now: number, config: ScancoreConfig, mem: PairMemory): Decision | null {
  const [a, b] = pair.nodes;
  const feeding = pair.upses.filter((u) => u.feeds.includes(a.name) || u.feeds.includes(b.name));
  const anyOnBattery = feeding.some((u) => u.fresh && u.onBattery);
  const allOnBattery = feeding.length > 0 && feeding.every((u) => u.fresh && u.onBattery);
  mem.onBatterySince = allOnBattery ? (mem.onBatterySince ?? now) : undefined;
  const hot = (n: NodeView): boolean => n.temperature === 'critical';
  for (const n of pair.nodes) {
    if (hot(n)) mem.hotSince[n.name] = mem.hotSince[n.name] ?? now;
    else delete mem.hotSince[n.name];
  }
  const on = pair.nodes.filter((n) => n.power !== 'off' && mem.poweredOff[n.name] === undefined);
  const windowStart = now - config.thermal.repeatWindowHours * 3_600_000;
  mem.thermalShutdowns = mem.thermalShutdowns.filter((t) => t >= windowStart);

  // 1. Hold-up time below the floor: shut everything down while it can still be done cleanly.
  if (allOnBattery && on.length > 0) {
    const runtimes = feeding.map((u) => u.runtimeS).filter((r): r is number => r !== null);
    const holdUp = runtimes.length > 0 ? Math.max(...runtimes) : null;
    const belowFloor = holdUp !== null ? holdUp < config.power.holdUpFloorSeconds : feeding.every((u) => u.lowBattery);
    if (belowFloor) {
      mem.imbalance = undefined;
      const servers = on.flatMap((n) => n.servers).sort();
      for (const n of on) mem.poweredOff[n.name] = { cause: 'power', at: now, servers: [...n.servers].sort() };
      return {
        kind: 'shutdown', pair: pair.id, nodes: on.map((n) => n.name), servers, cause: 'power',
        reasons: [`every UPS feeding ${pair.id} is on battery (${upsList(feeding)})`, holdUp === null ? 'every UPS reports low battery' : `best hold-up time ${holdUp} s is below the floor of ${config.power.holdUpFloorSeconds} s`],
      };
    }
  }
  if (pair.actionInProgress) return null;

  // 2. Thermal.
  const thermal = decideThermal(pair, on, now, config, mem);
  if (thermal !== null) {
    mem.imbalance = undefined;
    return thermal;
  }

  // 3. Every UPS on battery past the grace: shed load.
  if (allOnBattery && mem.onBatterySince !== undefined && now - mem.onBatterySince >= config.power.loadShedGraceSeconds * 1000 && on.length === 2 && a.inCluster && b.inCluster) {
    mem.imbalance = undefined;
    const { keep, go, why } = chooseKeeper(a, b);
    mem.poweredOff[go.name] = { cause: 'power', at: now, servers: [] };
    return {
      kind: 'withdraw-node', pair: pair.id, node: go.name, to: keep.name, servers: [...go.servers].sort(), cause: 'power',
      reasons: [`every UPS feeding ${pair.id} has been on battery for ${Math.round((now - mem.onBatterySince) / 1000)} s (${upsList(feeding)}): shedding load`, `${keep.name} stays: ${why}`],
    };
  }

  // 4. Boot nodes this engine powered off.
  const boot = decideBoot(pair, feeding, anyOnBattery, now, config, mem);
  if (boot !== null) return boot;

  // 5. Preventative migration.
  const event = anyOnBattery || pair.nodes.some(hot) || Object.keys(mem.poweredOff).length > 0;
  if (event || !a.inCluster || !b.inCluster || a.power === 'off' || b.power === 'off' || !a.fresh || !b.fresh) {
    mem.imbalance = undefined;
    return null;
  }
  return decideMigration(pair, now, config, mem);
}

function decideThermal(pair: PairView, on: readonly NodeView[], now: number, config: ScancoreConfig, mem: PairMemory): Decision | null {
  const hotOn = on.filter((n) => n.temperature === 'critical');
  if (hotOn.length === 0) return null;
  const shutdownFor = (n: NodeView, stopped: readonly string[]): void => {
    mem.poweredOff[n.name] = { cause: 'thermal', at: now, servers: [...stopped].sort() };
    mem.thermalShutdowns.push(now);
  };
  if (on.length === 2 && hotOn.length === 1) {
    const [hotNode] = hotOn as [NodeView];
    const peer = on.find((n) => n !== hotNode) as NodeView;
    if (peer.inCluster) {
      shutdownFor(hotNode, []);
      return {
        kind: 'withdraw-node', pair: pair.id, node: hotNode.name, to: peer.name, servers: [...hotNode.servers].sort(), cause: 'thermal',
        reasons: [`${hotNode.name} is over its critical temperature; ${peer.name} is not`, `moving its servers to ${peer.name} and powering it off before damage`],
      };
    }
  }
  if (on.length === 2 && hotOn.length === 2 && on.every((n) => n.inCluster)) {
    const [a, b] = on as [NodeView, NodeView];
    const { keep, go, why } = chooseKeeper(a, b);
    shutdownFor(go, []);
    return {
      kind: 'withdraw-node', pair: pair.id, node: go.name, to: keep.name, servers: [...go.servers].sort(), cause: 'thermal',
      reasons: [`both ${a.name} and ${b.name} are over their critical temperature (environmental): shedding load to cut heat`, `${keep.name} stays: ${why}`],
    };
  }
  // A hot node with no peer in the cluster to take its servers is the last node on.
  const last = hotOn.find((n) => on.length === 1 || on.some((o) => o !== n && !o.inCluster));
  if (last === undefined) return null;
  const since = mem.hotSince[last.name] ?? now;
  if (now - since < config.thermal.lastNodeHotSeconds * 1000) return null;
  shutdownFor(last, last.servers);
  return {
    kind: 'shutdown', pair: pair.id, nodes: [last.name], servers: [...last.servers].sort(), cause: 'thermal',
    reasons: [`${last.name} is the last node on and has been over its critical temperature for ${Math.round((now - since) / 1000)} s`],
  };
}

function decideBoot(pair: PairView, feeding: readonly UpsView[], anyOnBattery: boolean, now: number, config: ScancoreConfig, mem: PairMemory): Decision | null {
  const off = Object.entries(mem.poweredOff);
  if (off.length === 0) return null;
  if (feeding.length > 0 && (anyOnBattery || feeding.some((u) => !u.fresh))) return null;
  const ready: string[] = [];
  const reasons: string[] = [];
  let cause: DecisionCause = 'thermal';
  const powerOff = off.filter(([, o]) => o.cause === 'power');
  if (powerOff.length > 0) {
    const charges = feeding.map((u) => u.chargePct).filter((c): c is number => c !== null);
    const best = charges.length > 0 ? Math.max(...charges) : null;
    if (feeding.length > 0 && best !== null && best >= config.power.safeBootChargePct) {
      ready.push(...powerOff.map(([name]) => name));
      cause = 'power';
      reasons.push(`mains power is back on every UPS feeding ${pair.id}`, `best UPS charge ${best} % reached the safe level of ${config.power.safeBootChargePct} %`);
    }
  }
  for (const [name, o] of off.filter(([, o]) => o.cause === 'thermal')) {
    const node = pair.nodes.find((n) => n.name === name);
    if (node === undefined || node.temperature !== 'ok') continue;
    const coolDown = coolDownMs(mem.thermalShutdowns.length, config);
    if (now - o.at < coolDown) continue;
    ready.push(name);
    reasons.push(`${name}'s temperatures are back to normal and its cool-down of ${Math.round(coolDown / 1000)} s (${mem.thermalShutdowns.length} thermal shutdown(s) in ${config.thermal.repeatWindowHours} h) has passed`);
  }
  if (ready.length === 0) return null;
  // The servers the engine stopped come back with the first node booted.
  const servers = [...new Set(off.flatMap(([, o]) => o.servers))].sort();
  for (const [name, o] of off) mem.poweredOff[name] = { ...o, servers: [] };
  for (const n of ready) delete mem.poweredOff[n];
  return { kind: 'boot-nodes', pair: pair.id, nodes: ready.sort(), servers, cause, reasons };
}

/** The cool-down before booting after the nth thermal shutdown in the window: base × factorⁿ⁻¹, capped. */
export function coolDownMs(shutdowns: number, config: ScancoreConfig): number {
  const { coolDownBaseSeconds, coolDownFactor, coolDownMaxSeconds } = config.thermal;
  return Math.min(coolDownBaseSeconds * coolDownFactor ** Math.max(0, shutdowns - 1), coolDownMaxSeconds) * 1000;
}

function decideMigration(pair: PairView, now: number, config: ScancoreConfig, mem: PairMemory): Decision | null {
  const [a, b] = pair.nodes;
  const gap = a.health.score - b.health.score;
  if (Math.abs(gap) < config.migration.scoreDifference) {
    mem.imbalance = undefined;
    return null;
  }
  const [healthier, sicker] = gap > 0 ? [b, a] : [a, b];
  if (mem.imbalance?.healthier !== healthier.name) mem.imbalance = { healthier: healthier.name, since: now };
  const held = now - mem.imbalance.since;
  if (held < config.migration.graceSeconds * 1000 || sicker.servers.length === 0) return null;
  return {
    kind: 'migrate-servers', pair: pair.id, from: sicker.name, to: healthier.name, servers: [...sicker.servers].sort(), cause: 'health',
    reasons: [
      `${sicker.name} scores ${sicker.health.score}, ${healthier.name} ${healthier.health.score}, for ${Math.round(held / 1000)} s`,
      ...sicker.health.reasons.map((r) => `${sicker.name}: ${r.text} (+${r.weight})`),
    ],
  };
}

/** Which node keeps the servers when one must go: the DRBD sync source; else the one already running more of them (fewer to move); else the healthier; else the first. */
function chooseKeeper(a: NodeView, b: NodeView): { keep: NodeView; go: NodeView; why: string } {
  if (a.syncSource !== b.syncSource) return a.syncSource ? { keep: a, go: b, why: 'it is the DRBD sync source' } : { keep: b, go: a, why: 'it is the DRBD sync source' };
  if (a.servers.length !== b.servers.length) {
    const [keep, go] = a.servers.length > b.servers.length ? [a, b] : [b, a];
    return { keep, go, why: `it already runs ${keep.servers.length} of the servers, so only ${go.servers.length} must move` };
  }
  if (a.health.score !== b.health.score) {
    const [keep, go] = a.health.score < b.health.score ? [a, b] : [b, a];
    return { keep, go, why: `it is healthier (${keep.health.score} against ${go.health.score})` };
  }
  return { keep: a, go: b, why: 'both are equal; the first node stays' };
}

function upsList(upses: readonly UpsView[]): string {
  return upses.map((u) => `${u.name}${u.runtimeS === null ? '' : ` ${u.runtimeS} s left`}`).join(', ');
}
