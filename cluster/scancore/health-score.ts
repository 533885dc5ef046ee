/**
 * A host's health score: the sum of the weights of the conditions its latest fresh readings meet
 * (health-conditions.ts), with one reason per counted reading. Pure: readings, the peer's facts,
 * the time and the configuration in; a score out. Zero is healthy; the engine compares scores.
 */
import { defaultHealthConditions, type HealthCondition } from './health-conditions.js';
import type { TimedReading } from './reading.js';
import type { ScancoreConfig } from './scancore-config.js';

export interface HealthReason {
  condition: string;
  weight: number;
  subject: string;
  /** A sentence for a person: the condition's title and what the reading said. */
  text: string;
  /** What the reading said (its message, else `<subject> is <value>`), without the title. */
  detail?: string;
}

export interface HealthScore {
  hostId: string;
  score: number;
  reasons: HealthReason[];
}

export interface HostFacts {
  ramBytes?: number;
}

export interface HealthInput {
  hostId: string;
  readings: readonly TimedReading[];
  facts?: HostFacts;
  peerFacts?: HostFacts;
}

type ReadingCondition = Extract<HealthCondition, { kind: 'reading' }>;

/** The reading conditions by metric (exact ones, then prefixes), in table order, with their weights. */
interface ConditionIndex {
  byMetric: Map<string, { condition: ReadingCondition; weight: number }[]>;
  prefixes: { condition: ReadingCondition; weight: number }[];
  peer: { condition: Extract<HealthCondition, { kind: 'less-than-peer' }>; weight: number }[];
}

const indexes = new WeakMap<readonly HealthCondition[], WeakMap<ScancoreConfig, ConditionIndex>>();

/** Indexes the table once per table and configuration; conditions weighted 0 are left out. */
function indexOf(conditions: readonly HealthCondition[], config: ScancoreConfig): ConditionIndex {
  let perConfig = indexes.get(conditions);
  if (perConfig === undefined) indexes.set(conditions, (perConfig = new WeakMap()));
  const known = perConfig.get(config);
  if (known !== undefined) return known;
  const index: ConditionIndex = { byMetric: new Map(), prefixes: [], peer: [] };
  conditions.forEach((condition) => {
    const weight = config.health.weights[condition.id] ?? condition.weight;
    if (weight === 0) return;
    if (condition.kind === 'less-than-peer') index.peer.push({ condition, weight });
    else if (condition.metric.endsWith('.')) index.prefixes.push({ condition, weight });
    else index.byMetric.set(condition.metric, [...(index.byMetric.get(condition.metric) ?? []), { condition, weight }]);
  });
  perConfig.set(config, index);
  return index;
}

function holds(condition: ReadingCondition, r: TimedReading, now: number): boolean {
  return condition.statuses.includes(r.status) && (condition.forSeconds === undefined || now - r.since >= condition.forSeconds * 1000);
}

export function healthScore(input: HealthInput, now: number, config: ScancoreConfig, conditions: readonly HealthCondition[] = defaultHealthConditions): HealthScore {
  const staleBefore = now - config.readings.staleAfterSeconds * 1000;
  const index = indexOf(conditions, config);
  const reasons: HealthReason[] = [];
  for (const r of input.readings) {
    if (r.at < staleBefore) continue;
    // Exact metrics come before prefixes: a prefix is the catch-all for its family.
    const hit = index.byMetric.get(r.metric)?.find((c) => holds(c.condition, r, now))
      ?? index.prefixes.find((c) => r.metric.startsWith(c.condition.metric) && holds(c.condition, r, now));
    if (hit === undefined) continue;
    const detail = r.message ?? `${r.subject} is ${String(r.value)}`;
    reasons.push({ condition: hit.condition.id, weight: hit.weight, subject: r.subject, text: `${hit.condition.title}: ${detail}`, detail });
  }
  for (const { condition: c, weight } of index.peer) {
    const mine = input.facts?.[c.fact];
    const theirs = input.peerFacts?.[c.fact];
    if (mine !== undefined && theirs !== undefined && mine < theirs) {
      const detail = `${gib(mine)} here, ${gib(theirs)} on the peer`;
      reasons.push({ condition: c.id, weight, subject: c.fact, text: `${c.title}: ${detail}`, detail });
    }
  }
  reasons.sort((a, b) => b.weight - a.weight || a.condition.localeCompare(b.condition) || a.subject.localeCompare(b.subject));
  return { hostId: input.hostId, score: reasons.reduce((s, r) => s + r.weight, 0), reasons };
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
