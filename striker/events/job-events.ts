/**
 * Live job changes from PostgreSQL NOTIFY (trigger `jobs_notify`), fetched once per change and
 * fanned out to subscribers (the SSE route, the runner's cancel check). Works across processes:
 * a job changed by an agent or another Striker process is seen too.
 *
 * Order: a job has at most one fetch in flight. Fetches on different pool connections can finish
 * out of order, and an older snapshot delivered last would move a live page backwards (progress
 * 25 then 0). A change announced while a fetch is in flight marks the job to be fetched once more
 * when it ends, so every burst of changes ends with a read of the latest row, and changes in
 * between are coalesced.
 */
import type { Logger } from 'pino';
import type { Database, DbListener } from '../db/database.js';
import { getJob } from '../jobs/job-store.js';
import type { Job } from '../jobs/job.js';

export type JobListener = (job: Job) => void;

export class JobEvents {
  private listener: DbListener | undefined;
  private readonly listeners = new Set<JobListener>();
  /** Jobs being fetched → whether another change arrived since that fetch began. */
  private readonly fetching = new Map<string, boolean>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database, private readonly logger: Logger) {}

  async start(): Promise<void> {
    let listener: DbListener | undefined;
    listener = await this.db.listen(
      'striker_jobs',
      (payload) => void this.onNotification(payload),
      (error) => {
        if (listener === undefined || this.listener !== listener) return; // not started, closed or replaced
        this.logger.warn({ err: error }, 'job event connection lost; reconnecting');
        this.listener = undefined;
        this.scheduleReconnect();
      },
    );
    if (this.closed) listener.close();
    else this.listener = listener;
  }

  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  get connected(): boolean {
    return this.listener !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    const l = this.listener;
    this.listener = undefined;
    l?.close();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.start().catch(() => this.scheduleReconnect());
    }, 1000);
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
