/**
 * The decision round, a background service of each Striker (every `scancore.roundSeconds`):
 *
 * 1. the pairs this Striker owns (scancore_memory.owner_node; a pair no Striker has seen becomes
 *    the first one's, as a job belongs to the Striker it was inserted into) are read from here:
 *    each node's BMC and the UPSes feeding the pair (the `striker` agents), stored as readings;
 * 2. each pair's view is built from the latest readings (cluster membership and servers from the
 *    host agents' `cluster` readings), with `actionInProgress` when an earlier decision's jobs are
 *    still queued or running, or an operator's action on the pair is running
 *    (decisions-store.ts `pairsWithRunningActions`) — so no action is issued alongside another;
 * 3. the pure engine decides, with its memory loaded from and saved to the database;
 * 4. each decision is recorded with its reasons and carried out by `act` (jobs), unless the pair is
 *    in maintenance mode: then it is recorded "not acted: maintenance mode" (once, not every round).
 *    A decision not carried out (maintenance, or its jobs could not be queued) leaves the memory of
 *    which nodes the engine powered off as it was, so nothing is later "booted again" that never
 *    went down;
 * 5. each decision raises an alert, and the conditions of a cause that has ended are cleared
 *    together, with one clear e-mail for the cause (decision-alerts.ts). Clears are tried for every
 *    pair in the first round after a start (an alert left open by an earlier process) and
 *    afterwards only for causes with a condition this process raised;
 * 6. the nodes' health conditions and the UPSes' states are told as alerts of their own
 *    (condition-alerts.ts: a failed fan, a degraded array, a UPS on battery), raised when they
 *    begin and cleared when a fresh reading shows them over, maintenance mode or not.
 *    An alert that cannot be raised or cleared is logged; it never stops the round.
 *
 * Each round also applies the age-out policy to this Striker's time series (`purgeScanHistory`:
 * readings past `readings.keepReadingsHours`, scores past `readings.keepHealthDays`) when
 * `readings.purgeEveryMinutes` have passed since the last purge, and in the first round after a
 * start. The series are local to each Striker, so every Striker purges its own, whichever pairs it
 * owns; a purge that fails is logged and tried again next round.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../striker/core/clock.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { Database } from '../../striker/db/database.js';
import type { ClusterStatus } from './agents/scan-agent.js';
import { decide, type Decision, type PairMemory } from './decide.js';
import { openConditions } from './alerts/index.js';
import { conditionAlertSource, conditionChanges, type ConditionChange } from './condition-alerts.js';
import { alertSource, clearedKeys, decisionAlert, endedConditions, type AlertClear, type AlertRaise } from './decision-alerts.js';
import { listDecisions, markNotActed, pairStates, pairsWithRunningActions, recordDecision, savePairMemory, setDecisionJobs } from './decisions-store.js';
import { healthScore } from './health-score.js';
import { hostFacts } from './host-facts.js';
import { nodeView, upsView, type PairView } from './pair-view.js';
import type { TimedReading } from './reading.js';
import { latestReadings, purgeScanHistory, recordScan } from './readings-store.js';
import { runScanCycle } from './scan-cycle.js';
import type { ScancoreConfig, ScancorePair } from './scancore-config.js';

/** Carries a decision out: the ids of the jobs it queued. */
export type ActOnDecision = (decision: Decision, pair: ScancorePair, decisionId: string) => Promise<string[]>;

export interface ScancoreServiceDeps {
  db: Database;
  config: ScancoreConfig;
  clock: Clock;
  logger: Logger;
  run: CommandRunner;
  act: ActOnDecision;
  /** The pairs to watch; the configuration's by default. */
  pairs?: () => Promise<readonly ScancorePair[]>;
  /** Where decisions are told (the alerts area's raise and clear); none: decisions are only recorded. */
  alerts?: DecisionAlerts;
}

/** The alerts area's calls ScanCore uses (alerts/index.ts `AlertsArea`). */
export interface DecisionAlerts {
  raise(alert: { source: string; host: string; key: string; level: AlertRaise['level']; messageKey: string; variables: Record<string, string> }): Promise<unknown>;
  /** Clears `key` and the conditions `with` it, sending one clear for them all. */
  clear(alert: { source: string; host: string; key: string; with: string[]; messageKey: string; variables: Record<string, string> }): Promise<unknown>;
}

