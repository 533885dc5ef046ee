/**
 * Jobs: list, detail with message history, cancel (operators), and live changes as server-sent
 * events (`GET /api/jobs/events`, each change an `event: job` with the job as JSON). A stream ends
 * when the session or token that opened it does (logout, expiry, revocation): see live-job-stream.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../core/errors/index.js';
import { jobStatuses, renderMessage, type Job, type JobMessage } from './job.js';
import { cancelJob } from './actions.js';
import { getJob, jobMessages, listJobs } from './job-store.js';
import type { AppDeps } from '../http/app-deps.js';
import { isUuid, parseQuery, queryInstant } from '../http/body.js';
import { credentialCheck } from '../http/credential-check.js';
import { rawSecurityHeaders } from '../http/security-headers.js';
import { LiveJobStream } from './live-job-stream.js';

const listQuery = z.strictObject({
  status: z.enum(jobStatuses).optional(),
  kind: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: queryInstant.optional(),
});

/** A job as the API shows it: its kind's title, and the rendered message beside its template. */
export interface JobView extends Job {
  title: string;
  text: string;
}

/** One message of a job's history, rendered. */
export interface JobMessageView extends JobMessage {
  text: string;
}

/** GET /api/jobs */
export interface JobListResponse {
  jobs: JobView[];
}

/** GET /api/jobs/:id */
export interface JobDetailResponse {
  job: JobView;
  messages: JobMessageView[];
}

/** POST /api/jobs/:id/cancel, and the routes that start a job and answer with its view. */
export interface JobResponse {
  job: JobView;
}

/** GET /api/job-kinds: Striker's kinds (its runner runs them) and host kinds (a host's agent does). */
export interface JobKindsResponse {
  kinds: { kind: string; title: string; maxAttempts: number; onStale: 'retry' | 'fail'; target: 'striker' | 'host' }[];
}

/** GET /api/jobs/events: one `event: job` per change, its data a `JobView` as JSON. */
export type JobEvent = JobView;

export function jobView(job: Job, catalogTitle?: string): JobView {
  return { ...job, title: catalogTitle ?? job.kind, text: renderMessage(job.message, job.messageVars) };
}

export function jobRoutes(app: FastifyInstance, deps: AppDeps): void {
  const hostKinds = new Map((deps.hostJobKinds ?? []).map((k) => [k.kind, k]));
  const title = (kind: string) => deps.catalog.get(kind)?.title ?? hostKinds.get(kind)?.title;

  app.get('/api/job-kinds', { config: { access: 'viewer' } }, async (): Promise<JobKindsResponse> => ({
    kinds: [
      ...[...deps.catalog.values()].map((k) => ({ kind: k.kind, title: k.title, maxAttempts: k.maxAttempts, onStale: k.onStale, target: 'striker' as const })),
      ...[...hostKinds.values()].map((k) => ({ kind: k.kind, title: k.title, maxAttempts: k.maxAttempts, onStale: k.onStale, target: 'host' as const })),
    ],
  }));

  app.get('/api/jobs', { config: { access: 'viewer' } }, async (request): Promise<JobListResponse> => {
    const q = parseQuery(listQuery, request.query);
    const jobs = await listJobs(deps.db, q);
    return { jobs: jobs.map((j) => jobView(j, title(j.kind))) };
  });

  app.get('/api/jobs/events', { config: { access: 'viewer' } }, async (request, reply) => {
    const events = deps.events;
    if (!events) throw new NotFoundError('event stream', 'jobs');
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
      keepAliveMs: 15_000,
      onEnd: () => unsubscribe(),
    });
    unsubscribe = events.subscribe((job) => {
      const event: JobEvent = jobView(job, title(job.kind));
      stream.push(job.id, `event: job\ndata: ${JSON.stringify(event)}\n\n`);
    });
    res.on('close', () => stream.end());
  });

  app.get<{ Params: { id: string } }>('/api/jobs/:id', { config: { access: 'viewer' } }, async (request): Promise<JobDetailResponse> => {
    if (!isUuid(request.params.id)) throw new NotFoundError('job', request.params.id);
    const job = await getJob(deps.db, request.params.id);
    const messages = await jobMessages(deps.db, job.id);
    return { job: jobView(job, title(job.kind)), messages: messages.map((m) => ({ ...m, text: renderMessage(m.message, m.vars) })) };
  });

  app.post<{ Params: { id: string } }>('/api/jobs/:id/cancel', { config: { access: 'operator' } }, async (request): Promise<JobResponse> => {
    const job = await cancelJob(deps.db, request.actor!, request.params.id, { requestId: request.id });
    void deps.runner?.checkCancellations();
    return { job: jobView(job, title(job.kind)) };
  });
}
