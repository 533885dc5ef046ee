/**
 * The areas `striker serve` carries besides the core: each contributes HTTP routes, job kinds and
 * background services, started here from the one configuration. This is where areas meet: what a
 * later stage needs from an earlier one (PXE's kickstart URL, the machines table behind DHCP
 * reservations) is handed over here as a function.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { runCommand } from '../core/command/run-command.js';
import type { StrikerConfig } from './config/schema.js';
import type { Database } from '../db/database.js';
import type { HostJobKindTitle, JobKindDefinition } from '../jobs/job-kind.js';
import { configureJobKind, setupIdentityRoutes, systemHostApplier } from '../setup/index.js';
import { projectRoot, uiBuildDir, uiBuilt, uiPlugin } from './ui-plugin.js';
import { findOwnPackages, ownRepoConfig, publishOwnRepo, registerRepoRoutes, repoJobKinds, repoPaths, repoRoutes, RepoScheduler, syncConfiguredRepos, type OwnRepoState } from '../../repo-sync/index.js';
import { kickstartArea } from '../../kickstart/index.js';
import { pxeHttpUrl } from './config/cross-checks.js';
import { dbBootFacts, DbTimeline, LeaseMirror, loadOuiTable, machineRoutes, recordVendors, ReservationCache } from '../machines/index.js';
import { startPxeServices } from '../../pxe/index.js';
import type { JobCatalog } from '../jobs/job-kind.js';
import type { JobEvents } from '../events/job-events.js';
import type { AgentCredentialCheck } from '../http/access.js';
import { agentArea } from '../agent/index.js';
import { siteKeys } from '../core/secrets/index.js';
import { peersArea } from '../peers/index.js';
import { configuredUrl, encryptedColumns, peerReplication } from './peering.js';
import { alertsArea, defaultAlertsSettings, renderer } from '../../cluster/scancore/alerts/index.js';
import { systemClock } from '../core/clock.js';

export interface Areas {
  /** Routes each area adds; they receive the finished job catalog. */
  plugins: ((app: FastifyInstance, catalog: JobCatalog) => Promise<void> | void)[];
  jobKinds: JobKindDefinition[];
  /** How access control recognises host agents' credentials. */
  agentCredentials: AgentCredentialCheck;
  /** Job kinds host agents run: titled and listed with the catalog's. */
  hostJobKinds: readonly HostJobKindTitle[];
  /** Starts background services once the job catalog exists. */
  start(catalog: JobCatalog): Promise<void>;
  /** Sections the areas add to GET /api/health. */
  healthSections: Record<string, () => Promise<unknown>>;
  /** Tells the areas the URL `striker serve` listens on. */
  listening(url: string): void;
  stop(): Promise<void>;
  /** What keeps this Striker from doing all of its work (shown by GET /api/health). */
  problems(): { source: string; message: string }[];
}

/** Striker's own RPMs: `dist/rpms` in a checkout, `/usr/share/striker/rpms` when it runs from /usr (its RPM). */
export function defaultOwnPackagesDir(root: string): string {
  return root.startsWith('/usr/') ? '/usr/share/striker/rpms' : join(root, 'dist', 'rpms');
}

