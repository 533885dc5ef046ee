import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Database } from '../db/database.js';
import type { JobEvents } from '../events/job-events.js';
import type { JobCatalog } from '../jobs/job-kind.js';
import type { JobRunner } from '../jobs/job-runner.js';

/** The settings the HTTP app reads (Striker's configuration fits). */
export interface HttpAppConfig {
  http: { bodyLimitBytes: number; secureCookies: boolean };
  auth: { sessionHours: number };
}

/** Everything the HTTP app needs, passed in (no globals), so tests build it with real parts. */
export interface AppDeps {
  db: Database;
  config: Readonly<HttpAppConfig>;
  logger: Logger;
  catalog: JobCatalog;
  throttle: LoginThrottle;
  version: string;
  runner?: JobRunner;
  events?: JobEvents;
  /** How often an idle live stream re-checks the credential that opened it (default 5000 ms). */
  liveStreamRecheckMs?: number;
  /** More routes from other areas (PXE, repos, UI), registered after the core ones. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
}
