/**
 * Kickstarts in `striker serve`: kickstart's own routes (`/ks/…`: the kickstart, install events,
 * failure reports, registration) backed by the database, the `kickstart.check` job kind, the API
 * routes, and the install timeout (install-timeout.ts).
 * The URL-signing key lives at `<dataDir>/keys/kickstart.key` and the SSH key pair hosts trust for
 * root at `<dataDir>/keys/ssh/id_ed25519` (both created on first start).
 */
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { runCommand, type CommandRunner } from '../striker/core/command/run-command.js';
import type { Database } from '../striker/db/database.js';
import type { JobCatalog, JobKindDefinition } from '../striker/jobs/job-kind.js';
import { DbTimeline } from '../striker/machines/index.js';
import { createKickstartCounters, kickstartPath, kickstartRoutes, type KickstartCounters } from './ks-routes.js';
import { kickstartConfigSchema } from './config.js';
import { loadOrCreateSigningKey } from './signing-key.js';
import { loadOrCreateSshKey, sshKeyFilesIn } from './ssh-key.js';
import { repoPaths } from '../repo-sync/index.js';
import { kickstartCheckJobKind } from './check-jobs.js';
import { hostIdOf } from './host-id.js';
import { DbHostLookup, leaseMacOf, markInstallFailed } from './host-store.js';
import { InstallTimeout } from './install-timeout.js';
import { registerHost, type RegisteredHook } from './actions.js';
import { buildHostDraft, loadHostFacts, loadSharedFacts, type DraftPlace } from './host-drafts.js';
import { CoalescedLoad } from './coalesced-load.js';
import { kickstartApiRoutes } from './kickstart-api-routes.js';
import { RequestHostTimeline } from './request-timeline.js';
import { ServedKickstartTokens } from './token-store.js';
import { loadCheck, statusOf } from './check-store.js';
import type { BootKickstart } from '../pxe/index.js';
import type { CheckDeps } from './run-check.js';
import { systemClock, type Clock } from '../striker/core/clock.js';

/** The parts of Striker's configuration this area reads (StrikerConfig fits). */
export interface KickstartAreaConfig {
  dataDir: string;
  http: { port: number; publicUrl?: string | undefined };
  repos?: { reposDir?: string | undefined; treesDir?: string | undefined };
  kickstart?: unknown;
}

export interface KickstartAreaDeps {
  config: Readonly<KickstartAreaConfig>;
  db: Database;
  logger: Logger;
  /** Defaults to config.dataDir. */
  dataDir?: string;
  run?: CommandRunner;
  now?: Clock;
  /**
   * Makes the registration's answer, the host's agent-credentials.json (the app hands in the
   * agent area's credential issuing), in the transaction that spends the host's one-time token:
   * if it fails, the token stays usable. Without it the answer is `{hostId, mac}`.
   */
  onRegistered?: RegisteredHook;
  /** Called when a registration is refused (a replayed, expired or forged token), for the audit log. */
  onRegistrationRefused?: (hostId: string, peerIp: string, reason: string) => Promise<void>;
}

export interface KickstartArea {
  plugins: ((app: FastifyInstance, catalog: JobCatalog) => Promise<void>)[];
  jobKinds: JobKindDefinition[];
  counters: KickstartCounters;
  timeline: DbTimeline;
  /**
   * For PXE boot configs: `inst.ks=` URL for a machine (signed, expiring, no query string), or
   * undefined when its kickstart cannot be built yet.
   */
  bootUrl(mac: string): Promise<string | undefined>;
  /** What PXE needs to plan a machine's boot: its host id and check status; undefined when its kickstart cannot be built yet. */
  bootKickstart(mac: string): Promise<BootKickstart | undefined>;
  /** The signed kickstart path for a host id (valid for the configured lifetime from now). */
  kickstartPath(hostId: string): string;
  stop(): Promise<void>;
}

/** Where hosts reach this Striker and where its repos and trees are on disk. */
export function draftPlaceOf(config: Readonly<KickstartAreaConfig>, dataDir: string): DraftPlace {
  const paths = repoPaths(resolve(dataDir));
  return {
    publicUrl: config.http.publicUrl,
    httpPort: config.http.port,
    reposDir: config.repos?.reposDir ?? paths.published,
    treesDir: config.repos?.treesDir ?? paths.trees,
    sshPublicKeyFile: sshKeyFilesIn(sshKeyDirOf(dataDir)).publicKeyFile,
    rootPasswordLogin: kickstartConfigSchema.parse(config.kickstart ?? {}).rootPasswordLogin,
    otherStrikerUrls: kickstartConfigSchema.parse(config.kickstart ?? {}).otherStrikerUrls,
  };
}

