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

function matches(condition: Extract<HealthCondition, { kind: 'reading' }>, r: TimedReading, now: number): boolean {
  const metricOk = condition.metric.endsWith('.') ? r.metric.startsWith(condition.metric) : r.metric === condition.metric;
  if (!metricOk || !condition.statuses.includes(r.status)) return false;
  return condition.forSeconds === undefined || now - r.since >= condition.forSeconds * 1000;
}

export function healthScore(input: HealthInput, now: number, config: ScancoreConfig, conditions: readonly HealthCondition[] = defaultHealthConditions): HealthScore {
  const staleBefore = now - config.readings.staleAfterSeconds * 1000;
  const weightOf = (c: HealthCondition): number => config.health.weights[c.id] ?? c.weight;
  const readingConditions = conditions.filter((c): c is Extract<HealthCondition, { kind: 'reading' }> => c.kind === 'reading');
  const reasons: HealthReason[] = [];
  for (const r of input.readings) {
    if (r.at < staleBefore) continue;
    const condition = readingConditions.find((c) => matches(c, r, now));
    if (condition === undefined || weightOf(condition) === 0) continue;
    reasons.push({ condition: condition.id, weight: weightOf(condition), subject: r.subject, text: `${condition.title}: ${r.message ?? `${r.subject} is ${String(r.value)}`}` });
  }
  for (const c of conditions) {
    if (c.kind !== 'less-than-peer' || weightOf(c) === 0) continue;
    const mine = input.facts?.[c.fact];
    const theirs = input.peerFacts?.[c.fact];
    if (mine !== undefined && theirs !== undefined && mine < theirs) {
      reasons.push({ condition: c.id, weight: weightOf(c), subject: c.fact, text: `${c.title}: ${gib(mine)} here, ${gib(theirs)} on the peer` });
    }
  }
  reasons.sort((a, b) => b.weight - a.weight || a.condition.localeCompare(b.condition) || a.subject.localeCompare(b.subject));
  return { hostId: input.hostId, score: reasons.reduce((s, r) => s + r.weight, 0), reasons };
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
