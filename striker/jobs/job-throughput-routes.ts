/**
 * `GET /api/jobs/throughput?from=&to=&points=`: how many jobs ended per bucket (succeeded, failed,
 * cancelled) over a range — the last day by default, at most 31 days and 1,000 buckets — with
 * every bucket present (zero when none ended), for the Jobs page's plot. Viewers and up; a bad
 * date or range is a 400 naming it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../core/errors/index.js';
import type { AppDeps } from '../http/app-deps.js';
import { parseQuery, queryInstant } from '../http/body.js';
import { jobThroughput, type ThroughputRow } from './job-throughput-store.js';

const DAY_MS = 86_400_000;
const MAX_POINTS = 1000;

const throughputQuery = z.strictObject({
  from: queryInstant.optional(),
  to: queryInstant.optional(),
  points: z.coerce.number().int().min(2).max(MAX_POINTS).default(96),
});

const statuses: ThroughputRow['status'][] = ['succeeded', 'failed', 'cancelled'];

/** GET /api/jobs/throughput: a time axis (epoch seconds) and one count per bucket per status. */
export interface JobThroughputResponse {
  from: string;
  to: string;
  bucketSeconds: number;
  times: number[];
  subjects: { subject: ThroughputRow['status']; unit: string; values: number[]; latest: number; min: number; max: number; total: number }[];
}

/** Every bucket of the range, each status's count in it (zero when none). Pure. */
export function throughputSeries(fromMs: number, toMs: number, bucketSeconds: number, rows: readonly ThroughputRow[]): JobThroughputResponse {
  const step = bucketSeconds * 1000;
  const times: number[] = [];
  for (let t = fromMs; t < toMs; t += step) times.push(t);
  const index = new Map(times.map((t, i) => [t, i]));
  const subjects = statuses.map((status) => {
    const values = times.map(() => 0);
    for (const r of rows) if (r.status === status && index.has(r.at)) values[index.get(r.at)!] = r.count;
    return { subject: status, unit: 'jobs', values, latest: values.at(-1) ?? 0, min: Math.min(...values), max: Math.max(...values), total: values.reduce((a, b) => a + b, 0) };
  });
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), bucketSeconds, times: times.map((t) => Math.floor(t / 1000)), subjects };
}

export function jobThroughputRoutes(app: FastifyInstance, deps: AppDeps & { now?: () => number }): void {
  const now = deps.now ?? Date.now;
  app.get('/api/jobs/throughput', { config: { access: 'viewer' } }, async (request): Promise<JobThroughputResponse> => {
    const q = parseQuery(throughputQuery, request.query);
    const toMs = q.to?.getTime() ?? now();
    const fromMs = q.from?.getTime() ?? toMs - DAY_MS;
    if (fromMs >= toMs) throw new ValidationError([{ path: 'query.from', message: `must be before to (${new Date(toMs).toISOString()})` }], 'query string');
    if (toMs - fromMs > 31 * DAY_MS) throw new ValidationError([{ path: 'query.from', message: 'must be at most 31 days before to' }], 'query string');
    const bucketSeconds = Math.max(1, Math.ceil((toMs - fromMs) / 1000 / q.points));
    return throughputSeries(fromMs, toMs, bucketSeconds, await jobThroughput(deps.db, { fromMs, toMs, bucketSeconds }));
  });
}