export interface RoundResult {
  /** Pairs decided here (owned by this Striker). */
  decidedPairs: string[];
  /** Pairs left to the Striker that owns them. */
  othersPairs: string[];
  decisions: { id: string; pairId: string; kind: Decision['kind']; outcome: 'acted' | 'not-acted'; jobIds: string[]; notActedReason?: string }[];
  /** What this round's age-out purge removed; absent when no purge was due. */
  purged?: { readings: number; scores: number };
}

export const maintenanceReason = 'not acted: maintenance mode (ScanCore reads and decides but does not act)';

/**
 * The cluster as the nodes' newest `cluster` readings describe it (the node that reported last
 * wins; the pair's nodes see the same cluster). Stale readings are left out: no cluster readings
 * means no node is known to be in the cluster.
 */
export function clusterStatusFromReadings(readings: readonly TimedReading[], now: number, config: ScancoreConfig): ClusterStatus {
  const staleBefore = now - config.readings.staleAfterSeconds * 1000;
  const fresh = readings.filter((r) => r.agent === 'cluster' && r.at >= staleBefore);
  const newestAt = Math.max(-Infinity, ...fresh.map((r) => r.at));
  const reporter = fresh.find((r) => r.at === newestAt)?.hostId;
  const latest = fresh.filter((r) => r.hostId === reporter && r.at === newestAt);
  return {
    nodes: latest.filter((r) => r.metric === 'cluster.node').map((r) => ({ name: r.subject, online: r.value === true })),
    resources: latest.filter((r) => r.metric === 'cluster.server').map((r) => ({
      id: r.subject,
      agent: 'ocf:heartbeat:VirtualDomain',
      nodes: typeof r.value === 'string' && r.value !== '' ? r.value.split(' ') : [],
    })),
  };
}

