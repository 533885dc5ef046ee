/**
 * Enqueues `repo.sync` for repos whose schedule is due, and the store's garbage collection once a
 * day. One check a minute; a repo that already has a sync queued or running is left alone.
 */
import type { Logger } from 'pino';
import { systemActor } from '../striker/audit/audit-store.js';
import type { Database } from '../striker/db/database.js';
import { enqueueJob } from '../striker/jobs/enqueue.js';
import type { JobCatalog } from '../striker/jobs/job-kind.js';
import { kindActivity } from '../striker/jobs/job-store.js';
import { nextRun } from './schedule.js';
import { listRepos, syncActivity } from './repo-store.js';

export class RepoScheduler {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database, private readonly catalog: JobCatalog, private readonly logger: Logger, private readonly everyMs = 60_000) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(new Date()), this.everyMs);
  }

  /** Once a day, when no collection is waiting or running. */
  private async garbageCollectionDue(now: Date): Promise<boolean> {
    const r = await kindActivity(this.db, 'repo.collect-garbage');
    return !r.busy && (r.last === null || now.getTime() - r.last.getTime() >= 24 * 3600_000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Enqueues the syncs due at `now`; returns the repos it enqueued. */
  async tick(now: Date): Promise<string[]> {
    const enqueued: string[] = [];
    try {
      const repos = await listRepos(this.db);
      const byName = new Map((await syncActivity(this.db)).map((r) => [r.name, r]));
      for (const repo of repos) {
        if (!repo.config.enabled || repo.config.schedule.kind === 'manual') continue;
        const prior = byName.get(repo.name);
        if (prior?.busy) continue;
        // A repo on an interval that never synced is due at once; a cron one waits for its time.
        const due =
          prior === undefined && repo.config.schedule.kind === 'interval'
            ? now
            : nextRun(repo.config.schedule, prior?.last ?? new Date(now.getTime() - 60_000), prior?.last);
        if (due === undefined || due.getTime() > now.getTime()) continue;
        await enqueueJob(this.db, this.catalog, { kind: 'repo.sync', payload: { name: repo.name }, createdBy: systemActor.userId });
        enqueued.push(repo.name);
      }
      if (await this.garbageCollectionDue(now)) {
        await enqueueJob(this.db, this.catalog, { kind: 'repo.collect-garbage', payload: {} });
        enqueued.push('(store garbage collection)');
      }
      if (enqueued.length > 0) this.logger.info({ repos: enqueued }, 'scheduled repo jobs enqueued');
    } catch (error) {
      this.logger.warn({ err: error }, 'repo schedule check failed');
    }
    return enqueued;
  }
}
