/**
 * Time series for plots, read from the readings ScanCore keeps (scan_readings, health_scores):
 * numeric values only, averaged per subject over buckets of `bucketSeconds` from `from`, so a
 * range of days is a few hundred points however often hosts report.
 */
import type { DbReader } from '../../striker/db/database.js';
import type { SeriesRow } from './series.js';

export interface SeriesQuery {
  hostId: string;
  metric: string;
  fromMs: number;
  toMs: number;
  bucketSeconds: number;
}

export async function readingSeries(q: DbReader, s: SeriesQuery): Promise<SeriesRow[]> {
  const { rows } = await q.query<{ subject: string; unit: string | null; at: Date; value: string }>(
    `SELECT subject, max(unit) AS unit, date_bin(make_interval(secs => $5), read_at, $3::timestamptz) AS at, avg((value)::numeric) AS value
       FROM scan_readings
      WHERE host_id = $1 AND metric = $2 AND read_at >= $3 AND read_at < $4 AND jsonb_typeof(value) = 'number'
      GROUP BY subject, 3 ORDER BY 3, subject`,
    [s.hostId, s.metric, new Date(s.fromMs).toISOString(), new Date(s.toMs).toISOString(), s.bucketSeconds],
  );
  return rows.map((r) => ({ subject: r.subject, unit: r.unit, at: r.at.getTime(), value: Number(r.value) }));
}

export async function healthSeries(q: DbReader, s: Omit<SeriesQuery, 'metric'>): Promise<SeriesRow[]> {
  const { rows } = await q.query<{ at: Date; value: string }>(
    `SELECT date_bin(make_interval(secs => $4), scored_at, $2::timestamptz) AS at, avg(score) AS value
       FROM health_scores
      WHERE host_id = $1 AND scored_at >= $2 AND scored_at < $3
      GROUP BY 1 ORDER BY 1`,
    [s.hostId, new Date(s.fromMs).toISOString(), new Date(s.toMs).toISOString(), s.bucketSeconds],
  );
  return rows.map((r) => ({ subject: 'score', unit: null, at: r.at.getTime(), value: Number(r.value) }));
}
