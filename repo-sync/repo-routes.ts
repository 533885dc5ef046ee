/**
 * Repos over the API: list with status, add and remove (admins), sync and import (operators,
 * as jobs), installation trees. The changes are repo-sync's actions (actions.ts); the mirrored
 * content itself is served by repo-sync's content routes.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../striker/db/database.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import { addRepo, removeRepo, repoNameOf, startIsoImport, startRepoSync } from './actions.js';
import type { Job } from '../striker/jobs/job.js';
import { getRepo, latestSyncJobs, listRepos, listTrees, type LatestRepoJob, type RepoRecord } from './repo-store.js';

export type { LatestRepoJob };

/** A repo with its newest sync job. */
export interface RepoView extends RepoRecord {
  latestJob: LatestRepoJob | null;
}

/** GET /api/repos */
export interface RepoListResponse {
  repos: RepoView[];
}

/** POST /api/repos, GET /api/repos/:name */
export interface RepoResponse {
  repo: RepoRecord;
}

/** POST /api/repos/:name/sync, POST /api/repos/import: the job as stored (no title or rendered text). */
export interface RepoJobResponse {
  job: Job;
}

/** An imported installation tree. */
export type TreeView = Awaited<ReturnType<typeof listTrees>>[number];

/** GET /api/trees */
export interface TreeListResponse {
  trees: TreeView[];
}

export function repoRoutes(app: FastifyInstance, deps: { db: Database; catalog: JobCatalog }): void {
  app.get('/api/repos', { config: { access: 'viewer' } }, async (): Promise<RepoListResponse> => {
    const repos = await listRepos(deps.db);
    const latest = new Map((await latestSyncJobs(deps.db)).map((r) => [r.name, r]));
    return { repos: repos.map((r) => ({ ...r, latestJob: latest.get(r.name) ?? null })) };
  });

  app.post('/api/repos', { config: { access: 'admin' } }, async (request, reply) => {
    const repo = await addRepo(deps.db, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    const body: RepoResponse = { repo };
    return reply.status(201).send(body);
  });

  app.get<{ Params: { name: string } }>('/api/repos/:name', { config: { access: 'viewer' } }, async (request): Promise<RepoResponse> => ({
    repo: await getRepo(deps.db, repoNameOf(request.params.name)),
  }));

  app.delete<{ Params: { name: string } }>('/api/repos/:name', { config: { access: 'admin' } }, async (request, reply) => {
    await removeRepo(deps.db, request.actor!, request.params.name, { requestId: request.id });
    return reply.status(204).send();
  });

  app.post<{ Params: { name: string } }>('/api/repos/:name/sync', { config: { access: 'operator' } }, async (request, reply) => {
    const job = await startRepoSync(deps.db, deps.catalog, request.actor!, request.params.name, { requestId: request.id });
    const body: RepoJobResponse = { job };
    return reply.status(202).send(body);
  });

  app.post('/api/repos/import', { config: { access: 'operator' } }, async (request, reply) => {
    const job = await startIsoImport(deps.db, deps.catalog, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    const body: RepoJobResponse = { job };
    return reply.status(202).send(body);
  });

  app.get('/api/trees', { config: { access: 'viewer' } }, async (): Promise<TreeListResponse> => ({ trees: await listTrees(deps.db) }));
}
