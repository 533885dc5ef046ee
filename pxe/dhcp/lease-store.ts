/**
 * Where leases live across restarts. The server commits a batch of changes and sends its ACKs
 * only when `commit` resolves, so an ACKed lease is always on disk.
 */
import type { Lease, LeaseChange } from './lease.js';

export interface LeaseStore {
  /** Every lease persisted so far (latest state per address), read once at start. */
  load(): Promise<Lease[]>;
  /** Resolves when `changes` are durable. Offers are not persisted; stores may ignore them. */
  commit(changes: readonly LeaseChange[]): Promise<void>;
  close(): Promise<void>;
}

/** Keeps leases in memory only: for tests and for a server that may forget on restart. */
export class MemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<number, Lease>();
  commits = 0;

  async load(): Promise<Lease[]> {
    return [...this.leases.values()];
  }

  async commit(changes: readonly LeaseChange[]): Promise<void> {
    this.commits++;
    for (const c of changes) if (c.kind !== 'offer') this.leases.set(c.lease.ip, c.lease);
  }

  async close(): Promise<void> {}
}
