/**
 * Repos over the API: list with status, add and remove (admins), sync and import (operators,
 * as jobs), installation trees. The changes are repo-sync's actions (actions.ts); the mirrored
 * content itself is served by repo-sync's content routes.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../striker/db/database.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import { addRepo, removeRepo, repoNameOf, startIsoImport, startRepoSync } from './actions.js';
import { getRepo, latestSyncJobs, listRepos, listTrees } from './repo-store.js';

export function repoRoutes(app: FastifyInstance, deps: { db: Database; catalog: JobCatalog }): void {
  app.get('/api/repos', { config: { access: 'viewer' } }, async () => {
    const repos = await listRepos(deps.db);
    const latest = new Map((await latestSyncJobs(deps.db)).map((r) => [r.name, r]));
    return { repos: repos.map((r) => ({ ...r, latestJob: latest.get(r.name) ?? null })) };
  });

  app.post('/api/repos', { config: { access: 'admin' } }, async (request, reply) => {
    const repo = await addRepo(deps.db, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    return reply.status(201).send({ repo });
  });

  app.get<{ Params: { name: string } }>('/api/repos/:name', { config: { access: 'viewer' } }, async (request) => ({
    repo: await getRepo(deps.db, repoNameOf(request.params.name)),
  }));

  app.delete<{ Params: { name: string } }>('/api/repos/:name', { config: { access: 'admin' } }, async (request, reply) => {
    await removeRepo(deps.db, request.actor!, request.params.name, { requestId: request.id });
    return reply.status(204).send();
  });

  app.post<{ Params: { name: string } }>('/api/repos/:name/sync', { config: { access: 'operator' } }, async (request, reply) => {
    const job = await startRepoSync(deps.db, deps.catalog, request.actor!, request.params.name, { requestId: request.id });
    return reply.status(202).send({ job });
  });

  app.post('/api/repos/import', { config: { access: 'operator' } }, async (request, reply) => {
    const job = await startIsoImport(deps.db, deps.catalog, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    return reply.status(202).send({ job });
  });

  app.get('/api/trees', { config: { access: 'viewer' } }, async () => ({ trees: await listTrees(deps.db) }));
}
