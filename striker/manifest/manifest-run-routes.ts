/**
 * Running manifests over HTTP (the same actions the CLI calls). A run's progress is its jobs: each
 * carries its job id, so the UI follows them on the live channel's `jobs` topic (`GET /api/live?topics=jobs`).
 *
 *   POST /api/manifests/:id/run            run it (operators): the run, `existing` when nothing new was needed
 *   GET  /api/manifests/:id/runs           its runs, newest first, with their jobs' state
 *   GET  /api/manifests/:id/runs/:runId    one run: the job graph with status, progress, held reasons
 */
import type { FastifyInstance } from 'fastify';
import { manifestRun, manifestRuns, runManifest, type ManifestRunDeps, type ManifestRunView, type RunManifestResponse } from './manifest-run-actions.js';

/** GET /api/manifests/:id/runs */
export interface ManifestRunListResponse {
  runs: ManifestRunView[];
}

/** GET /api/manifests/:id/runs/:runId */
export interface ManifestRunResponse {
  run: ManifestRunView;
}

export type { RunManifestResponse };

export function manifestRunRoutes(app: FastifyInstance, deps: ManifestRunDeps): void {
  app.post<{ Params: { id: string } }>('/api/manifests/:id/run', { config: { access: 'operator' } }, async (request, reply): Promise<RunManifestResponse> => {
    const run = await runManifest(deps, request.actor!, request.params.id, { requestId: request.id });
    reply.code(run.existing ? 200 : 201);
    return run;
  });

  app.get<{ Params: { id: string } }>('/api/manifests/:id/runs', { config: { access: 'viewer' } }, async (request): Promise<ManifestRunListResponse> => ({
    runs: await manifestRuns(deps, request.params.id),
  }));

  app.get<{ Params: { id: string; runId: string } }>('/api/manifests/:id/runs/:runId', { config: { access: 'viewer' } }, async (request): Promise<ManifestRunResponse> => ({
    run: await manifestRun(deps, request.params.id, request.params.runId),
  }));
}