/** Where the Striker's SSH key pair lives. */
function sshKeyDirOf(dataDir: string): string {
  return join(resolve(dataDir), 'keys', 'ssh');
}

/** Check dependencies shared by the job kind and the CLI. */
export function checkDepsOf(deps: Omit<KickstartAreaDeps, 'logger'>): CheckDeps {
  const dataDir = resolve(deps.dataDir ?? deps.config.dataDir);
  return {
    db: deps.db,
    run: deps.run ?? runCommand,
    place: draftPlaceOf(deps.config, dataDir),
    config: kickstartConfigSchema.parse(deps.config.kickstart ?? {}),
    scratchDir: join(dataDir, 'tmp', 'kickstart-check'),
    ...(deps.now === undefined ? {} : { now: deps.now }),
  };
}

export async function kickstartArea(deps: KickstartAreaDeps): Promise<KickstartArea> {
  const dataDir = resolve(deps.dataDir ?? deps.config.dataDir);
  const check = checkDepsOf({ ...deps, dataDir });
  const log = deps.logger.child({ component: 'kickstart' });
  const signingKey = await loadOrCreateSigningKey(join(dataDir, 'keys', 'kickstart.key'));
  await loadOrCreateSshKey(check.run, sshKeyDirOf(dataDir));
  const counters = createKickstartCounters();
  const timeline = new DbTimeline({ db: deps.db, logger: log });
  const hostTimeline = new RequestHostTimeline(timeline);
  const now = deps.now ?? systemClock;
  // Kickstart and boot-script requests from a rack powering on share one load of the facts common to all machines.
  const sharedLoad = new CoalescedLoad(() => loadSharedFacts(deps.db, check.place));
  const installTimeout = new InstallTimeout({ db: deps.db, timeline, minutes: check.config.installTimeoutMinutes, log, now });
  installTimeout.start();
  const shared = () => sharedLoad.get();

  const plugins: KickstartArea['plugins'] = [
    async (app) => {
      await app.register(async (scope) => {
        hostTimeline.install(scope);
        await scope.register(kickstartRoutes({
          hosts: new DbHostLookup(deps.db, check.place, log, shared),
          // Storing a served kickstart's token also marks its machine installing; concurrent requests' writes are one statement.
          tokens: new ServedKickstartTokens(deps.db),
          timeline: hostTimeline,
          signingKey,
          config: check.config,
          log,
          counters,
          peerMac: (ip) => leaseMacOf(deps.db, ip),
          register: (hostId, tokenHash, peerIp, at) => registerHost(deps.db, { hostId, tokenHash, peerIp, now: at }, deps.onRegistered),
          onFailed: (report) => markInstallFailed(deps.db, report.hostId, report.tokenHash, report.reason),
          ...(deps.onRegistrationRefused === undefined ? {} : { onRegistrationRefused: deps.onRegistrationRefused }),
          now,
        }));
      });
    },
    async (app, catalog) => {
      kickstartApiRoutes(app, { db: deps.db, catalog, place: check.place, run: check.run });
    },
  ];

  return {
    plugins,
    jobKinds: [kickstartCheckJobKind(check)],
    counters,
    timeline,
    bootUrl: async (mac) => {
      const draft = buildHostDraft(await loadHostFacts(deps.db, mac, check.place, shared), check.place);
      if (!draft.ok) return undefined;
      return `${draft.draft.strikerUrl}${kickstartPath(signingKey, hostIdOf(mac), now(), check.config.urlTtlSeconds)}`;
    },
    bootKickstart: async (mac) => {
      const [facts, stored] = await Promise.all([loadHostFacts(deps.db, mac, check.place, shared), loadCheck(deps.db, mac)]);
      const draft = buildHostDraft(facts, check.place);
      const status = statusOf(draft, stored);
      if (status.status === 'incomplete') return undefined;
      const kernelArgs = facts.settings.kernelArgs;
      // The installer boots from the kickstart's own tree (unless the PXE configuration names one).
      const tree = draft.ok ? { tree: { ...draft.installer, stage2: true } } : {};
      if (status.status === 'ready') return { hostId: status.hostId, check: { status: 'ready' }, ...tree, ...(kernelArgs.length === 0 ? {} : { kernelArgs }) };
      if (status.status === 'failed') return { hostId: status.hostId, check: { status: 'failed', problems: status.problems.map((p) => p.message) } };
      return { hostId: status.hostId, check: { status: 'unchecked' } };
    },
    kickstartPath: (hostId) => kickstartPath(signingKey, hostId, now(), check.config.urlTtlSeconds),
    stop: async () => {
      await installTimeout.stop();
      await timeline.close();
    },
  };
}
