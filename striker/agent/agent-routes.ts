/**
 * The agent API, `/api/agent/*`, for requests made with a host's agent credential (access
 * 'agent': see striker/http/access.ts). The host is the credential's: no route takes a host id,
 * and a job id addressed to another host is refused (403) with an audit row, as are invalid
 * bodies (400) and an inventory over the size limit (413). Claiming is the job store's
 * `FOR UPDATE SKIP LOCKED` claim restricted to the host's jobs; when nothing is claimable the
 * request is held open (a long poll) and answered as soon as a job for this host is queued —
 * PostgreSQL NOTIFY through JobEvents — or the wait runs out.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { StrikerError, ValidationError } from '../core/errors/index.js';
import { isUuid } from '../core/validation/uuid.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import type { Database } from '../db/database.js';
import type { JobEvents } from '../events/job-events.js';
import type { AgentPrincipal } from '../http/access.js';
import { addMessage, claimJobs, finishJob, getJob, heartbeat, reportProgress, requeueInterrupted } from '../jobs/job-store.js';
import { auditRefusal, recordInventory, type AgentRefusal } from './actions.js';
import { claimBody, finishBody, heartbeatBody, helloBody, inventoryBody, messageBody, progressBody, type ClaimResponse, type HeartbeatResponse, type HelloResponse, type JobWriteResponse } from './agent-api.js';
import type { CredentialWatch } from './credential-watch.js';
import { jobHeldBy, jobTargetOf, nextRunAfter, recordAgentStart, recordHeartbeat } from './host-agent-store.js';

export interface AgentRouteDeps {
  db: Database;
  /** Wakes held claims; without it a claim answers at once. */
  events?: JobEvents | undefined;
  /** Whether a held claim's credential still holds when it wakes; wakes it when revoked. */
  credentials: CredentialWatch;
  logger: Logger;
  /** Largest inventory body accepted, in bytes. */
  inventoryMaxBytes: number;
}

/** The worker id an agent run holds its jobs under. */
export function agentWorkerId(hostId: string, instanceId: string): string {
  return `agent:${hostId}:${instanceId}`;
}

