/**
 * `striker serve`: one process with the database, the job runner and the HTTP app. `stop()` is
 * the graceful path SIGTERM takes: stop listening, let jobs reach a checkpoint (or mark them
 * interrupted), close the database, stop the embedded PostgreSQL, release the data directory.
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../http/build-app.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { PasswordHasher } from '../auth/password-hasher.js';
import { HostAllowList } from '../http/host-allow-list.js';
import { publicHostNames } from './config/public-host-names.js';
import type { StrikerConfig } from './config/schema.js';
import { migrate } from '../db/migrate.js';
import { prepareReplication, ReplicationWatch } from '../db/replication/index.js';
import { JobEvents, JOBS_CHANNEL } from '../events/job-events.js';
import { LiveEvents, LIVE_CHANNEL } from '../events/live-events.js';
import { NotifyListener } from '../events/notify-listener.js';
import { JobRunner } from '../jobs/job-runner.js';
import { MaintenanceSchedule } from '../jobs/maintenance-schedule.js';
import { buildJobCatalog } from './job-catalog.js';
import { openDatabase } from './open-database.js';
import { areaPlugins } from './areas.js';

export interface RunningStriker {
  url: string;
  app: FastifyInstance;
  runner: JobRunner;
  stop(): Promise<void>;
}

export async function serve(config: Readonly<StrikerConfig>, logger: Logger, version: string): Promise<RunningStriker> {
  const opened = await openDatabase(config, logger, 'serve');
  const cleanups: (() => Promise<void>)[] = [() => opened.close()];
  const undo = async () => {
    for (const c of cleanups.reverse()) await c().catch((error: unknown) => logger.error({ err: error }, 'cleanup failed'));
  };
  try {
    const { db } = opened;
    await migrate(db, logger.child({ component: 'migrate' }));
    // Replication starts right after migrations, before anything writes: the conflict rules are
    // attached and the publication holds this schema's tables before the first change is made, and
    // this Striker's schema version is recorded before any row of a new shape can reach a peer.
    let watch: ReplicationWatch | undefined;
    if (config.database.replication.enabled) {
      const replicationLog = logger.child({ component: 'replication' });
      await prepareReplication(db, { logger: replicationLog, ...(config.database.replication.nodeName ? { nodeName: config.database.replication.nodeName } : {}) });
      const started = new ReplicationWatch(db, replicationLog);
      await started.start();
      watch = started;
      cleanups.push(() => started.stop());
    }
    // One LISTEN connection for the job events and the live channel.
    const notify = new NotifyListener(db, logger.child({ component: 'notify' }), [JOBS_CHANNEL, LIVE_CHANNEL]);
    cleanups.push(() => notify.close());
    const events = new JobEvents(db, logger.child({ component: 'job-events' }), notify);
    await events.start();
    cleanups.push(() => events.close());
    const live = new LiveEvents(db, logger.child({ component: 'live-events' }), notify);
    await live.start();
    cleanups.push(() => live.close());
    const areas = await areaPlugins({ config, db, logger, events, live });
    cleanups.push(() => areas.stop());
    const catalog = buildJobCatalog(db, areas.jobKinds);
    const runner = new JobRunner({
      db,
      catalog,
      logger: logger.child({ component: 'jobs' }),
      host: hostname(),
      workers: config.jobs.workers,
      pollSeconds: config.jobs.pollSeconds,
      heartbeatSeconds: config.jobs.heartbeatSeconds,
      staleAfterSeconds: config.jobs.staleAfterSeconds,
    });
    events.subscribe((job) => {
      if (job.status === 'queued' && job.targetHost === null) void runner.poke();
      else if (job.status === 'running' && job.cancelRequested) void runner.checkCancellations();
    });
    const app = await buildApp({
      db,
      config,
      logger,
      catalog,
      runner,
      events,
      live,
      version,
      throttle: new LoginThrottle({
        attempts: config.auth.loginAttempts,
        windowMs: config.auth.loginWindowSeconds * 1000,
        slowdownAfter: config.auth.loginSlowdownAfter,
        slowdownMaxMs: config.auth.loginSlowdownMaxSeconds * 1000,
      }),
      hasher: new PasswordHasher({ concurrency: config.auth.hashConcurrency, queue: config.auth.hashQueue }),
      hosts: new HostAllowList(publicHostNames(config)),
      problems: () => areas.problems(),
      agentCredentials: areas.agentCredentials,
      healthSections: areas.healthSections,
      hostJobKinds: areas.hostJobKinds,
      plugins: areas.plugins.map((plugin) => (app: FastifyInstance) => plugin(app, catalog)),
    });
    cleanups.push(() => app.close());
    await runner.start();
    cleanups.push(() => runner.stop(config.jobs.shutdownGraceSeconds * 1000));
    await areas.start(catalog);
    const maintenance = config.jobs.purgeEveryHours > 0
      ? new MaintenanceSchedule(db, catalog, logger.child({ component: 'maintenance' }), { everyHours: config.jobs.purgeEveryHours, keepDays: config.jobs.keepDays })
      : undefined;
    maintenance?.start();
    cleanups.push(async () => maintenance?.stop());
    await app.listen({ host: config.http.host, port: config.http.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const shownHost = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
    const url = config.http.publicUrl ?? `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/`;
    areas.listening(url);
    logger.info({ url, host: config.http.host, port }, 'Striker is listening');
    let stopping: Promise<void> | undefined;
    return {
      url,
      app,
      runner,
      stop: () => {
        stopping ??= (async () => {
          logger.info('stopping');
          // Listeners first (app.close, in the order they were added, reversed), then jobs, events, database.
          maintenance?.stop();
          await app.close();
          await runner.stop(config.jobs.shutdownGraceSeconds * 1000);
          await events.close();
          await live.close();
          // The shared LISTEN connection holds a pool client: the pool cannot end while it is open.
          await notify.close();
          await areas.stop();
          await watch?.stop();
          await opened.close();
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await undo();
    throw error;
  }
}
