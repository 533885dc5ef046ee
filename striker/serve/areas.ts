/**
 * The areas `striker serve` carries besides the core: each contributes HTTP routes, job kinds and
 * background services, started here from the one configuration. Added as each area is wired in.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { StrikerConfig } from '../config/schema.js';
import type { Database } from '../db/database.js';
import type { JobKindDefinition } from '../jobs/job-kind.js';

export interface Areas {
  plugins: ((app: FastifyInstance) => Promise<void> | void)[];
  jobKinds: JobKindDefinition[];
  stop(): Promise<void>;
}

export async function areaPlugins(_deps: { config: Readonly<StrikerConfig>; db: Database; logger: Logger }): Promise<Areas> {
  return { plugins: [], jobKinds: [], stop: async () => undefined };
}
