/**
 * Repos over the API: list with status, add and remove (admins), sync and import (operators,
 * as jobs), installation trees. The mirrored content itself is served by repo-sync's routes.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { audit } from '../striker/audit/audit-store.js';
import { parseBody } from '../striker/http/body.js';
import type { Database } from '../striker/db/database.js';
import { enqueueJob } from '../striker/jobs/enqueue.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import { NotFoundError } from '../striker/core/errors/index.js';
import { addRepo, getRepo, listRepos, listTrees, parseRepoConfig, removeRepo } from './repo-store.js';

const importSchema = z.strictObject({
  path: z.string().startsWith('/', 'must be an absolute path to an ISO on the Striker').max(4096),
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1–64 of a-z 0-9 . _ -').optional(),
});

export function repoRoutes(app: FastifyInstance, deps: { db: Database; catalog: JobCatalog }): void {
  const repoName = (raw: string) => {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(raw)) throw new NotFoundError('repo', raw.slice(0, 80));
    return raw;
  };

  app.get('/api/repos', { config: { access: 'viewer' } }, async () => {
    const repos = await listRepos(deps.db);
    const { rows } = await deps.db.query<{ name: string; id: string; status: string; progress: number }>(
      `SELECT DISTINCT ON (payload->>'name') payload->>'name' AS name, id, status, progress
         FROM jobs WHERE kind = 'repo.sync' ORDER BY payload->>'name', created_at DESC`,
    );
    const latest = new Map(rows.map((r) => [r.name, r]));
    return { repos: repos.map((r) => ({ ...r, latestJob: latest.get(r.name) ?? null })) };
  });

  app.post('/api/repos', { config: { access: 'admin' } }, async (request, reply) => {
    const config = parseRepoConfig(request.body ?? null);
    return reply.status(201).send({ repo: await addRepo(deps.db, request.actor!, config, request.id) });
  });

  app.get<{ Params: { name: string } }>('/api/repos/:name', { config: { access: 'viewer' } }, async (request) => ({
    repo: await getRepo(deps.db, repoName(request.params.name)),
  }));

  app.delete<{ Params: { name: string } }>('/api/repos/:name', { config: { access: 'admin' } }, async (request, reply) => {
    await removeRepo(deps.db, request.actor!, repoName(request.params.name), request.id);
    return reply.status(204).send();
  });

  app.post<{ Params: { name: string } }>('/api/repos/:name/sync', { config: { access: 'operator' } }, async (request, reply) => {
    const name = repoName(request.params.name);
    await getRepo(deps.db, name);
    const job = await deps.db.tx(async (q) => {
      const j = await enqueueJob(q, deps.catalog, { kind: 'repo.sync', payload: { name }, createdBy: request.actor!.userId });
      await audit(q, request.actor!, { action: 'repo.sync', targetKind: 'repo', targetId: name, details: { jobId: j.id }, requestId: request.id });
      return j;
    });
    return reply.status(202).send({ job });
  });

  app.post('/api/repos/import', { config: { access: 'operator' } }, async (request, reply) => {
    const input = parseBody(importSchema, request.body);
    const job = await deps.db.tx(async (q) => {
      const j = await enqueueJob(q, deps.catalog, { kind: 'repo.import-iso', payload: input, createdBy: request.actor!.userId });
      await audit(q, request.actor!, { action: 'repo.import-iso', targetKind: 'iso', targetId: input.path, details: { jobId: j.id }, requestId: request.id });
      return j;
    });
    return reply.status(202).send({ job });
  });

  app.get('/api/trees', { config: { access: 'viewer' } }, async () => ({ trees: await listTrees(deps.db) }));
}
