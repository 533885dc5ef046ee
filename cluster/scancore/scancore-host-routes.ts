/**
 * One host as ScanCore sees it, for the host page: `GET /api/scancore/hosts/:hostId` (its newest
 * health score and reasons, its latest reading of every subject, and the recent decisions of its
 * pair) and `GET /api/scancore/hosts/:hostId/series?metric=&from=&to=&points=` (a metric over a
 * time range, averaged into at most `points` buckets — 1,000 at most — for a plot; `metric=health`
 * is the health score). Viewers and up; a bad host id, metric, date or range is a 400 naming it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../striker/core/errors/index.js';
import type { Database } from '../../striker/db/database.js';
import { parseQuery, queryInstant } from '../../striker/http/body.js';
import { listDecisions, type StoredDecision } from './decisions-store.js';
import type { HealthReason } from './health-score.js';
import { latestHealthScores, latestReadings } from './readings-store.js';
import type { ReadingStatus } from './reading.js';
import type { ScancoreConfig } from './scancore-config.js';
import { nodesOfPairs, pairsSource, type PairsSource } from './scancore-routes.js';
import { alignSeries, bucketSeconds, HEALTH_METRIC, MAX_SERIES_POINTS, type Series } from './series.js';
import { healthSeries, readingSeries } from './series-store.js';

const hostIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a host id like 52-54-00-12-34-56');
const DAY_MS = 86_400_000;
/** The longest range one series covers. */
const MAX_RANGE_DAYS = 31;

const seriesQuery = z
  .strictObject({
    metric: z.string().regex(/^[a-z][a-z0-9.-]{0,63}$/, 'must be a metric like ipmi.temperature, ups.charge or health'),
    from: queryInstant.optional(),
    to: queryInstant.optional(),
    points: z.coerce.number().int().min(2).max(MAX_SERIES_POINTS).default(500),
  });

/** One reading as the host page shows it. */
export interface HostReadingView {
  agent: string;
  metric: string;
  subject: string;
  value: number | string | boolean | null;
  unit?: string | undefined;
  status: ReadingStatus;
  message?: string | undefined;
  at: string;
  since: string;
}

/** GET /api/scancore/hosts/:hostId */
export interface ScancoreHostResponse {
  hostId: string;
  pair: string | null;
  node: string | null;
  score: number | null;
  scoredAt: string | null;
  reasons: HealthReason[];
  readings: HostReadingView[];
  /** The newest decisions of the host's pair (none when it is in no pair). */
  decisions: StoredDecision[];
}

/** GET /api/scancore/hosts/:hostId/series */
export type ScancoreSeriesResponse = Series;

function hostIdOf(raw: string): string {
  const parsed = hostIdSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError([{ path: 'params.hostId', message: parsed.error.issues[0]!.message }], 'host');
  return parsed.data;
}

export function scancoreHostRoutes(app: FastifyInstance, deps: { db: Database; config: ScancoreConfig; now?: () => number; pairs?: PairsSource }): void {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const pairs = pairsSource(deps);

  app.get<{ Params: { hostId: string } }>('/api/scancore/hosts/:hostId', { config: { access: 'viewer' as const } }, async (request): Promise<ScancoreHostResponse> => {
    const hostId = hostIdOf(request.params.hostId);
    const [scores, readings] = await Promise.all([latestHealthScores(db, [hostId]), latestReadings(db, [hostId])]);
    const placed = nodesOfPairs(await pairs()).get(hostId);
    const score = scores[0];
    if (score === undefined && readings.length === 0 && placed === undefined) throw new NotFoundError('host', hostId);
    const decisions = placed === undefined ? [] : await listDecisions(db, { limit: 10, pairId: placed.pair });
    return {
      hostId,
      pair: placed?.pair ?? null,
      node: placed?.node ?? null,
      score: score?.score ?? null,
      scoredAt: score === undefined ? null : new Date(score.at).toISOString(),
      reasons: score?.reasons ?? [],
      readings: readings.map(({ hostId: _h, at, since, ...r }) => ({ ...r, at: new Date(at).toISOString(), since: new Date(since).toISOString() })),
      decisions,
    };
  });

  app.get<{ Params: { hostId: string } }>('/api/scancore/hosts/:hostId/series', { config: { access: 'viewer' as const } }, async (request): Promise<ScancoreSeriesResponse> => {
    const hostId = hostIdOf(request.params.hostId);
    const q = parseQuery(seriesQuery, request.query);
    const toMs = q.to?.getTime() ?? now();
    const fromMs = q.from?.getTime() ?? toMs - DAY_MS;
    if (fromMs >= toMs) throw new ValidationError([{ path: 'query.from', message: `must be before to (${new Date(toMs).toISOString()})` }], 'query string');
    if (toMs - fromMs > MAX_RANGE_DAYS * DAY_MS) throw new ValidationError([{ path: 'query.from', message: `must be at most ${MAX_RANGE_DAYS} days before to` }], 'query string');
    const bucket = bucketSeconds(fromMs, toMs, q.points);
    const range = { hostId, fromMs, toMs, bucketSeconds: bucket };
    const rows = q.metric === HEALTH_METRIC ? await healthSeries(db, range) : await readingSeries(db, { ...range, metric: q.metric });
    return alignSeries({ hostId, metric: q.metric, fromMs, toMs, bucketSeconds: bucket, rows });
  });
}
