/**
 * Job throughput for the Jobs page's plot: jobs that ended (succeeded, failed, cancelled) per
 * bucket of `bucketSeconds` over a time range, by the time they finished.
 */
import type { DbReader } from '../db/database.js';

export interface ThroughputRow {
  status: 'succeeded' | 'failed' | 'cancelled';
  /** The bucket's start, epoch milliseconds. */
  at: number;
  count: number;
}

export async function jobThroughput(q: DbReader, r: { fromMs: number; toMs: number; bucketSeconds: number }): Promise<ThroughputRow[]> {
  const { rows } = await q.query<{ status: ThroughputRow['status']; at: Date; count: string }>(
    `SELECT status, date_bin(make_interval(secs => $3), finished_at, $1::timestamptz) AS at, count(*) AS count
       FROM jobs
      WHERE finished_at >= $1 AND finished_at < $2 AND status IN ('succeeded', 'failed', 'cancelled')
      GROUP BY 1, 2 ORDER BY 2, 1`,
    [new Date(r.fromMs).toISOString(), new Date(r.toMs).toISOString(), r.bucketSeconds],
  );
  return rows.map((row) => ({ status: row.status, at: row.at.getTime(), count: Number(row.count) }));
}