export class ScancoreService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly log: Logger;
  /** Conditions raised by this process and not yet cleared (`<host> <key>`). */
  private readonly openAlerts = new Set<string>();
  /** Whether a round has tried the clears of every pair (the first round after a start does). */
  private clearedOnce = false;
  /** The pairs of the last round (for the boot job, which looks its BMC up when it runs). */
  private lastPairs: readonly ScancorePair[] = [];
  /** When this process last purged the time series (none yet: the next round purges). */
  private lastPurgeAt: number | undefined;

  constructor(private readonly d: ScancoreServiceDeps) {
    this.log = d.logger.child({ component: 'scancore' });
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((error: unknown) => this.log.error({ err: error }, 'ScanCore decision round failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.d.config.roundSeconds * 1000);
        });
    }, delayMs);
  }

  /** One round over every pair; see the file comment. */
  async round(): Promise<RoundResult> {
    const { db, config } = this.d;
    const purged = await this.purgeIfDue();
    const pairs = this.d.pairs === undefined ? config.pairs : await this.d.pairs();
    this.lastPairs = pairs;
    const states = await db.tx((t) => pairStates(t, pairs.map((p) => p.id)));
    const mine = pairs.filter((p) => states.get(p.id)?.mine === true);
    const result: RoundResult = { decidedPairs: mine.map((p) => p.id), othersPairs: pairs.filter((p) => !mine.includes(p)).map((p) => p.id), decisions: [], ...(purged === undefined ? {} : { purged }) };
    for (const pair of mine) await this.readRemote(pair);

    const now = this.d.clock().getTime();
    const busy = await pairsWithRunningActions(db, mine.map((p) => ({ id: p.id, hostIds: p.nodes.map((n) => n.hostId) })));
    const views: PairView[] = [];
    /** Each node's fresh readings, by node name, for the condition alerts. */
    const fresh = new Map<string, TimedReading[]>();
    for (const pair of mine) {
      const seen = await this.viewOf(pair, now, busy.has(pair.id));
      views.push(seen.view);
      for (const [name, readings] of seen.fresh) fresh.set(name, readings);
    }
    const memory: Record<string, PairMemory> = {};
    for (const pair of mine) {
      const m = states.get(pair.id)?.memory;
      if (m !== undefined) memory[pair.id] = m;
    }
    const decided = decide(views, now, config, memory);
    const nextMemory: Record<string, PairMemory> = { ...decided.memory };
    /** A decision not carried out powered nothing off: the pair keeps what it knew of that. */
    const notCarriedOut = (pairId: string) => {
      const before = memory[pairId];
      nextMemory[pairId] = { ...nextMemory[pairId]!, poweredOff: before?.poweredOff ?? {}, thermalShutdowns: before?.thermalShutdowns ?? [] };
    };

    for (const decision of decided.decisions) {
      const pair = mine.find((p) => p.id === decision.pair)!;
      if (states.get(pair.id)!.maintenance) {
        notCarriedOut(pair.id);
        const [last] = await listDecisions(db, { limit: 1, pairId: pair.id });
        if (last !== undefined && last.outcome === 'not-acted' && sameAction(last.decision, decision)) continue;
        const id = await recordDecision(db, { pairId: pair.id, decision, decidedAt: now, outcome: 'not-acted', notActedReason: maintenanceReason });
        await this.tell(decisionAlert(decision, views.find((v) => v.id === pair.id)!, 'not acted: maintenance mode'));
        this.log.warn({ pairId: pair.id, kind: decision.kind, reasons: decision.reasons }, 'ScanCore decided but did not act: maintenance mode');
        result.decisions.push({ id, pairId: pair.id, kind: decision.kind, outcome: 'not-acted', jobIds: [], notActedReason: maintenanceReason });
        continue;
      }
      const id = await recordDecision(db, { pairId: pair.id, decision, decidedAt: now, outcome: 'acted' });
      let jobIds: string[];
      try {
        jobIds = await this.d.act(decision, pair, id);
      } catch (error) {
        const reason = `not acted: the jobs could not be queued: ${(error as Error).message}`;
        await markNotActed(db, id, reason);
        notCarriedOut(pair.id);
        this.log.error({ err: error, pairId: pair.id, kind: decision.kind }, 'ScanCore could not act on its decision');
        result.decisions.push({ id, pairId: pair.id, kind: decision.kind, outcome: 'not-acted', jobIds: [], notActedReason: reason });
        continue;
      }
      await setDecisionJobs(db, id, jobIds);
      await this.tell(decisionAlert(decision, views.find((v) => v.id === pair.id)!));
      this.log.warn({ pairId: pair.id, kind: decision.kind, reasons: decision.reasons, jobIds }, 'ScanCore acted');
      result.decisions.push({ id, pairId: pair.id, kind: decision.kind, outcome: 'acted', jobIds });
    }
    for (const [pairId, m] of Object.entries(nextMemory)) await savePairMemory(db, pairId, m);
    for (const view of views) {
      const ended = endedConditions(view, nextMemory[view.id]);
      for (const c of ended) if (!this.clearedOnce || clearedKeys(c).some((k) => this.openAlerts.has(`${c.host} ${k}`))) await this.tell(c);
    }
    this.clearedOnce = true;
    await this.tellConditions(views, fresh);
    return result;
  }

  /** The age-out purge, when `readings.purgeEveryMinutes` have passed since the last one; a failure is logged, never thrown. */
  private async purgeIfDue(): Promise<{ readings: number; scores: number } | undefined> {
    const now = this.d.clock().getTime();
    if (this.lastPurgeAt !== undefined && now - this.lastPurgeAt < this.d.config.readings.purgeEveryMinutes * 60_000) return undefined;
    try {
      const purged = await purgeScanHistory(this.d.db, now, this.d.config);
      this.lastPurgeAt = now;
      this.log.info({ ...purged, keepReadingsHours: this.d.config.readings.keepReadingsHours, keepHealthDays: this.d.config.readings.keepHealthDays }, 'ScanCore time series aged out');
      return purged;
    } catch (error) {
      this.log.error({ err: error }, 'ScanCore could not age out its time series');
      return undefined;
    }
  }

  /** The pairs the last round watched. */
  pairs(): readonly ScancorePair[] {
    return this.lastPairs;
  }

  /** Raises or clears one alert; a failure is logged, never thrown (the round goes on). */
  private async tell(a: AlertRaise | AlertClear): Promise<void> {
    const alerts = this.d.alerts;
    if (alerts === undefined) return;
    const { op, ...rest } = a;
    try {
      if (op === 'raise') {
        await alerts.raise({ source: alertSource, ...(rest as Omit<AlertRaise, 'op'>) });
        this.openAlerts.add(`${a.host} ${a.key}`);
      } else {
        await alerts.clear({ source: alertSource, ...(rest as Omit<AlertClear, 'op'>) });
        for (const k of clearedKeys(a)) this.openAlerts.delete(`${a.host} ${k}`);
      }
    } catch (error) {
      this.log.error({ err: error, host: a.host, key: a.key, op }, 'ScanCore could not tell the alerts area');
    }
  }

  /**
   * The nodes' health conditions and the UPSes' states as alerts (condition-alerts.ts), against
   * what the alerts area has open for them; a failure is logged, never thrown.
   */
  private async tellConditions(views: readonly PairView[], fresh: ReadonlyMap<string, readonly TimedReading[]>): Promise<void> {
    const alerts = this.d.alerts;
    if (alerts === undefined || views.length === 0) return;
    try {
      const hostsOf = (v: PairView) => [v.id, ...v.nodes.map((n) => n.name)];
      const open = await openConditions(this.d.db, conditionAlertSource, views.flatMap(hostsOf));
      for (const view of views) {
        const hosts = new Set(hostsOf(view));
        for (const { op, ...change } of conditionChanges(view, fresh, open.filter((o) => hosts.has(o.host)))) {
          if (op === 'raise') await alerts.raise({ source: conditionAlertSource, ...(change as Omit<Extract<ConditionChange, { op: 'raise' }>, 'op'>) });
          else await alerts.clear({ source: conditionAlertSource, ...(change as Omit<Extract<ConditionChange, { op: 'clear' }>, 'op'>) });
        }
      }
    } catch (error) {
      this.log.error({ err: error }, 'ScanCore could not tell the alerts area of the conditions it sees');
    }
  }

  /** This Striker's own reads of the pair: each node's BMC, and the UPSes (stored under the first node). */
  private async readRemote(pair: ScancorePair): Promise<void> {
    for (const [i, node] of pair.nodes.entries()) {
      const upses = i === 0 ? pair.upses.map(({ feeds: _feeds, ...u }) => u) : [];
      const targets = { ...(node.ipmi === undefined ? {} : { ipmi: node.ipmi }), ...(upses.length === 0 ? {} : { upses }) };
      if (Object.keys(targets).length === 0) continue;
      const scan = await runScanCycle({ hostName: node.name, targets, runningOn: 'striker' }, { run: this.d.run, config: this.d.config });
      await this.d.db.tx((t) => recordScan(t, node.hostId, this.d.clock().getTime(), scan.readings));
    }
  }

  private async viewOf(pair: ScancorePair, now: number, actionInProgress: boolean): Promise<{ view: PairView; fresh: Map<string, TimedReading[]> }> {
    const { config } = this.d;
    const readings = await latestReadings(this.d.db, pair.nodes.map((n) => n.hostId));
    const cluster = clusterStatusFromReadings(readings, now, config);
    // RAM from each node's inventory, for "less RAM than the peer".
    const facts = await Promise.all(pair.nodes.map((n) => hostFacts(this.d.db, n.hostId)));
    const node = (i: 0 | 1) => {
      const n = pair.nodes[i];
      const own = readings.filter((r) => r.hostId === n.hostId);
      const health = healthScore({ hostId: n.hostId, readings: own, facts: facts[i], peerFacts: facts[1 - i] }, now, config);
      return nodeView({ name: n.name, hostId: n.hostId, readings: own, cluster, health, now, config });
    };
    const staleBefore = now - config.readings.staleAfterSeconds * 1000;
    return {
      view: {
        id: pair.id,
        nodes: [node(0), node(1)],
        upses: pair.upses.map((u) => upsView({ name: u.name, feeds: u.feeds, readings, now, config })),
        actionInProgress,
      },
      fresh: new Map(pair.nodes.map((n) => [n.name, readings.filter((r) => r.hostId === n.hostId && r.at >= staleBefore)])),
    };
  }
}

/** The same action (kind, nodes, servers, cause), whatever its reasons' wording (which counts seconds). */
function sameAction(a: Decision, b: Decision): boolean {
  const { reasons: _a, ...restA } = a;
  const { reasons: _b, ...restB } = b;
  return JSON.stringify(restA, Object.keys(restA).sort()) === JSON.stringify(restB, Object.keys(restB).sort());
}
