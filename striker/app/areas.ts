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
import type { Database, DbTx } from '../db/database.js';
import type { HostJobKindTitle, JobKindDefinition } from '../jobs/job-kind.js';
import { configureJobKind, setupChecklistRoutes, setupIdentityRoutes, systemHostApplier, type StepSources } from '../setup/index.js';
import { projectRoot, uiBuildDir, uiBuilt, uiPlugin } from './ui-plugin.js';
import { findOwnPackages, mediaSetupStep, ownRepoConfig, repoSyncSetupStep, publishOwnRepo, registerRepoRoutes, repoJobKinds, repoPaths, repoRoutes, RepoScheduler, uploadRoutes, mediaFreeBytes, syncConfiguredRepos, loadSendFileAddon, sendfileThreadsOf, type OwnRepoState } from '../../repo-sync/index.js';
import { kickstartArea, rootPasswordSetupStep } from '../../kickstart/index.js';
import { pxeHttpUrl } from './config/cross-checks.js';
import { dbBootFacts, DbTimeline, LeaseMirror, loadOuiTable, machineRoutes, machinesSetupStep, recordVendors, ReservationCache } from '../machines/index.js';
import { listHostInterfaces, PxeRuntime, type PxeConfig } from '../../pxe/index.js';
import { reservedIpCheck } from './reserved-ip-check.js';
import { effectivePxeConfig } from './pxe-settings-actions.js';
import { pxeSettingsRoutes } from './pxe-settings-routes.js';
import { loadPxeSettings } from './pxe-settings-store.js';
import type { JobCatalog } from '../jobs/job-kind.js';
import type { JobEvents } from '../events/job-events.js';
import type { LiveEvents } from '../events/live-events.js';
import type { AgentCredentialCheck } from '../http/access.js';
import { agentArea } from '../agent/index.js';
import { keyringPath, siteKeys } from '../core/secrets/index.js';
import { authenticatePeer, checkKeyringHoldsSealingKeys, peerCallLinks, peersArea } from '../peers/index.js';
import { peerStatusSampler } from './peer-status-sampler.js';
import { listManifests, manifestCheckJobKind, manifestRoutes, manifestRunRoutes, openManifestSecrets } from '../manifest/index.js';
import { fenceAgentRoutes, installedFenceAgents } from '../manifest/fence-agents/index.js';
import { configuredUrl, encryptedColumns, peerReplication } from './peering.js';
import { actOnDecisions, ipmiBootJobKind, ScancoreService, scancoreAgentRoutes, scancoreHostRoutes, scancoreRoutes, watchedPairs } from '../../cluster/scancore/index.js';
import { alertsArea, renderer } from '../../cluster/scancore/alerts/index.js';
import { followPacemaker, normaliseVersionOneHashes, recordReportedMigrations, serverCreateJobKind, serversRoutes } from '../../cluster/servers/index.js';
import { FileCopyKeeper, filesRoutes, isoFetchWaits } from '../../cluster/files/index.js';
import { systemClock } from '../core/clock.js';
import { bmcFromScancorePairs, clusterRoutes, nodePowerJobKind, saveClusterReport, type ClusterReport } from '../../cluster/ops/index.js';
import { joinPlanRoutes } from '../../cluster/join/index.js';
import { drBmcFromManifests, drCycleJobKind, drRoutes, DrScheduler } from '../../cluster/dr/index.js';

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

export interface AreaDeps {
  config: Readonly<StrikerConfig>;
  db: Database;
  logger: Logger;
  events?: JobEvents;
  /** The live channel (areas that act on other Strikers' changes follow it). */
  live?: LiveEvents;
  /** How many install manifests exist, for the setup checklist's last step (default: the manifest area's table). */
  manifestCount?: () => Promise<number>;
}

