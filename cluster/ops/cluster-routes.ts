/**
 * The cluster API: `GET /api/anvils` (each pair's summary), `GET /api/anvils/:name` (its nodes,
 * links per node, fence devices and their last test, resources and where they run, failed actions,
 * fencing history, and how old each part is) and
 * `POST /api/anvils/:name/nodes/:node/actions` (operator; `requestNodeAction`: 400 naming the
 * field, 404 for an unknown pair or node, 409 with the reason when the safety check refuses).
 */
import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../striker/core/validation/zod-problems.js';
import { anvilSummary, anvilView } from './anvil-view.js';
import { clusterReports } from './cluster-report-store.js';
import { loadAnvil, nodeActionTargetSchema, requestNodeAction, type ClusterOpsDeps } from './node-action-request.js';

const nameOnly = nodeActionTargetSchema.pick({ name: true });

export function clusterRoutes(app: FastifyInstance, deps: ClusterOpsDeps): void {
  app.get('/api/anvils', { config: { access: 'viewer' as const } }, async () => {
    const reports = await clusterReports(deps.db);
    const names = [...new Set(reports.map((r) => r.anvilName))];
    const now = deps.now();
    return { anvils: names.map((n) => anvilSummary(anvilView(n, reports.filter((r) => r.anvilName === n), now, deps.staleAfterMs))) };
  });

  app.get('/api/anvils/:name', { config: { access: 'viewer' as const } }, async (request) => {
    const { name } = parseOrThrow(nameOnly, request.params, 'anvil', 'params');
    return loadAnvil(deps, name);
  });

  app.post('/api/anvils/:name/nodes/:node/actions', { config: { access: 'operator' as const } }, async (request, reply) => {
    const result = await requestNodeAction(deps, request.actor!, request.params as { name: unknown; node: unknown }, request.body ?? {}, { requestId: request.id, prefix: 'body', targetPrefix: 'params' });
    reply.code(202);
    return { jobId: result.job.id, kind: result.job.kind, action: result.action, forced: result.forced, ...(result.warning === undefined ? {} : { warning: result.warning }) };
  });
}
