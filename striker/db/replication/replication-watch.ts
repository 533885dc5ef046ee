/**
 * Runs beside `striker serve`: shares conflicts as soon as an apply worker records one (NOTIFY on
 * `striker_replication`), and every `everyMs` also refreshes subscriptions (a peer's new tables)
 * and logs a change of the schema-behind state.
 */
import type { Logger } from 'pino';
import type { Database, DbListener } from '../database.js';
import { shareConflicts } from './conflict-store.js';
import { REPLICATION_CHANNEL } from './names.js';
import { refreshSubscriptions } from './replication.js';
import { readReplicationStatus } from './status-store.js';

export class ReplicationWatch {
  private listener: DbListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private behindShown = '';
  private stopped = false;

  constructor(private readonly db: Database, private readonly logger: Logger, private readonly everyMs = 15_000) {}

  async start(): Promise<void> {
    await this.listen();
    this.timer = setInterval(() => this.queue(() => this.tick()), this.everyMs);
    this.timer.unref();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.listener?.close();
    return this.running;
  }

  private async listen(): Promise<void> {
    this.listener = await this.db.listen(
      REPLICATION_CHANNEL,
      () => this.queue(() => this.share()),
      (error) => {
        this.logger.warn({ err: error }, 'replication listener lost; listening again');
        if (!this.stopped) setTimeout(() => void this.listen().catch((e: unknown) => this.logger.warn({ err: e }, 'could not listen for replication events')), 1000).unref();
      },
    );
  }

  private queue(work: () => Promise<void>): void {
    if (this.stopped) return;
    this.running = this.running.then(work).catch((error: unknown) => this.logger.warn({ err: error }, 'replication watch step failed'));
  }

  private async share(): Promise<void> {
    const n = await shareConflicts(this.db);
    if (n > 0) this.logger.warn({ conflicts: n }, 'replication conflicts resolved and recorded');
  }

  private async tick(): Promise<void> {
    await this.share();
    await refreshSubscriptions(this.db, { onlyWhenChanged: true });
    const status = await readReplicationStatus(this.db, { probePeers: true });
    const shown = JSON.stringify(status.schemaBehind);
    if (shown !== this.behindShown) {
      this.behindShown = shown;
      for (const b of status.schemaBehind) {
        this.logger.error({ peer: b.peer, peerVersion: b.peerVersion, localVersion: b.localVersion },
          `schema behind: ${b.peer} is at migration ${b.peerVersion}, this Striker at ${b.localVersion}; changes from ${b.peer} are held until this Striker is upgraded`);
      }
    }
  }
}
