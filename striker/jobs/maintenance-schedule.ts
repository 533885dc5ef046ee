/**
 * Runs `maintenance.purge` on its own: once per `everyHours` (checked hourly), when none is queued
 * or running, with the configured retention. This is what keeps sessions, finished jobs, history
 * and the areas' logs (boot events) bounded by age without an operator.
 */
import type { Logger } from 'pino';
import { systemActor } from '../audit/audit-store.js';
import type { Database } from '../db/database.js';
import { enqueueJob } from './enqueue.js';
import type { JobCatalog } from './job-kind.js';
import { kindActivity } from './job-store.js';

export interface MaintenanceScheduleOptions {
  /** Hours between purges. */
  everyHours: number;
  /** The purge's retention in days. */
  keepDays: number;
  /** How often to check whether a purge is due (default: an hour). */
  checkEveryMs?: number;
}

export class MaintenanceSchedule {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly catalog: JobCatalog,
    private readonly logger: Logger,
    private readonly options: MaintenanceScheduleOptions,
  ) {}

  /** Checks periodically, the first time one check interval after start (start-up stays quiet). */
  start(): void {
    this.timer = setInterval(() => void this.tick(new Date()), this.options.checkEveryMs ?? 3600_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Enqueues a purge when one is due at `now`; returns whether it did. */
  async tick(now: Date): Promise<boolean> {
    try {
      const activity = await kindActivity(this.db, 'maintenance.purge');
      if (activity.busy) return false;
      if (activity.last !== null && now.getTime() - activity.last.getTime() < this.options.everyHours * 3600_000) return false;
      await enqueueJob(this.db, this.catalog, { kind: 'maintenance.purge', payload: { keepDays: this.options.keepDays }, createdBy: systemActor.userId });
      this.logger.info({ keepDays: this.options.keepDays }, 'maintenance purge enqueued');
      return true;
    } catch (error) {
      this.logger.warn({ err: error }, 'maintenance schedule check failed');
      return false;
    }
  }
}