export async function areaPlugins(deps: AreaDeps): Promise<Areas> {
  const { config, db, logger } = deps;
  const plugins: Areas['plugins'] = [];
  const jobKinds: JobKindDefinition[] = [];

  const starts: ((catalog: JobCatalog) => Promise<void>)[] = [];
  const stops: (() => Promise<void> | void)[] = [];

  // The site key must open every sealed secret, or this Striker does not start.
  await checkKeyringHoldsSealingKeys(db, siteKeys(config.dataDir).keyring(), encryptedColumns, keyringPath(config.dataDir));

  // Mirrored repos and installation trees: jobs, API, the served content, schedules.
  const paths = repoPaths(resolve(config.dataDir));
  const reposDir = config.repos.reposDir ?? paths.published;
  const treesDir = config.repos.treesDir ?? paths.trees;
  mkdirSync(reposDir, { recursive: true });
  mkdirSync(treesDir, { recursive: true });
  // Every file sent with sendfile(2) (trees, repos, boot loaders, cluster files) runs on these threads.
  loadSendFileAddon()?.threads(sendfileThreadsOf(config.repos.sendfileThreads));
  // Striker's own packages (the agent) are the repo `striker`, published (signed) at every start.
  const ownPackagesDir = config.repos.ownPackagesDir ?? defaultOwnPackagesDir(projectRoot());
  let ownRepo: OwnRepoState = await findOwnPackages(ownPackagesDir, 'repos.ownPackagesDir', runCommand, logger.child({ component: 'repos' }));
  const ownRepos = ownRepo.status === 'found' ? [ownRepoConfig(paths)] : [];
  await db.tx((t) => syncConfiguredRepos(t, [...config.repos.repos, ...ownRepos]));
  jobKinds.push(...repoJobKinds({ db, dataDir: resolve(config.dataDir), runner: runCommand }));
  plugins.push(async (app, catalog) => {
    await registerRepoRoutes(app, { reposDir, treesDir, frontDoor: app.frontDoor });
    repoRoutes(app, { db, catalog });
    await uploadRoutes(app, { db, catalog, mediaDir: paths.media, maxBytes: config.repos.uploadMaxBytes, chunkBytes: config.repos.uploadChunkBytes, freeBytes: mediaFreeBytes });
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

  // ScanCore: host agents' scan reports, stored and scored; the decision round for the pairs this
  // Striker owns, its decisions carried out as jobs (booting through IPMI is a Striker job).
  // A node's cluster report is kept (cluster/ops), moves its servers' state and node to where
  // pacemaker runs them, and carries the migrations its resource agent recorded (cluster/servers).
  const onClusterReport = async (t: DbTx, hostId: string, report: ClusterReport, at: number) => {
    await saveClusterReport(t, hostId, report, at);
    await followPacemaker(t, hostId, report);
    await recordReportedMigrations(t, hostId, report.migrations ?? []);
  };
  // Pairs from the configuration and the applied manifests; decisions told through the alerts area.
  const scancorePairs = watchedPairs({ db, keys: siteKeys(config.dataDir), logger, configured: config.scancore.pairs, fromManifests: config.scancore.pairsFromManifests });
  plugins.push((app) => scancoreAgentRoutes(app, { db, config: config.scancore, clock: systemClock, logger, reportMaxBytes: config.scancore.scan.reportMaxBytes, pairs: scancorePairs, onClusterReport }));
  plugins.push((app) => scancoreRoutes(app, { db, config: config.scancore, pairs: scancorePairs }));
  jobKinds.push(ipmiBootJobKind({ pairs: scancorePairs, run: runCommand, timeoutMs: config.scancore.scan.commandTimeoutMs }));
  // Cluster operations: the pairs' state from their nodes' reports, node actions (power through
  // the BMCs of the watched pairs, configured or from applied manifests, run by Striker).
  const bmcOf = bmcFromScancorePairs(scancorePairs);
  jobKinds.push(nodePowerJobKind({ bmcOf, run: runCommand, timeoutMs: config.scancore.scan.commandTimeoutMs }));
  plugins.push((app, catalog) => clusterRoutes(app, { db, catalog: () => catalog, bmcOf, now: () => systemClock().getTime(), staleAfterMs: config.scancore.readings.staleAfterSeconds * 1000 }));
  plugins.push((app) => scancoreHostRoutes(app, { db, config: config.scancore, pairs: scancorePairs }));
  let scancoreCatalog: JobCatalog | undefined;
  const scancore = new ScancoreService({
    db, config: config.scancore, clock: systemClock, logger, run: runCommand,
    act: actOnDecisions(db, () => scancoreCatalog!),
    pairs: scancorePairs,
    alerts: { raise: (a) => alerts.raise(a), clear: (a) => alerts.clear(a) },
  });
  starts.push(async (catalog) => {
    scancoreCatalog = catalog;
    if (config.scancore.pairs.length > 0 || config.scancore.pairsFromManifests) scancore.start();
  });
  stops.push(() => scancore.stop());

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
  // The configuration file's `pxe:` section, with the settings saved in the UI laid over it; PXE
  // restarts in process when they change. Saved settings that no longer start (the interface is
  // gone) leave PXE off and say so in /api/health rather than keeping Striker from starting.
  const pxeHttpUrlOf = (pxeAt: { httpUrl?: string | undefined; address?: string | undefined }) =>
    pxeHttpUrl({ ...config, pxe: { ...config.pxe, httpUrl: pxeAt.httpUrl, address: pxeAt.address } });
  const pxeSettings = { db, base: config.pxe, httpUrl: pxeHttpUrlOf, interfaces: () => listHostInterfaces(runCommand) };
  const pxeDeps = {
    dataDir: resolve(config.dataDir),
    logger: pxeLog,
    timeline: bootTimeline,
    httpUrl: (c: PxeConfig) => pxeHttpUrlOf(c),
    facts: dbBootFacts(db, (machine) => kickstart.bootKickstart(machine.mac)),
    kickstartPath: (hostId: string) => kickstart.kickstartPath(hostId),
    lookup: reservationCache,
    onLeaseChange: leaseMirror.onLeaseChange,
  };
  const savedPxe = await loadPxeSettings(db);
  let pxeProblem: string | undefined;
  let pxe: PxeRuntime;
  if (savedPxe === undefined) pxe = await PxeRuntime.start(pxeDeps, config.pxe);
  else {
    try {
      pxe = await PxeRuntime.start(pxeDeps, effectivePxeConfig(pxeSettings, savedPxe));
    } catch (error) {
      pxeProblem = `the saved PXE settings (${savedPxe.interface}, ${savedPxe.address}) could not start, so PXE is off: ${error instanceof Error ? error.message : String(error)}`;
      pxeLog.error({ err: error, iface: savedPxe.interface }, 'the saved PXE settings could not start; PXE is off');
      pxe = await PxeRuntime.start(pxeDeps, { ...config.pxe, enabled: false });
    }
  }
  // Listeners stop first, then what they write to.
  stops.push(() => pxe.close());
  plugins.push(async (app) => {
    await app.register(pxe.plugin());
  });
  plugins.push((app) => pxeSettingsRoutes(app, {
    ...pxeSettings,
    running: () => pxe.config,
    apply: async (c) => {
      await pxe.apply(c);
      pxeProblem = undefined;
    },
  }));
  // A reserved address must be on the network machines boot on: PXE's subnet, else the wizard's BCN.
  const checkReservedIp = reservedIpCheck(db, () => pxe.config);
  plugins.push((app) => machineRoutes(app, { db, pxe, onMachineChanged: () => void reservationCache.reload(), checkReservedIp }));

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
  // A peer's lag and connection write no row: sampled, and announced on the live channel when they change.
  const peerSampler = peerStatusSampler(peers.deps, db, logger.child({ component: 'peer-status' }));
  starts.push(async () => peerSampler.start());
  stops.push(() => peerSampler.stop());

  // Fence agents from their own metadata (the wizard's fence device forms and the manifest's fence
  // parameter check), installed in /usr/sbin by fence-agents on Debian and EL; read at start (the
  // first start runs every agent, later ones read the disk cache).
  const fenceAgents = installedFenceAgents(config.dataDir, {
    log: logger.child({ component: 'fence-agents' }),
    onLoadError: (error) => logger.warn({ err: error }, 'could not read the installed fence agents'),
  });
  plugins.push((app) => fenceAgentRoutes(app, { catalog: fenceAgents.catalog }));
  starts.push(async () => {
    void fenceAgents.ready();
  });

  // Install manifests: the node pairs, their secrets sealed with the site key. Running one: the job
  // graph per pair, and manifest.check on Striker's runner (it opens the manifest's secrets with
  // the site key when it runs; no job holds them).
  const manifestKeys = siteKeys(config.dataDir);
  plugins.push((app) => manifestRoutes(app, { db, keys: manifestKeys, fenceParameters: fenceAgents.check, fenceAgentsReady: fenceAgents.ready }));
  jobKinds.push(manifestCheckJobKind({
    db,
    openSecrets: (id) => openManifestSecrets({ db, keys: manifestKeys }, id),
    run: runCommand,
    agentStaleSeconds: config.jobs.staleAfterSeconds,
    probeTimeoutMs: 30_000,
  }));
  plugins.push((app) => manifestRunRoutes(app, { db }));
  // Cluster formation: a subnode's agent fetches its join plan (corosync.conf, the pair's authkey
  // made once and sealed, node1's fencing CIB with the manifest's passwords) while its job runs.
  plugins.push((app) => joinPlanRoutes(app, { db, keys: manifestKeys }));
  // Alerts: recipients, SMTP relays, de-bounced e-mails sent as jobs, the history.
  const alerts = alertsArea({ db, keys: siteKeys(config.dataDir), clock: systemClock, settings: config.scancore.alerts, renderer: renderer(), logger: logger.child({ component: 'alerts' }) });
  jobKinds.push(...alerts.jobKinds);
  plugins.push((app) => alerts.plugin(app));
  starts.push(async () => alerts.start());
  stops.push(() => alerts.stop());

  // Servers on the pairs: the API, and provisioning as a Striker job that drives the nodes' agents.
  jobKinds.push(serverCreateJobKind({ db, config: config.servers, isoWaits: isoFetchWaits(config.files) }));
  plugins.push((app, catalog) => serversRoutes(app, { db, catalog, files: config.files }));
  // Version 1 of a server provisioned before Striker kept definitions (migration 0047) gets its normalised hash.
  starts.push(async () => {
    const fixed = await normaliseVersionOneHashes(db);
    if (fixed.length > 0) logger.info({ servers: fixed }, 'normalised the hash of version 1 of server definitions recovered from provisioning jobs');
  });
  // The DR host of each pair: link, protection per server, the API.
  plugins.push((app) => drRoutes(app, { db, servers: config.servers }));
  // Boot-sync-shutdown: a cycle job per scheduled time of the links this Striker owns.
  jobKinds.push(drCycleJobKind({ db, run: runCommand, bmcOf: drBmcFromManifests({ db, keys: siteKeys(config.dataDir) }), commandTimeoutMs: config.scancore.scan.commandTimeoutMs }));
  starts.push(async (catalog) => {
    const drSchedule = new DrScheduler(db, catalog, logger.child({ component: 'dr-schedule' }));
    drSchedule.start();
    stops.push(() => drSchedule.stop());
  });

  // Files synced to hosts: uploads kept under <dataDir>/files, fetched by the hosts' agents; every
  // Striker pulls the bytes it lacks from a peer that holds them.
  const filesDir = join(resolve(config.dataDir), 'files');
  const filePeers = {
    links: () => peerCallLinks(peers.deps),
    authenticate: async (headers: Record<string, string | string[] | undefined>) => (await authenticatePeer(peers.deps, headers)).id,
  };
  plugins.push((app) => filesRoutes(app, { db, dir: filesDir, config: config.files, freeBytes: mediaFreeBytes, peers: filePeers }));
  const fileCopies = new FileCopyKeeper({
    db,
    dir: filesDir,
    peers: filePeers,
    ...(deps.live ? { changes: deps.live } : {}),
    logger: logger.child({ component: 'file-copies' }),
    freeBytes: mediaFreeBytes,
    sweepMs: config.files.copySweepSeconds * 1000,
    retryAfterMs: config.files.copyRetrySeconds * 1000,
  });
  starts.push(async () => fileCopies.start());
  stops.push(() => fileCopies.stop());

  // Striker identity (first-run wizard) and the web UI.
  const configureKind = configureJobKind({ db, manage: config.host.manage, applier: systemHostApplier(runCommand) });
  jobKinds.push(configureKind);
  plugins.push((app) => setupIdentityRoutes(app, { db, configureKind, manage: config.host.manage }));

  // The dashboard's setup checklist: each step read by the area that owns it.
  const manifestCount = deps.manifestCount ?? (async () => (await listManifests(db)).length);
  const steps: StepSources = {
    media: () => mediaSetupStep(db),
    repos: () => repoSyncSetupStep(db),
    'root-password': () => rootPasswordSetupStep(db),
    pxe: async () => (pxe.status().enabled === true
      ? { done: true, detail: `PXE answers on ${String(pxe.status().interface)}.` }
      : { done: false, detail: 'PXE boot services are off: no machine can boot from this Striker.' }),
    machines: () => machinesSetupStep(db),
    manifest: async () => {
      const n = await manifestCount();
      return n > 0 ? { done: true, detail: `${n} install manifest${n === 1 ? '' : 's'}.` } : { done: false, detail: 'No install manifest describes a pair yet.' };
    },
  };
  plugins.push((app) => setupChecklistRoutes(app, steps));

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
    problems: () => [
      ...(ownRepo.message === undefined ? [] : [{ source: 'repos.striker', message: ownRepo.message }]),
      ...(pxeProblem === undefined ? [] : [{ source: 'pxe', message: pxeProblem }]),
    ],
  };
}