export function agentRoutes(app: FastifyInstance, deps: AgentRouteDeps): void {
  const { db } = deps;
  const log = deps.logger.child({ component: 'agent-api' });
  const waiting = new Set<() => void>();
  let closing = false;
  // A Striker that is closing answers held claims at once (empty), so agents ask again and move on.
  app.addHook('preClose', async () => {
    closing = true;
    for (const wake of waiting) wake();
  });

  const principal = (request: FastifyRequest): AgentPrincipal => request.agent!;

  async function refuse(request: FastifyRequest, refusal: AgentRefusal, details: Record<string, unknown>, error: StrikerError): Promise<never> {
    const p = request.agent;
    log.warn({ hostId: p?.hostId, refusal, ...details }, 'agent request refused');
    await auditRefusal(db, { hostId: p?.hostId ?? null, ...(p ? { credentialId: p.credentialId } : {}) }, refusal, details, request.id).catch((e: unknown) =>
      log.error({ err: e }, 'could not write the audit row of a refused agent request'),
    );
    throw error;
  }

  async function body<S extends z.ZodType>(request: FastifyRequest, schema: S): Promise<z.output<S>> {
    const input = request.body;
    if (input === undefined || input === null) {
      return refuse(request, 'invalid-request', { route: request.routeOptions.url }, new ValidationError([{ path: 'body', message: 'is required (a JSON object)' }], 'request body'));
    }
    const parsed = schema.safeParse(input);
    if (parsed.success) return parsed.data;
    const problems = problemsFromZod(parsed.error, input, 'body');
    return refuse(request, 'invalid-request', { route: request.routeOptions.url, problems: problems.slice(0, 20) }, new ValidationError(problems, 'request body'));
  }

  /** The job must exist and be addressed to the caller's host. */
  async function ownJob(request: FastifyRequest<{ Params: { id: string } }>): Promise<string> {
    const id = request.params.id;
    const target = isUuid(id) ? await jobTargetOf(db, id) : undefined;
    if (target === undefined) throw new StrikerError('NOT_FOUND', `job ${id.slice(0, 64)} does not exist`, { details: { what: 'job', id: id.slice(0, 64) } });
    if (target !== principal(request).hostId) {
      return refuse(request, 'other-host-job', { jobId: id, targetHost: target }, new StrikerError('FORBIDDEN', `job ${id} is not addressed to this host (${principal(request).hostId})`, { details: { jobId: id } }));
    }
    return id;
  }

  const access = { config: { access: 'agent' as const } };

  app.post('/api/agent/hello', access, async (request): Promise<HelloResponse> => {
    const b = await body(request, helloBody);
    const { hostId } = principal(request);
    await recordAgentStart(db, { hostId, instanceId: b.instanceId, version: b.version, strikerUrl: b.strikerUrl });
    const requeued = await requeueInterrupted(db, hostId);
    log.info({ hostId, version: b.version, peer: request.ip, requeued: requeued.length }, 'agent started');
    return { hostId, requeued: requeued.length };
  });

  app.post('/api/agent/heartbeat', access, async (request): Promise<HeartbeatResponse> => {
    const b = await body(request, heartbeatBody);
    const { hostId } = principal(request);
    for (const id of b.jobIds) {
      const target = await jobTargetOf(db, id);
      if (target !== undefined && target !== hostId) {
        await refuse(request, 'other-host-job', { jobId: id, targetHost: target }, new StrikerError('FORBIDDEN', `job ${id} is not addressed to this host (${hostId})`, { details: { jobId: id } }));
      }
    }
    await recordHeartbeat(db, hostId, b.strikerUrl);
    const held = await heartbeat(db, agentWorkerId(hostId, b.instanceId), b.jobIds);
    return { jobs: b.jobIds.map((id) => ({ id, held: held.has(id), cancelRequested: held.get(id)?.cancelRequested ?? false })) };
  });

  app.post('/api/agent/inventory', {
    ...access,
    bodyLimit: deps.inventoryMaxBytes,
    preParsing: async (request) => {
      const length = Number(request.headers['content-length'] ?? NaN);
      if (Number.isFinite(length) && length > deps.inventoryMaxBytes) {
        await refuse(request, 'oversized-inventory', { bytes: length, limit: deps.inventoryMaxBytes }, tooLarge(length, deps.inventoryMaxBytes));
      }
    },
    onError: async (request, _reply, error) => {
      // A body sent without Content-Length that outgrew the limit while being read.
      if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        await auditRefusal(db, { hostId: request.agent?.hostId ?? null }, 'oversized-inventory', { limit: deps.inventoryMaxBytes }, request.id).catch(() => undefined);
      }
    },
  }, async (request, reply) => {
    const b = await body(request, inventoryBody);
    const { hostId } = principal(request);
    await recordInventory(db, hostId, b.inventory);
    log.info({ hostId, disks: b.inventory.disks.length, nics: b.inventory.nics.length }, 'inventory received');
    return reply.code(204).send();
  });

  app.post('/api/agent/jobs/claim', access, async (request, reply): Promise<ClaimResponse> => {
    const b = await body(request, claimBody);
    const { hostId, credentialId } = principal(request);
    const workerId = agentWorkerId(hostId, b.instanceId);
    const claim = async () => claimJobs(db, { workerId, kinds: b.kinds, targetHost: hostId, limit: b.limit });
    const events = deps.events;
    if (b.waitSeconds === 0 || events === undefined) return { jobs: (await claim()).map(claimed) };
    let woken = false;
    let wake: (() => void) | undefined;
    const unsubscribe = events.subscribe((job) => {
      // A job of this host queued (or released), or any job succeeded: one of this host's may have been waiting for it.
      const mine = job.targetHost === hostId && job.status === 'queued' && b.kinds.includes(job.kind as never);
      if (!mine && job.status !== 'succeeded') return;
      woken = true;
      wake?.();
    });
    let gone = false;
    const onGone = () => {
      gone = true;
      wake?.();
    };
    reply.raw.on('close', onGone);
    const unwatch = deps.credentials.whenRevoked(credentialId, () => wake?.());
    try {
      const deadline = Date.now() + b.waitSeconds * 1000;
      for (;;) {
        // An agent that hung up (stopped, or gave up waiting) claims nothing more: a job claimed for
        // it now would wait for its heartbeat to go stale before anyone else could run it.
        if (gone) return { jobs: [] };
        const jobs = await claim();
        if (jobs.length > 0) {
          if (gone) log.warn({ hostId, jobs: jobs.map((j) => j.id) }, 'claimed jobs for an agent that hung up; they are recovered when their heartbeat goes stale');
          return { jobs: jobs.map(claimed) };
        }
        const remaining = deadline - Date.now();
        if (gone || closing || remaining <= 0) return { jobs: [] };
        if (!woken) {
          const next = await nextRunAfter(db, hostId);
          const untilNext = next === null ? remaining : Math.max(0, next.getTime() - Date.now()) + 10;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(done, Math.min(remaining, untilNext));
            function done() {
              clearTimeout(timer);
              waiting.delete(done);
              wake = undefined;
              resolve();
            }
            wake = done;
            waiting.add(done);
          });
        }
        woken = false;
        if (!(await deps.credentials.holds(credentialId))) throw new StrikerError('UNAUTHENTICATED', 'the agent credential was revoked; register the host again');
      }
    } finally {
      unwatch();
      unsubscribe();
      reply.raw.off('close', onGone);
    }
  });

  app.post<{ Params: { id: string } }>('/api/agent/jobs/:id/progress', access, async (request): Promise<JobWriteResponse> => {
    const id = await ownJob(request);
    const b = await body(request, progressBody);
    const held = await reportProgress(db, { id, workerId: agentWorkerId(principal(request).hostId, b.instanceId), progress: b.progress, message: b.message, vars: b.vars, milestone: b.milestone === true });
    return { held };
  });

  app.post<{ Params: { id: string } }>('/api/agent/jobs/:id/messages', access, async (request): Promise<JobWriteResponse> => {
    const id = await ownJob(request);
    const b = await body(request, messageBody);
    const held = await jobHeldBy(db, id, agentWorkerId(principal(request).hostId, b.instanceId));
    if (held) await addMessage(db, id, b.message, b.vars, b.level);
    return { held };
  });

  app.post<{ Params: { id: string } }>('/api/agent/jobs/:id/finish', access, async (request): Promise<JobWriteResponse> => {
    const id = await ownJob(request);
    const b = await body(request, finishBody);
    const { hostId } = principal(request);
    const workerId = agentWorkerId(hostId, b.instanceId);
    const o = b.outcome;
    let held: boolean;
    if (o.kind === 'failed') {
      // The same retry policy as Striker's runner: 5 s, doubling, at most 5 minutes; the job's
      // max_attempts (from its kind) decides whether there is another attempt.
      const retry = o.retryable ? retryDelay((await getJob(db, id)).attempts) : null;
      held = await finishJob(db, id, workerId, { kind: 'failed', error: o.error, retryAfterSeconds: retry });
    } else {
      held = await finishJob(db, id, workerId, o);
    }
    log.info({ hostId, jobId: id, outcome: o.kind, held }, 'host job ended');
    return { held };
  });
}

function retryDelay(attempt: number): number {
  return Math.min(300, 5 * 2 ** (attempt - 1));
}

function tooLarge(bytes: number, limit: number): StrikerError {
  return new StrikerError('PAYLOAD_TOO_LARGE', `the inventory is ${bytes} bytes; Striker accepts at most ${limit} (agents.inventoryMaxBytes)`, { details: { bytes, limit } });
}

function claimed(job: { id: string; kind: string; payload: unknown; attempts: number }) {
  return { id: job.id, kind: job.kind, payload: job.payload, attempts: job.attempts };
}
