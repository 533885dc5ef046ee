/**
 * Jobs: list, detail with message history, cancel (operators). Live changes of jobs reach pages on
 * the live channel's `jobs` topic (striker/events/live-routes.ts), each an `event: job` carrying
 * the job's view made here (`jobView`).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../core/errors/index.js';
import { jobStatuses, renderMessage, type Job, type JobMessage, type JobStatus } from './job.js';
import { cancelJob } from './actions.js';
import { countJobs, getJob, jobMessages, listJobs } from './job-store.js';
import type { AppDeps } from '../http/app-deps.js';
import { isUuid, parseQuery, queryInstant } from '../http/body.js';

const listQuery = z.strictObject({
  status: z.enum(jobStatuses).optional(),
  kind: z.string().max(100).optional(),
  /** Part of a job's subject or target host (a repo name, a MAC, a host), in any case. */
  target: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
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

/** GET /api/jobs?status=&kind=&target=&limit=&offset=: one page, newest first. */
export interface JobListResponse {
  jobs: JobView[];
  /** Jobs matching the whole filter (the pages together). */
  total: number;
  /** Jobs matching the kind and target filters, by status. */
  counts: Record<JobStatus, number>;
  limit: number;
  offset: number;
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

/** On `GET /api/live` with the `jobs` topic: one `event: job` per change of a job, its data a `JobView` as JSON. */
export type JobEvent = JobView;

/** How a kind is titled: in general, and with a job's subject (`{subject}` in `subjectTitle`). */
export interface KindTitle {
  title: string;
  subjectTitle?: string | undefined;
}

/** The title of a job: its kind's title naming its subject ("Sync rhel9-baseos"), else the kind's title, else the kind. */
export function jobTitle(job: Job, kind?: KindTitle | string): string {
  const k = typeof kind === 'string' ? { title: kind } : kind;
  if (job.subject !== null && k?.subjectTitle !== undefined) return renderMessage(k.subjectTitle, { subject: job.subject });
  if (job.subject !== null) return `${k?.title ?? job.kind}: ${job.subject}`;
  return k?.title ?? job.kind;
}

export function jobView(job: Job, kind?: KindTitle | string): JobView {
  return { ...job, title: jobTitle(job, kind), text: renderMessage(job.message, job.messageVars) };
}

/** How each kind Striker knows is titled: its own kinds' (the catalog) and the host agents'. */
export function kindTitles(deps: Pick<AppDeps, 'catalog' | 'hostJobKinds'>): (kind: string) => KindTitle | undefined {
  const hostKinds = new Map((deps.hostJobKinds ?? []).map((k) => [k.kind, k]));
  return (kind) => {
    const def = deps.catalog.get(kind);
    if (def) return { title: def.title, subjectTitle: def.subject?.title };
    const host = hostKinds.get(kind);
    return host && { title: host.title };
  };
}

export function jobRoutes(app: FastifyInstance, deps: AppDeps): void {
  const hostKinds = new Map((deps.hostJobKinds ?? []).map((k) => [k.kind, k]));
  const title = kindTitles(deps);

  app.get('/api/job-kinds', { config: { access: 'viewer' } }, async (): Promise<JobKindsResponse> => ({
    kinds: [
      ...[...deps.catalog.values()].map((k) => ({ kind: k.kind, title: k.title, maxAttempts: k.maxAttempts, onStale: k.onStale, target: 'striker' as const })),
      ...[...hostKinds.values()].map((k) => ({ kind: k.kind, title: k.title, maxAttempts: k.maxAttempts, onStale: k.onStale, target: 'host' as const })),
    ],
  }));

  app.get('/api/jobs', { config: { access: 'viewer' } }, async (request): Promise<JobListResponse> => {
    const q = parseQuery(listQuery, request.query);
    const [jobs, counts] = await Promise.all([listJobs(deps.db, q), countJobs(deps.db, q)]);
    const total = q.status === undefined ? Object.values(counts).reduce((a, b) => a + b, 0) : counts[q.status];
    return { jobs: jobs.map((j) => jobView(j, title(j.kind))), total, counts, limit: q.limit, offset: q.offset };
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
