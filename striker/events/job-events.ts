/**
 * Live job changes from PostgreSQL NOTIFY `striker_jobs` (trigger `jobs_notify`, on every change
 * of a job row, progress included), fetched once per change and fanned out to subscribers (the
 * live channel's `jobs` topic, the runner's cancel check, the agents' long poll). Works across
 * processes: a job changed by an agent or another Striker process is seen too. The LISTEN is the
 * process's shared NotifyListener when one is given (else one of its own), which reconnects.
 *
 * Order: a job has at most one fetch in flight. Fetches on different pool connections can finish
 * out of order, and an older snapshot delivered last would move a live page backwards (progress
 * 25 then 0). A change announced while a fetch is in flight marks the job to be fetched once more
 * when it ends, so every burst of changes ends with a read of the latest row, and changes in
 * between are coalesced.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { getJob } from '../jobs/job-store.js';
import type { Job } from '../jobs/job.js';
import { NotifyListener } from './notify-listener.js';

export const JOBS_CHANNEL = 'striker_jobs';

export type JobListener = (job: Job) => void;

export class JobEvents {
  private readonly notify: NotifyListener;
  private readonly ownsNotify: boolean;
  private stopListening: (() => void) | undefined;
  private readonly listeners = new Set<JobListener>();
  /** Jobs being fetched → whether another change arrived since that fetch began. */
  private readonly fetching = new Map<string, boolean>();
  private closed = false;

  constructor(private readonly db: Database, private readonly logger: Logger, notify?: NotifyListener) {
    this.ownsNotify = notify === undefined;
    this.notify = notify ?? new NotifyListener(db, logger, [JOBS_CHANNEL]);
  }

  async start(): Promise<void> {
    if (this.closed) return;
    this.stopListening ??= this.notify.on(JOBS_CHANNEL, (payload) => void this.onNotification(payload));
    await this.notify.start();
  }

  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  get connected(): boolean {
    return this.notify.connected;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.stopListening?.();
    if (this.ownsNotify) await this.notify.close();
  }

  private async onNotification(payload: string | undefined): Promise<void> {
    if (payload === undefined || this.listeners.size === 0) return;
    let id: unknown;
    try {
      id = (JSON.parse(payload) as { id?: unknown }).id;
    } catch {
      return;
    }
    if (typeof id !== 'string') return;
    if (this.fetching.has(id)) {
      this.fetching.set(id, true);
      return;
    }
    try {
      do {
        this.fetching.set(id, false);
        await this.deliver(id);
      } while (this.fetching.get(id) === true && !this.closed);
    } finally {
      this.fetching.delete(id);
    }
  }

  private async deliver(id: string): Promise<void> {
    try {
      const job = await getJob(this.db, id);
      for (const l of this.listeners) l(job);
    } catch (error) {
      this.logger.debug({ err: error, jobId: id }, 'job vanished before it could be read');
    }
  }
}
