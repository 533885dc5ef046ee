import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { StrikerConfig } from '../app/config/schema.js';
import type { Database } from '../db/database.js';
import type { JobEvents } from '../events/job-events.js';
import type { JobCatalog } from '../jobs/job-kind.js';
import type { JobRunner } from '../jobs/job-runner.js';

/** Everything the HTTP app needs, passed in (no globals), so tests build it with real parts. */
export interface AppDeps {
  db: Database;
  config: Readonly<StrikerConfig>;
  logger: Logger;
  catalog: JobCatalog;
  throttle: LoginThrottle;
  version: string;
  runner?: JobRunner;
  events?: JobEvents;
  /** More routes from other areas (PXE, repos, UI), registered after the core ones. */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
}
