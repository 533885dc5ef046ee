/**
 * A reading: one measured fact about a host, as a scan agent reports it. Parsers return typed
 * records; each agent turns them into readings, the one shape the store, the health score and
 * the decision engine share.
 */

/** `unknown` means the source answered but gave no usable value (a sensor with no reading). */
export type ReadingStatus = 'ok' | 'warning' | 'critical' | 'unknown';

export interface Reading {
  /** The agent that produced it: `ipmi`, `ups`, `drbd`, … */
  agent: string;
  /** What was measured, dotted: `ipmi.fan`, `ups.status`, `storage.array`, `link.state`. */
  metric: string;
  /** Which one: a sensor name, a UPS name, an array device, an interface. */
  subject: string;
  value: number | string | boolean | null;
  unit?: string;
  status: ReadingStatus;
  /** Words for a person: why the status is what it is. */
  message?: string;
}

/** A reading as kept for a host: when it was taken and since when its status has held. */
export interface TimedReading extends Reading {
  hostId: string;
  /** Epoch milliseconds of the scan that produced it. */
  at: number;
  /** Epoch milliseconds since which this subject has had this status without a break. */
  since: number;
}

const rank: Record<ReadingStatus, number> = { unknown: 0, ok: 1, warning: 2, critical: 3 };

/** The worse of two statuses (`unknown` is the least informative, not the worst). */
export function worseStatus(a: ReadingStatus, b: ReadingStatus): ReadingStatus {
  return rank[a] >= rank[b] ? a : b;
}

/** The identity of a reading's subject across scans. */
export function readingKey(r: Pick<Reading, 'agent' | 'metric' | 'subject'>): string {
  return `${r.agent}\u0000${r.metric}\u0000${r.subject}`;
}

/**
 * Stamps a scan's readings with its time, carrying `since` forward from the previous scan when a
 * subject kept its status (so "a link down for more than 60 s" can be told from one scan's data).
 */
export function stampReadings(hostId: string, at: number, readings: readonly Reading[], previous: readonly TimedReading[]): TimedReading[] {
  const before = new Map(previous.map((p) => [readingKey(p), p]));
  return readings.map((r) => {
    const prev = before.get(readingKey(r));
    const since = prev !== undefined && prev.status === r.status ? prev.since : at;
    // One object shape for every stamped reading (optional fields present, perhaps undefined).
    return { agent: r.agent, metric: r.metric, subject: r.subject, value: r.value, unit: r.unit, status: r.status, message: r.message, hostId, at, since };
  });
}
