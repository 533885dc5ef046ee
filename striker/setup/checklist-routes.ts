/**
 * GET /api/setup/checklist (viewer): the setup checklist (setup-checklist.ts) read from the
 * areas that own each step, as `striker/app/areas.ts` hands them in.
 */
import type { FastifyInstance } from 'fastify';
import { readChecklist, type SetupChecklistResponse, type StepSources } from './setup-checklist.js';

export function setupChecklistRoutes(app: FastifyInstance, sources: StepSources): void {
  app.get('/api/setup/checklist', { config: { access: 'viewer' } }, async (request): Promise<SetupChecklistResponse> =>
    readChecklist(sources, (step, error) => request.log.warn({ err: error, step }, 'a setup checklist step could not be read')));
}
