/**
 * The areas `striker serve` carries besides the core: each contributes HTTP routes, job kinds and
 * background services, started here from the one configuration. Added as each area is wired in.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
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
import { registerRepoRoutes, repoPaths } from '../../repo-sync/index.js';
import { repoJobKinds } from '../repos/repo-job-kinds.js';
import { repoRoutes } from '../repos/repo-routes.js';
import { RepoScheduler } from '../repos/repo-scheduler.js';
import { syncConfiguredRepos } from '../repos/repo-store.js';
import { kickstartArea } from '../hosts/kickstart-area.js';
import type { JobCatalog } from '../jobs/job-kind.js';

export interface Areas {
  /** Routes each area adds; they receive the finished job catalog. */
  plugins: ((app: FastifyInstance, catalog: JobCatalog) => Promise<void> | void)[];
  jobKinds: JobKindDefinition[];
  /** Starts background services once the job catalog exists. */
  start(catalog: JobCatalog): Promise<void>;
  stop(): Promise<void>;
}

export async function areaPlugins(deps: { config: Readonly<StrikerConfig>; db: Database; logger: Logger }): Promise<Areas> {
  const { config, db, logger } = deps;
  const plugins: Areas['plugins'] = [];
  const jobKinds: JobKindDefinition[] = [];

  const starts: ((catalog: JobCatalog) => Promise<void>)[] = [];
  const stops: (() => Promise<void> | void)[] = [];

  // Mirrored repos and installation trees: jobs, API, the served content, schedules.
  const paths = repoPaths(resolve(config.dataDir));
  const reposDir = config.repos.reposDir ?? paths.published;
  const treesDir = config.repos.treesDir ?? paths.trees;
  mkdirSync(reposDir, { recursive: true });
  mkdirSync(treesDir, { recursive: true });
  await syncConfiguredRepos(db, config.repos.repos);
  jobKinds.push(...repoJobKinds({ db, dataDir: resolve(config.dataDir), runner: runCommand }));
  plugins.push(async (app, catalog) => {
    await registerRepoRoutes(app, { reposDir, treesDir });
    repoRoutes(app, { db, catalog });
  });
  starts.push(async (catalog) => {
    const scheduler = new RepoScheduler(db, catalog, logger.child({ component: 'repo-schedule' }));
    scheduler.start();
    stops.push(() => scheduler.stop());
  });

  // Kickstarts: per-host rendering, checks, served only to their machine.
  const kickstart = await kickstartArea({ config, db, logger });
  jobKinds.push(...kickstart.jobKinds);
  plugins.push(...kickstart.plugins);
  stops.push(() => kickstart.stop());

  // Striker identity (first-run wizard) and the web UI.
  const configureKind = configureJobKind({ db, manage: config.host.manage, applier: systemHostApplier(runCommand) });
  jobKinds.push(configureKind);
  plugins.push((app) => setupIdentityRoutes(app, { db, configureKind, manage: config.host.manage }));
  const uiDir = uiBuildDir(projectRoot());
  if (uiBuilt(uiDir)) plugins.push((app) => uiPlugin(app, uiDir));
  else logger.warn({ path: uiDir }, 'the web UI is not built (npm run build): serving the API only');

  return {
    plugins,
    jobKinds,
    start: async (catalog) => {
      for (const start of starts) await start(catalog);
    },
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
