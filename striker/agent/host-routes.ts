/**
 * The hosts API for people (UI, CLI with an API token): registered hosts with their agent
 * (version, last heartbeat, which Striker it talks to, inventory), revoking and rotating a
 * host's credential (admins; audited), and addressing a job to a host (operators).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { audit } from '../audit/audit-store.js';
import { NotFoundError, ValidationError, type Problem } from '../core/errors/index.js';
import type { Database } from '../db/database.js';
import { parseBody } from '../http/body.js';
import { enqueueHostJob, revokeCredential, rotateCredential, type IssuedCredential } from './actions.js';
import { hostIdPattern } from './agent-credential-format.js';
import { liveCredentialOf } from './credential-store.js';
import { getHostAgent, hostKnown, listHosts, type HostAgentRow, type HostSummaryRow } from './host-agent-store.js';
import { hostJobKinds } from './host-job-kinds.js';

export interface HostsRouteDeps {
  db: Database;
  /** Called after a host job is queued (wakes nothing on Striker: the host's agent is woken by NOTIFY). */
  onEnqueued?: () => void;
}

/** GET /api/hosts */
export interface HostListResponse {
  hosts: HostSummaryRow[];
}

/** GET /api/hosts/:hostId */
export interface HostDetailResponse {
  hostId: string;
  credential: { id: string; issuedAt: Date; issuedBy: string } | null;
  agent: HostAgentRow | null;
}

const enqueueSchema = z.strictObject({ kind: z.string().max(100), payload: z.unknown().optional() });

export function hostRoutes(app: FastifyInstance, deps: HostsRouteDeps): void {
  const { db } = deps;

  app.get('/api/hosts', { config: { access: 'viewer' } }, async (): Promise<HostListResponse> => ({ hosts: await listHosts(db) }));

  app.get('/api/host-job-kinds', { config: { access: 'viewer' } }, async () => ({ kinds: Object.values(hostJobKinds) }));

  app.get<{ Params: { hostId: string } }>('/api/hosts/:hostId', { config: { access: 'viewer' } }, async (request): Promise<HostDetailResponse> => {
    const { hostId } = request.params;
    if (!(await hostKnown(db, hostId))) throw new NotFoundError('host', hostId.slice(0, 64));
    const credential = await liveCredentialOf(db, hostId);
    return {
      hostId,
      credential: credential === undefined ? null : { id: credential.id, issuedAt: credential.issuedAt, issuedBy: credential.issuedBy },
      agent: (await getHostAgent(db, hostId)) ?? null,
    };
  });

  app.post<{ Params: { hostId: string } }>('/api/hosts/:hostId/revoke', { config: { access: 'admin' } }, async (request) =>
    revokeCredential(db, request.actor!, request.params.hostId, { requestId: request.id }));

  app.post<{ Params: { hostId: string } }>('/api/hosts/:hostId/rotate', { config: { access: 'admin' } }, async (request): Promise<IssuedCredential> =>
    rotateCredential(db, request.actor!, request.params.hostId, { requestId: request.id }));

  app.post<{ Params: { hostId: string } }>('/api/hosts/:hostId/jobs', { config: { access: 'operator' } }, async (request) => {
    try {
      const b = parseJobRequest(request.params.hostId, request.body);
      const job = await enqueueHostJob(db, request.actor!, { hostId: request.params.hostId, kind: b.kind, payload: b.payload }, { requestId: request.id, inputPath: 'body' });
      deps.onEnqueued?.();
      return { job };
    } catch (error) {
      if (error instanceof ValidationError) await auditRefused(db, request, error);
      throw error;
    }
  });
}

/** The host id in the path and the body, every problem of both listed (`params.hostId`, `body.…`). */
function parseJobRequest(hostId: string, body: unknown): z.output<typeof enqueueSchema> {
  const problems: Problem[] = hostIdPattern.test(hostId) ? [] : [{ path: 'params.hostId', message: `must be a host id like 52-54-00-12-34-56 — got '${hostId.slice(0, 64)}'` }];
  try {
    const parsed = parseBody(enqueueSchema, body);
    if (problems.length === 0) return parsed;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.problems);
  }
  throw new ValidationError(problems, 'host job request');
}

/**
 * A job request refused as invalid still leaves an audit row (nothing else is written); a host id
 * that is not one is recorded as `(invalid)`, never as the text sent.
 */
async function auditRefused(db: Database, request: FastifyRequest<{ Params: { hostId: string } }>, error: ValidationError): Promise<void> {
  await audit(db, request.actor!, {
    action: 'job.enqueue.refused',
    targetKind: 'host',
    targetId: hostIdPattern.test(request.params.hostId) ? request.params.hostId : '(invalid)',
    details: { problems: error.problems.slice(0, 20) },
    requestId: request.id,
  }).catch(() => undefined);
}
