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
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { getJob } from '../jobs/job-store.js';
import type { Job } from '../jobs/job.js';

export type JobListener = (job: Job) => void;

export class JobEvents {
  private client: pg.PoolClient | undefined;
  private readonly listeners = new Set<JobListener>();
  /** Jobs being fetched → whether another change arrived since that fetch began. */
  private readonly fetching = new Map<string, boolean>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database, private readonly logger: Logger) {}

  async start(): Promise<void> {
    const client = await this.db.connect();
    client.on('notification', (msg) => void this.onNotification(msg.payload));
    client.on('error', (error) => {
      if (this.client !== client) return; // already closed or replaced
      this.logger.warn({ err: error }, 'job event connection lost; reconnecting');
      this.client = undefined;
      client.release(error);
      this.scheduleReconnect();
    });
    await client.query('LISTEN striker_jobs');
    this.client = client;
  }

  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    const c = this.client;
    this.client = undefined;
    if (c) {
      // Destroy rather than pool a connection that was listening; its error handler now ignores it.
      c.release(true);
    }
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
