/**
 * `GET /api/agent/cluster/join-plan/:jobId` (agent credential): the join plan of a running
 * `cluster.join` job, for the agent of the host it is addressed to (join-plan-actions.ts). The
 * answer holds the pair's authkey and, for node1, fence passwords: it is never logged.
 */
import type { FastifyInstance } from 'fastify';
import { joinPlanForAgent, type JoinPlanDeps } from './join-plan-actions.js';
import type { JoinPlan } from './join-plan-schema.js';

export function joinPlanRoutes(app: FastifyInstance, deps: JoinPlanDeps): void {
  app.get<{ Params: { jobId: string } }>('/api/agent/cluster/join-plan/:jobId', { config: { access: 'agent' as const } }, async (request): Promise<JoinPlan> =>
    joinPlanForAgent(deps, request.agent!.hostId, request.params.jobId, request.id));
}
