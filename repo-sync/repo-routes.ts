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
import type { Job, JobStatus } from '../striker/jobs/job.js';
import { NotFoundError } from '../striker/core/errors/index.js';
import { addRepo, getRepo, listRepos, listTrees, parseRepoConfig, removeRepo, type RepoRecord } from './repo-store.js';

/** The newest `repo.sync` job of a repo, as the repo list shows it. */
export interface LatestRepoJob {
  name: string;
  id: string;
  status: JobStatus;
  progress: number;
}

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

const importSchema = z.strictObject({
  path: z.string().startsWith('/', 'must be an absolute path to an ISO on the Striker').max(4096),
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1–64 of a-z 0-9 . _ -').optional(),
});

export function repoRoutes(app: FastifyInstance, deps: { db: Database; catalog: JobCatalog }): void {
  const repoName = (raw: string) => {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(raw)) throw new NotFoundError('repo', raw.slice(0, 80));
    return raw;
  };

  app.get('/api/repos', { config: { access: 'viewer' } }, async (): Promise<RepoListResponse> => {
    const repos = await listRepos(deps.db);
    const { rows } = await deps.db.query<LatestRepoJob>(
      `SELECT DISTINCT ON (payload->>'name') payload->>'name' AS name, id, status, progress
         FROM jobs WHERE kind = 'repo.sync' ORDER BY payload->>'name', created_at DESC`,
    );
    const latest = new Map(rows.map((r) => [r.name, r]));
    return { repos: repos.map((r) => ({ ...r, latestJob: latest.get(r.name) ?? null })) };
  });

  app.post('/api/repos', { config: { access: 'admin' } }, async (request, reply) => {
    const config = parseRepoConfig(request.body ?? null);
    const body: RepoResponse = { repo: await addRepo(deps.db, request.actor!, config, request.id) };
    return reply.status(201).send(body);
  });

  app.get<{ Params: { name: string } }>('/api/repos/:name', { config: { access: 'viewer' } }, async (request): Promise<RepoResponse> => ({
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
    const body: RepoJobResponse = { job };
    return reply.status(202).send(body);
  });

  app.post('/api/repos/import', { config: { access: 'operator' } }, async (request, reply) => {
    const input = parseBody(importSchema, request.body);
    const job = await deps.db.tx(async (q) => {
      const j = await enqueueJob(q, deps.catalog, { kind: 'repo.import-iso', payload: input, createdBy: request.actor!.userId });
      await audit(q, request.actor!, { action: 'repo.import-iso', targetKind: 'iso', targetId: input.path, details: { jobId: j.id }, requestId: request.id });
      return j;
    });
    const body: RepoJobResponse = { job };
    return reply.status(202).send(body);
  });

  app.get('/api/trees', { config: { access: 'viewer' } }, async (): Promise<TreeListResponse> => ({ trees: await listTrees(deps.db) }));
}
