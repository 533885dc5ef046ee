/**
 * Mirrors DHCP lease changes into PostgreSQL (`dhcp_leases`) so the API, the CLI
 * (`striker leases`) and other tools see them. The lease journal on disk stays the source of
 * truth; this copy is written in batches off the packet path and may lag by a moment.
 */
import type { Logger } from 'pino';
import type { DbWriter } from '../db/database.js';
import type { LeaseChange } from '../../pxe/index.js';
import { upsertLeases } from './lease-store.js';

export class LeaseMirror {
  private pending = new Map<number, LeaseChange>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  readonly stats = { changes: 0, written: 0, failedBatches: 0 };

  constructor(private readonly db: DbWriter, private readonly logger: Logger, private readonly flushMs = 250) {}

  /** The DHCP server's `onLeaseChange` listener. Only the latest change per address is kept. */
  readonly onLeaseChange = (change: LeaseChange): void => {
    if (change.kind === 'offer') return;
    this.stats.changes++;
    this.pending.set(change.lease.ip, change);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  };

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.write(batch).finally(() => (this.writing = undefined));
    await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async write(batch: LeaseChange[]): Promise<void> {
    try {
      await upsertLeases(this.db, batch.map((c) => c.lease));
      this.stats.written += batch.length;
    } catch (error) {
      this.stats.failedBatches++;
      this.logger.warn({ err: error, leases: batch.length }, 'DHCP leases could not be mirrored to the database');
    }
  }
}
