/**
 * `GET /api/live?topics=machines,alerts`: the live channel as server-sent events. Each change to
 * a followed topic is one `event: change` whose data is `{"topic":"...","key":"..."}`; the page
 * reads again what it shows. A comment line every `keepAliveMs` keeps proxies from closing an idle
 * stream; `event: resync` tells a stream that changes may have been missed (the database
 * connection came back), so pages read everything again.
 *
 * Viewers and up. The topics are validated (a 400 naming `query.topics`); one session or API
 * token holds at most `maxStreams` streams at once (a 429 beyond: a tab left open per page would
 * otherwise pin connections). A stream ends when its credential does (logout, expiry: see
 * live-job-stream.ts) and when the app closes, so shutdown does not wait on open streams.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, StrikerError } from '../core/errors/index.js';
import type { AppDeps } from '../http/app-deps.js';
import { parseQuery } from '../http/body.js';
import { credentialCheck } from '../http/credential-check.js';
import { rawSecurityHeaders } from '../http/security-headers.js';
import { LiveJobStream } from '../jobs/live-job-stream.js';
import { liveTopics, type LiveChange } from './live-topics.js';

/** Data of one `event: change` of `GET /api/live`. */
export type LiveChangeEvent = LiveChange;

export const DEFAULT_LIVE_STREAMS_PER_CREDENTIAL = 8;

const topicList = z
  .string()
  .max(500)
  .transform((text) => [...new Set(text.split(',').map((t) => t.trim()).filter((t) => t !== ''))])
  .pipe(z.array(z.enum(liveTopics, { error: `must be one of ${liveTopics.join(', ')}` })).min(1, 'must name at least one topic'));

const liveQuery = z.strictObject({ topics: topicList });

function credentialKey(request: FastifyRequest): string {
  if (request.apiToken !== undefined && request.apiToken !== null) return `token:${request.apiToken.id}`;
  return `session:${request.session?.sessionId ?? 'none'}`;
}

export function liveRoutes(app: FastifyInstance, deps: AppDeps): void {
  const maxStreams = deps.liveStreamsPerCredential ?? DEFAULT_LIVE_STREAMS_PER_CREDENTIAL;
  const open = new Map<string, number>();
  const streams = new Set<LiveJobStream>();
  app.addHook('preClose', async () => {
    for (const s of [...streams]) s.end();
  });

  app.get('/api/live', { config: { access: 'viewer' } }, async (request, reply) => {
    const live = deps.live;
    if (!live) throw new NotFoundError('event stream', 'live');
    const q = parseQuery(liveQuery, request.query);
    const key = credentialKey(request);
    const count = open.get(key) ?? 0;
    if (count >= maxStreams) {
      throw new StrikerError('RATE_LIMITED', `this session already has ${maxStreams} live streams open; close a tab or wait for one to end`, {
        details: { retryAfterSeconds: 5, limit: maxStreams },
      });
    }
    open.set(key, count + 1);
    reply.hijack();
    const res = reply.raw;
    rawSecurityHeaders(res, true);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    let unsubscribe = () => {};
    const stream = new LiveJobStream({
      res,
      check: credentialCheck(request, deps.db),
      recheckMs: deps.liveStreamRecheckMs ?? 5000,
      keepAliveMs: deps.liveKeepAliveMs ?? 15_000,
      onEnd: () => {
        unsubscribe();
        streams.delete(stream);
        const left = (open.get(key) ?? 1) - 1;
        if (left <= 0) open.delete(key);
        else open.set(key, left);
      },
    });
    streams.add(stream);
    unsubscribe = live.subscribe({
      topics: new Set(q.topics),
      onChange: (change) => {
        const event: LiveChangeEvent = { topic: change.topic, key: change.key };
        stream.push(`${change.topic}\n${change.key}`, `event: change\ndata: ${JSON.stringify(event)}\n\n`);
      },
      onReconnect: () => stream.push('\nresync', 'event: resync\ndata: {}\n\n'),
    });
    res.on('close', () => stream.end());
  });
}
