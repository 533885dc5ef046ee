/**
 * The DR API. For people: `GET /api/dr/status` (every link with its protections, and the pairs
 * whose DR host is not linked; `?anvil=` for one pair), `POST /api/dr/link`, `/unlink`, `/protect`,
 * `/unprotect` (operator; a 400 names every bad field, a 409 says why the change cannot be made
 * now). For the DR host's agent: `POST /api/agent/dr/:anvil/linked` and
 * `POST /api/agent/dr/servers/:name/protection` (its `dr.link`, `dr.protect` or `dr.unprotect`
 * job is done).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../striker/core/errors/index.js';
import { problemsFromZod } from '../../striker/core/validation/zod-problems.js';
import type { Database } from '../../striker/db/database.js';
import type { ServersConfig } from '../servers/index.js';
import { drStatus, linkDr, protectServer, recordLinked, recordProtectionDone, unlinkDr, unprotectServer, type DrStatus } from './actions.js';
import type { DrHostJobs, DrLink, DrProtection } from './dr-record.js';

export type DrStatusResponse = DrStatus;
export interface DrLinkResponse { link: DrLink; jobId: string }
export interface DrProtectionResponse { protection: DrProtection; jobs: DrHostJobs }

const protectionReport = z.strictObject({ action: z.enum(['protect', 'unprotect']) });

export function drRoutes(app: FastifyInstance, deps: { db: Database; servers: ServersConfig }): void {
  const { db } = deps;
  app.get<{ Querystring: { anvil?: string } }>('/api/dr/status', { config: { access: 'viewer' as const } }, async (request): Promise<DrStatusResponse> => {
    const anvil = typeof request.query.anvil === 'string' && request.query.anvil !== '' ? request.query.anvil : undefined;
    return drStatus(db, anvil === undefined ? {} : { anvil });
  });

  app.post('/api/dr/link', { config: { access: 'operator' as const } }, async (request, reply): Promise<DrLinkResponse> => {
    const { link, job } = await linkDr(db, request.actor!, request.body, { inputPath: 'body', requestId: request.id });
    void reply.code(202);
    return { link, jobId: job.id };
  });

  app.post('/api/dr/unlink', { config: { access: 'operator' as const } }, async (request) => unlinkDr(db, request.actor!, request.body, { inputPath: 'body', requestId: request.id }));

  app.post('/api/dr/protect', { config: { access: 'operator' as const } }, async (request, reply): Promise<DrProtectionResponse> => {
    const r = await protectServer(db, deps.servers, request.actor!, request.body, { inputPath: 'body', requestId: request.id });
    void reply.code(202);
    return r;
  });

  app.post('/api/dr/unprotect', { config: { access: 'operator' as const } }, async (request, reply): Promise<DrProtectionResponse> => {
    const r = await unprotectServer(db, deps.servers, request.actor!, request.body, { inputPath: 'body', requestId: request.id });
    void reply.code(202);
    return r;
  });

  app.post<{ Params: { anvil: string } }>('/api/agent/dr/:anvil/linked', { config: { access: 'agent' as const } }, async (request) => ({
    link: await recordLinked(db, request.agent!.hostId, request.params.anvil),
  }));

  app.post<{ Params: { name: string } }>('/api/agent/dr/servers/:name/protection', { config: { access: 'agent' as const } }, async (request) => {
    const parsed = protectionReport.safeParse(request.body ?? {});
    if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error, request.body, 'body'), 'DR protection report');
    return { protection: (await recordProtectionDone(db, request.agent!.hostId, request.params.name, parsed.data.action)) ?? null };
  });
}
