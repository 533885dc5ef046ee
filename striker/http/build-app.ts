/**
 * Builds the HTTP app (API, and whatever plugins other areas add) without listening, so tests
 * drive it with `app.inject()` and `striker serve` calls `listen` on it.
 */
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { installAccessControl } from './access.js';
import type { AppDeps } from './app-deps.js';
import { installErrorHandling } from './error-handler.js';
import { FrontDoor } from './front-door.js';
import { healthRoutes } from './health-routes.js';
import { installInputGuards } from './input-guards.js';
import { installSecurityHeaders } from './security-headers.js';
import { jobRoutes } from '../jobs/job-routes.js';
import { liveRoutes } from '../events/live-routes.js';
import { jobThroughputRoutes } from '../jobs/job-throughput-routes.js';
import { sessionRoutes } from '../auth/session-routes.js';
import { userRoutes } from '../auth/user-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Handlers that answer hot requests before fastify routes them (see front-door.ts). */
    readonly frontDoor: FrontDoor;
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const httpLog = deps.logger.child({ component: 'http' });
  const frontDoor = new FrontDoor((error) => httpLog.error({ err: error }, 'front-door handler failed'));
  const app: FastifyInstance = Fastify({
    serverFactory: frontDoor.serverFactory,
    loggerInstance: httpLog as FastifyBaseLogger,
    bodyLimit: deps.config.http.bodyLimitBytes,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    trustProxy: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  });
  app.decorate('frontDoor', frontDoor);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: some URLs carry signatures (kickstarts) or tokens.
    request.log.debug({ method: request.method, route: request.routeOptions.url ?? '(none)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  installErrorHandling(app);
  // The API speaks JSON only; a text body is refused with 415 rather than guessed at.
  app.removeContentTypeParser('text/plain');
  installInputGuards(app);
  installSecurityHeaders(app);
  await app.register(cookie);
  installAccessControl(app, deps);
  healthRoutes(app, deps);
  sessionRoutes(app, deps);
  userRoutes(app, deps);
  jobRoutes(app, deps);
  liveRoutes(app, deps);
  jobThroughputRoutes(app, deps);
  for (const plugin of deps.plugins ?? []) await plugin(app);
  await app.ready();
  return app;
}
