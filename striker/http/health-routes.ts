import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './app-deps.js';

/**
 * GET /api/health: database and job-runner state (503 when the database does not answer), the
 * problems the areas report (`problems[]`: source and message) that leave the rest working, and the
 * areas' own sections (peers).
 */
export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const started = Date.now();
  app.get('/api/health', { config: { access: 'public' } }, async (_request, reply) => {
    const database = await deps.db.ping();
    const jobs = deps.runner?.state() ?? null;
    const ok = database.ok && (jobs === null || jobs.running);
    const sections: Record<string, unknown> = {};
    for (const [name, read] of Object.entries(deps.healthSections ?? {})) {
      sections[name] = database.ok ? await read().catch((error: unknown) => ({ error: (error as Error).message })) : null;
    }
    return reply.status(database.ok ? 200 : 503).send({
      status: ok ? 'ok' : 'degraded',
      version: deps.version,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      database: { ok: database.ok, latencyMs: database.latencyMs, ...(database.error ? { error: database.error } : {}) },
      jobs: jobs && { running: jobs.running, active: jobs.activeJobs.length, lastPollAt: jobs.lastPollAt, lastError: jobs.lastError, counts: jobs.counts },
      events: deps.events ? { connected: deps.events.connected } : null,
      problems: deps.problems?.() ?? [],
      ...sections,
    });
  });
}
