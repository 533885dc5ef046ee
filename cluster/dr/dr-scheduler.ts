/**
 * The boot-sync-shutdown schedule, one per Striker: every `checkEveryMs` it reads the links this
 * Striker owns (`owner_node`, stamped when the link was stored) in boot-sync-shutdown mode and,
 * for each whose croner schedule fired since the last look, enqueues a `dr.cycle` job — unless a
 * cycle of that pair is still queued or running. The job is owned by this Striker too, and only a
 * job's owner claims it, so a cycle never runs on two Strikers at once; another Striker shows it.
 */
import type { Logger } from 'pino';
import { nextRun } from '../../repo-sync/index.js';
import { systemActor } from '../../striker/audit/audit-store.js';
import type { Database } from '../../striker/db/database.js';
import { enqueueJob } from '../../striker/jobs/enqueue.js';
import type { JobCatalog } from '../../striker/jobs/job-kind.js';
import { listJobs } from '../../striker/jobs/job-store.js';
import { drCycleKind } from './dr-cycle.js';
import { ownScheduledLinks } from './dr-store.js';

export interface DrSchedulerOptions {
  checkEveryMs?: number;
  /** Passed to each cycle's payload. */
  cycle?: { bootTimeoutSeconds?: number; syncTimeoutSeconds?: number; pollSeconds?: number };
}

export class DrScheduler {
  private timer: NodeJS.Timeout | undefined;
  private lastLook: Date | undefined;

  constructor(
    private readonly db: Database,
    private readonly catalog: JobCatalog,
    private readonly logger: Logger,
    private readonly options: DrSchedulerOptions = {},
  ) {}

  start(now: () => Date = () => new Date()): void {
    this.lastLook = now();
    this.timer = setInterval(() => void this.tick(now()), this.options.checkEveryMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Enqueues the cycles due between the last look and `now`; returns the pairs it enqueued for. */
  async tick(now: Date): Promise<string[]> {
    const since = this.lastLook ?? now;
    this.lastLook = now;
    const enqueued: string[] = [];
    try {
      const links = await ownScheduledLinks(this.db);
      if (links.length === 0) return enqueued;
      const open = [...(await listJobs(this.db, { kind: drCycleKind, status: 'queued', limit: 500 })), ...(await listJobs(this.db, { kind: drCycleKind, status: 'running', limit: 500 }))];
      for (const link of links) {
        const due = nextRun({ kind: 'cron', expression: link.schedule! }, since);
        if (due === undefined || due.getTime() > now.getTime()) continue;
        if (open.some((j) => j.subject === link.anvil)) {
          this.logger.warn({ anvil: link.anvil, slot: due.toISOString() }, 'DR cycle due while the previous one still runs: skipped');
          continue;
        }
        const payload = { anvil: link.anvil, slot: due.toISOString(), ...this.options.cycle };
        await enqueueJob(this.db, this.catalog, { kind: drCycleKind, payload, createdBy: systemActor.userId });
        this.logger.info({ anvil: link.anvil, slot: payload.slot }, 'DR cycle enqueued');
        enqueued.push(link.anvil);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'DR schedule check failed');
    }
    return enqueued;
  }
}
