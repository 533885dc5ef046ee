/**
 * The installed fence agents over the API: the list for the wizard's agent picker and, per agent,
 * the form generated from its metadata (fence-form.ts). A bad agent name is a 400 naming the
 * field, an agent that is not installed a 404.
 */
import type { FastifyInstance } from 'fastify';
import type { FenceAgentCatalog, FenceAgentSummary } from './fence-agent-catalog.js';
import { fenceForm, type FenceForm } from './fence-form.js';

/** GET /api/fence-agents */
export interface FenceAgentListResponse {
  agents: FenceAgentSummary[];
}

/** GET /api/fence-agents/:agent: the device form, and the actions the agent supports. */
export interface FenceAgentResponse {
  form: FenceForm;
  actions: readonly string[];
  /**
   * Whether a device of this agent switches one outlet per host (a PDU, a hypervisor): the agent
   * takes a plug and can list its plugs. The wizard then asks each host's outlet (its pduOutlets).
   */
  outletPerHost: boolean;
}

export function fenceAgentRoutes(app: FastifyInstance, deps: { catalog: FenceAgentCatalog }): void {
  app.get('/api/fence-agents', { config: { access: 'viewer' } }, async (): Promise<FenceAgentListResponse> => ({ agents: await deps.catalog.list() }));

  app.get<{ Params: { agent: string } }>('/api/fence-agents/:agent', { config: { access: 'viewer' } }, async (request): Promise<FenceAgentResponse> => {
    const metadata = await deps.catalog.get(request.params.agent);
    const takesPlug = metadata.parameters.some((p) => p.name === 'plug' || p.replacedBy === 'plug');
    return { form: fenceForm(metadata), actions: metadata.actions, outletPerHost: takesPlug && metadata.actions.includes('list') };
  });
}
