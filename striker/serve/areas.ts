/**
 * The areas `striker serve` carries besides the core: each contributes HTTP routes, job kinds and
 * background services, started here from the one configuration. Added as each area is wired in.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { setupIdentityRoutes } from '../api/routes/setup-identity.js';
import { runCommand } from '../command/run-command.js';
import type { StrikerConfig } from '../config/schema.js';
import type { Database } from '../db/database.js';
import type { JobKindDefinition } from '../jobs/job-kind.js';
import { configureJobKind } from '../setup/configure-job.js';
import { systemHostApplier } from '../setup/host-applier.js';
import { projectRoot, uiBuildDir, uiBuilt, uiPlugin } from './ui-plugin.js';

export interface Areas {
  plugins: ((app: FastifyInstance) => Promise<void> | void)[];
  jobKinds: JobKindDefinition[];
  stop(): Promise<void>;
}

export async function areaPlugins(deps: { config: Readonly<StrikerConfig>; db: Database; logger: Logger }): Promise<Areas> {
  const { config, db, logger } = deps;
  const plugins: Areas['plugins'] = [];
  const jobKinds: JobKindDefinition[] = [];

  // Striker identity (first-run wizard) and the web UI.
  const configureKind = configureJobKind({ db, manage: config.host.manage, applier: systemHostApplier(runCommand) });
  jobKinds.push(configureKind);
  plugins.push((app) => setupIdentityRoutes(app, { db, configureKind, manage: config.host.manage }));
  const uiDir = uiBuildDir(projectRoot());
  if (uiBuilt(uiDir)) plugins.push((app) => uiPlugin(app, uiDir));
  else logger.warn({ path: uiDir }, 'the web UI is not built (npm run build): serving the API only');

  return { plugins, jobKinds, stop: async () => undefined };
}
