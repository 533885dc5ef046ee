/**
 * Mirrors DHCP lease changes into PostgreSQL (`dhcp_leases`) so the API, the CLI
 * (`striker leases`) and other tools see them. The lease journal on disk stays the source of
 * truth; this copy is written in batches off the packet path and may lag by a moment.
 */
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/database.js';
import { formatIpv4 } from '../core/net/ipv4.js';
import type { LeaseChange, LeaseView } from '../../pxe/index.js';

export class LeaseMirror {
  private pending = new Map<number, LeaseChange>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  readonly stats = { changes: 0, written: 0, failedBatches: 0 };

  constructor(private readonly db: Database, private readonly logger: Logger, private readonly flushMs = 250) {}

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
    const leases = batch.map((c) => c.lease);
    try {
      await this.db.query(
        `INSERT INTO dhcp_leases (ip, mac, client_key, state, expires_at, hostname)
         SELECT * FROM unnest($1::inet[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
         ON CONFLICT (ip) DO UPDATE SET mac = EXCLUDED.mac, client_key = EXCLUDED.client_key, state = EXCLUDED.state,
           expires_at = EXCLUDED.expires_at, hostname = EXCLUDED.hostname`,
        [
          leases.map((l) => formatIpv4(l.ip)),
          leases.map((l) => l.mac),
          leases.map((l) => l.clientKey.replace(/\u0000/g, '')),
          leases.map((l) => l.state),
          leases.map((l) => new Date(l.expiresAt)),
          leases.map((l) => l.hostname?.replace(/\u0000/g, '') ?? null),
        ],
      );
      this.stats.written += batch.length;
    } catch (error) {
      this.stats.failedBatches++;
      this.logger.warn({ err: error, leases: batch.length }, 'DHCP leases could not be mirrored to the database');
    }
  }
}

/** Leases as the database last saw them (for the CLI, which has no DHCP server in process). */
export async function storedLeases(q: Queryable): Promise<LeaseView[]> {
  const { rows } = await q.query<LeaseView>(
    `SELECT host(ip) AS ip, mac, client_key AS "clientKey", state, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt", hostname
       FROM dhcp_leases ORDER BY ip`,
  );
  return rows;
}
