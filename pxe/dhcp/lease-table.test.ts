import { describe, expect, it } from 'vitest';
import { LeaseTable } from './lease-table.js';
import { runExchanges } from '../../test/support/dhcp-exchanges.js';

/**
 * A lease table that counts the addresses it is asked about (each pool probe is one), and
 * stops a run that probes more than `limit` of them (a pool walked from its start each time
 * would take billions of probes to fill 100,000 leases).
 */
class CountingLeaseTable extends LeaseTable {
  probes = 0;
  limit = Infinity;

  override isFreeFor(ip: number, clientKey: string, now: number): boolean {
    if (++this.probes > this.limit) throw new Error(`more than ${this.limit} addresses probed`);
    return super.isFreeFor(ip, clientKey, now);
  }
}

/** Runs `count` DISCOVER+REQUEST exchanges for clients starting at `from`; returns the addresses probed. */
function dora(leases: CountingLeaseTable, from: number, count: number): number {
  const before = leases.probes;
  leases.limit = before + 10 * count;
  runExchanges(leases, from, count);
  return leases.probes - before;
}

describe('LeaseTable at scale', () => {
  // Timings of the same exchanges: test/bench/dhcp/lease-table-bench.ts.
  it('an exchange probes as few pool addresses at 100,000 leases as at 1,000', () => {
    const small = new CountingLeaseTable();
    dora(small, 0, 1_000);
    const atSmall = dora(small, 2_000_000, 1_000);
    const big = new CountingLeaseTable();
    dora(big, 0, 100_000);
    expect(big.size).toBe(100_000);
    const atBig = dora(big, 2_000_000, 1_000);
    expect(atBig).toBe(atSmall);
    // One probe for the offer, one for the requested address: no pool is walked from its start.
    expect(atBig).toBe(2 * 1_000);
  }, 60_000);
});
