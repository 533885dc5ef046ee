/**
 * The in-memory lease table: leases by address and by client, and address allocation from
 * pools. Lookups are hash-map lookups, so they do not slow down as the table grows; allocation
 * walks each pool with a cursor, so a busy pool is not rescanned from its start each time.
 */
import type { Lease, LeaseChange } from './lease.js';
import { holdsAddress } from './lease.js';

export interface PoolRange {
  start: number;
  end: number;
}

export class LeaseTable {
  private readonly byIp = new Map<number, Lease>();
  private readonly byClient = new Map<string, Lease>();
  private readonly cursors = new Map<PoolRange, number>();

  get size(): number {
    return this.byIp.size;
  }

  byAddress(ip: number): Lease | undefined {
    return this.byIp.get(ip);
  }

  forClient(clientKey: string): Lease | undefined {
    return this.byClient.get(clientKey);
  }

  all(): IterableIterator<Lease> {
    return this.byIp.values();
  }

  /** True when `clientKey` may be given `ip` at `now`: nobody else holds it. */
  isFreeFor(ip: number, clientKey: string, now: number): boolean {
    const lease = this.byIp.get(ip);
    if (lease === undefined || !holdsAddress(lease, now)) return true;
    // A declined address stays quarantined even for the client that declined it (RFC 2131 §3.1 step 5).
    return lease.clientKey === clientKey && lease.state !== 'declined';
  }

  /**
   * The next address in `pools` nobody holds and `excluded` does not claim, or `undefined` when
   * the pools are full. Walks from where the last allocation in each pool stopped.
   */
  allocate(pools: readonly PoolRange[], clientKey: string, now: number, excluded: (ip: number) => boolean): number | undefined {
    for (const pool of pools) {
      const size = pool.end - pool.start + 1;
      let cursor = this.cursors.get(pool) ?? pool.start;
      for (let step = 0; step < size; step++) {
        const ip = cursor;
        cursor = cursor >= pool.end ? pool.start : cursor + 1;
        if (this.isFreeFor(ip, clientKey, now) && !excluded(ip)) {
          this.cursors.set(pool, cursor);
          return ip;
        }
      }
      this.cursors.set(pool, cursor);
    }
    return undefined;
  }

  apply(change: LeaseChange): void {
    const lease = change.lease;
    const previousForClient = this.byClient.get(lease.clientKey);
    if (
      previousForClient !== undefined &&
      previousForClient.ip !== lease.ip &&
      previousForClient.state !== 'declined' &&
      this.byIp.get(previousForClient.ip) === previousForClient
    ) {
      // The client moved to another address: its old one goes back to the pool (a quarantine stays).
      this.byIp.delete(previousForClient.ip);
    }
    const previousAtIp = this.byIp.get(lease.ip);
    if (previousAtIp !== undefined && previousAtIp.clientKey !== lease.clientKey && this.byClient.get(previousAtIp.clientKey) === previousAtIp) {
      this.byClient.delete(previousAtIp.clientKey);
    }
    this.byIp.set(lease.ip, lease);
    this.byClient.set(lease.clientKey, lease);
  }

  /** Drops leases that hold nothing any more (expired offers, old releases); returns how many. */
  sweep(now: number, keepExpiredMs: number): number {
    let removed = 0;
    for (const [ip, lease] of this.byIp) {
      if (lease.expiresAt + keepExpiredMs < now || (lease.state === 'offered' && lease.expiresAt < now)) {
        this.byIp.delete(ip);
        if (this.byClient.get(lease.clientKey) === lease) this.byClient.delete(lease.clientKey);
        removed++;
      }
    }
    return removed;
  }
}
