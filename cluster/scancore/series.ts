/**
 * A metric of one host over a time range, as a plot draws it: one time axis shared by every
 * subject (a sensor, a UPS), each subject's values aligned on it (null where it has no value in
 * that bucket), with its latest, lowest and highest value (the plot's text alternative). Pure:
 * the store returns bucketed rows, this shapes them.
 */

/** Metrics that are plotted besides the readings' own: `health` is the host's health score. */
export const HEALTH_METRIC = 'health';

/** Most points a series is cut into, whatever the range. */
export const MAX_SERIES_POINTS = 1000;

/** One bucket's average for one subject, as the store returns it. */
export interface SeriesRow {
  subject: string;
  unit: string | null;
  /** The bucket's start, epoch milliseconds. */
  at: number;
  value: number;
}

export interface SubjectSeries {
  subject: string;
  unit: string | null;
  values: (number | null)[];
  latest: number | null;
  min: number | null;
  max: number | null;
}

export interface Series {
  hostId: string;
  metric: string;
  from: string;
  to: string;
  bucketSeconds: number;
  /** Bucket starts, epoch seconds (uPlot's x axis). */
  times: number[];
  subjects: SubjectSeries[];
}

/** The bucket width that cuts [from, to) into at most `points` buckets: whole seconds, at least one. */
export function bucketSeconds(fromMs: number, toMs: number, points: number): number {
  return Math.max(1, Math.ceil((toMs - fromMs) / 1000 / Math.max(1, points)));
}

export function alignSeries(args: { hostId: string; metric: string; fromMs: number; toMs: number; bucketSeconds: number; rows: readonly SeriesRow[] }): Series {
  const times = [...new Set(args.rows.map((r) => r.at))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const bySubject = new Map<string, SubjectSeries>();
  for (const r of args.rows) {
    let s = bySubject.get(r.subject);
    if (s === undefined) {
      s = { subject: r.subject, unit: r.unit, values: times.map(() => null), latest: null, min: null, max: null };
      bySubject.set(r.subject, s);
    }
    s.values[index.get(r.at)!] = r.value;
  }
  for (const s of bySubject.values()) {
    const present = s.values.filter((v): v is number => v !== null);
    s.latest = [...s.values].reverse().find((v) => v !== null) ?? null;
    s.min = present.length === 0 ? null : Math.min(...present);
    s.max = present.length === 0 ? null : Math.max(...present);
  }
  return {
    hostId: args.hostId,
    metric: args.metric,
    from: new Date(args.fromMs).toISOString(),
    to: new Date(args.toMs).toISOString(),
    bucketSeconds: args.bucketSeconds,
    times: times.map((t) => Math.floor(t / 1000)),
    subjects: [...bySubject.values()].sort((a, b) => a.subject.localeCompare(b.subject)),
  };
}