export async function areaPlugins(deps: { config: Readonly<StrikerConfig>; db: Database; logger: Logger; events?: JobEvents }): Promise<Areas> {
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
  // Striker's own packages (the agent) are the repo `striker`, published (signed) at every start.
  const ownPackagesDir = config.repos.ownPackagesDir ?? defaultOwnPackagesDir(projectRoot());
  let ownRepo: OwnRepoState = await findOwnPackages(ownPackagesDir, 'repos.ownPackagesDir', runCommand, logger.child({ component: 'repos' }));
  const ownRepos = ownRepo.status === 'found' ? [ownRepoConfig(paths)] : [];
  await db.tx((t) => syncConfiguredRepos(t, [...config.repos.repos, ...ownRepos]));
  jobKinds.push(...repoJobKinds({ db, dataDir: resolve(config.dataDir), runner: runCommand }));
  plugins.push(async (app, catalog) => {
    await registerRepoRoutes(app, { reposDir, treesDir, frontDoor: app.frontDoor });
    repoRoutes(app, { db, catalog });
  });
  starts.push(async (catalog) => {
    if (ownRepo.status === 'found') ownRepo = await publishOwnRepo(ownRepo, { db, paths, runner: runCommand, logger: logger.child({ component: 'repos' }) });
    const scheduler = new RepoScheduler(db, catalog, logger.child({ component: 'repo-schedule' }));
    scheduler.start();
    stops.push(() => scheduler.stop());
  });

  // Host agents: credentials issued at registration, the agent API, hosts and their inventory.
  const agents = agentArea({ db, logger, inventoryMaxBytes: config.agents.inventoryMaxBytes, credentialCacheSeconds: config.agents.credentialCacheSeconds });
  plugins.push((app) => agents.plugin(app, deps.events));

  // Kickstarts: per-host rendering, checks, served only to their machine; registration yields the agent credential.
  const kickstart = await kickstartArea({ config, db, logger, onRegistered: agents.onRegistered, onRegistrationRefused: agents.onRegistrationRefused });
  jobKinds.push(...kickstart.jobKinds);
  plugins.push(...kickstart.plugins);
  stops.push(() => kickstart.stop());

  // PXE (DHCP, TFTP, HTTP boot routes) on the configured interface only, and the machines it sees.
  const pxeLog = logger.child({ component: 'pxe' });
  const oui = await loadOuiTable(config.pxe.ouiFile);
  const bootTimeline = new DbTimeline({ db, logger: pxeLog, onDiscovered: recordVendors(db, (mac) => oui.vendorOf(mac), pxeLog) });
  stops.push(() => bootTimeline.close());
  const reservationCache = new ReservationCache(db, pxeLog, 5000, config.pxe.unknownMachines === 'ignore');
  await reservationCache.start();
  stops.push(() => reservationCache.stop());
  const leaseMirror = new LeaseMirror(db, pxeLog);
  stops.push(() => leaseMirror.close());
  const pxe = await startPxeServices({
    config: config.pxe,
    dataDir: resolve(config.dataDir),
    logger: pxeLog,
    timeline: bootTimeline,
    httpUrl: pxeHttpUrl(config),
    facts: dbBootFacts(db, (machine) => kickstart.bootKickstart(machine.mac)),
    kickstartPath: (hostId) => kickstart.kickstartPath(hostId),
    lookup: reservationCache,
    onLeaseChange: leaseMirror.onLeaseChange,
  });
  // Listeners stop first, then what they write to.
  stops.push(() => pxe.close());
  for (const plugin of pxe.plugins) plugins.push(async (app) => {
    await app.register(plugin);
  });
  plugins.push((app) => machineRoutes(app, { db, pxe, onMachineChanged: () => void reservationCache.reload() }));

  // Peering with other Strikers: routes, the site key, the /api/health section.
  const peers = peersArea({
    db,
    keys: siteKeys(config.dataDir),
    registry: encryptedColumns,
    replication: peerReplication,
    config: config.peers,
    publicUrl: config.http.publicUrl,
    url: configuredUrl(config),
    logger: logger.child({ component: 'peers' }),
  });
  plugins.push((app) => peers.plugin(app));

  // Alerts: recipients, SMTP relays, de-bounced e-mails sent as jobs, the history.
  const alerts = alertsArea({ db, keys: siteKeys(config.dataDir), clock: systemClock, settings: defaultAlertsSettings, renderer: renderer(), logger: logger.child({ component: 'alerts' }) });
  jobKinds.push(...alerts.jobKinds);
  plugins.push((app) => alerts.plugin(app));
  starts.push(async () => alerts.start());
  stops.push(() => alerts.stop());

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
    agentCredentials: agents.credentialCheck,
    hostJobKinds: agents.hostJobKinds,
    start: async (catalog) => {
      for (const start of starts) await start(catalog);
    },
    healthSections: { peers: () => peers.health() },
    listening: (url) => peers.listening(url),
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
    problems: () => (ownRepo.message === undefined ? [] : [{ source: 'repos.striker', message: ownRepo.message }]),
  };
}
