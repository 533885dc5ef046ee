/**
 * `GET /api/live?topics=machines,alerts`: the live channel as server-sent events. Each change to
 * a followed topic is one `event: change` whose data is `{"topic":"...","key":"..."}`; the page
 * reads again what it shows. The `jobs` topic carries, besides those (a job created or its status
 * changed), every change of a job's content as an `event: job` whose data is the job's view
 * (`JobEvent`: status, progress, message), so progress bars move without a read. A comment line every `keepAliveMs` keeps proxies from closing an idle
 * stream; `event: resync` tells a stream that changes may have been missed (the database
 * connection came back), so pages read everything again.
 *
 * Viewers and up. The topics are validated (a 400 naming `query.topics`); one session or API
 * token holds at most `maxStreams` streams at once (a 429 beyond: a tab left open per page would
 * otherwise pin connections). A stream ends when its credential does (logout, expiry) and
 * when the app closes, so shutdown does not wait on open streams: see sse-stream.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../core/errors/index.js';
import type { AppDeps } from '../http/app-deps.js';
import { parseQuery } from '../http/body.js';
import { jobView, kindTitles, type JobEvent } from '../jobs/job-routes.js';
import { liveTopics, type LiveChange } from './live-topics.js';
import { sseRoute } from './sse-stream.js';

/** Data of one `event: change` of `GET /api/live`. */
export type LiveChangeEvent = LiveChange;

export const DEFAULT_LIVE_STREAMS_PER_CREDENTIAL = 8;

const topicList = z
  .string()
  .max(500)
  .transform((text) => [...new Set(text.split(',').map((t) => t.trim()).filter((t) => t !== ''))])
  .pipe(z.array(z.enum(liveTopics, { error: `must be one of ${liveTopics.join(', ')}` })).min(1, 'must name at least one topic'));

const liveQuery = z.strictObject({ topics: topicList });

export function liveRoutes(app: FastifyInstance, deps: AppDeps): void {
  const streams = sseRoute(app, {
    db: deps.db,
    recheckMs: deps.liveStreamRecheckMs ?? 5000,
    keepAliveMs: deps.liveKeepAliveMs ?? 15_000,
    maxPerCredential: deps.liveStreamsPerCredential ?? DEFAULT_LIVE_STREAMS_PER_CREDENTIAL,
  });
  const title = kindTitles(deps);

  app.get('/api/live', { config: { access: 'viewer' } }, async (request, reply) => {
    const live = deps.live;
    if (!live) throw new NotFoundError('event stream', 'live');
    const q = parseQuery(liveQuery, request.query);
    const unsubscribe: (() => void)[] = [];
    const stream = streams.open(request, reply, () => unsubscribe.forEach((u) => u()));
    if (q.topics.includes('jobs') && deps.events) {
      unsubscribe.push(
        deps.events.subscribe((job) => {
          const event: JobEvent = jobView(job, title(job.kind));
          stream.push(`job\n${job.id}`, `event: job\ndata: ${JSON.stringify(event)}\n\n`);
        }),
      );
    }
    unsubscribe.push(live.subscribe({
      topics: new Set(q.topics),
      onChange: (change) => {
        const event: LiveChangeEvent = { topic: change.topic, key: change.key };
        stream.push(`${change.topic}\n${change.key}`, `event: change\ndata: ${JSON.stringify(event)}\n\n`);
      },
      onReconnect: () => stream.push('\nresync', 'event: resync\ndata: {}\n\n'),
    }));
  });
}
