/**
 * Lease table benchmark (run by hand: `node --import tsx test/bench/dhcp/lease-table-bench.ts`).
 * Times 10,000 DISCOVER+REQUEST exchanges through the pure `decide()` against a lease table
 * holding 6,000 leases (16,000 at the end) and one holding 100,000, and prints both and their ratio
 * (lookups are hash-map lookups and allocation walks each pool with a cursor, so the time per
 * exchange should not grow in proportion to the table). The unit test pxe/dhcp/lease-table.test.ts checks the same property by
 * counting probed addresses instead of timing.
 */
import { LeaseTable } from '../../../pxe/dhcp/lease-table.js';
import { runExchanges } from '../../support/dhcp-exchanges.js';

/** Runs `count` DISCOVER+REQUEST exchanges for clients starting at `from`; returns ms. */
function dora(leases: LeaseTable, from: number, count: number): number {
  const started = performance.now();
  runExchanges(leases, from, count);
  return performance.now() - started;
}

const small = new LeaseTable();
dora(small, 0, 1_000);
dora(small, 1_000_000, 5_000); // warms up the JIT
const smallSize = small.size;
const atSmall = dora(small, 2_000_000, 10_000);
const big = new LeaseTable();
dora(big, 0, 100_000);
const bigSize = big.size;
const atBig = dora(big, 2_000_000, 10_000);
const line = (size: number, ms: number): string =>
  `  from ${size.toLocaleString('en')} leases: ${ms.toFixed(0)} ms (${((ms * 1000) / 10_000).toFixed(1)} µs per exchange)`;
console.log('10,000 DISCOVER+REQUEST exchanges in decide():');
console.log(line(smallSize, atSmall));
console.log(line(bigSize, atBig));
console.log(`  ratio: ${(atBig / atSmall).toFixed(2)}`);
