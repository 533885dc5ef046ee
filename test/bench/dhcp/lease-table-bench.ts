/**
 * Lease table benchmark (run by hand: `node --import tsx test/bench/dhcp/lease-table-bench.ts`).
 * Times 10,000 DISCOVER+REQUEST exchanges through the pure `decide()` against a lease table
 * holding 6,000 leases (16,000 at the end) and one holding 100,000, and prints both and their ratio
 * (lookups are hash-map lookups and allocation walks each pool with a cursor, so the time per
 * exchange should not grow in proportion to the table). The unit test pxe/dhcp/lease-table.test.ts checks the same property by
 * counting probed addresses instead of timing.
 */
import { parseDhcpConfig } from '../../../pxe/dhcp/config.js';
import { decide } from '../../../pxe/dhcp/decide.js';
import { LeaseTable } from '../../../pxe/dhcp/lease-table.js';
import { MessageType } from '../../../pxe/dhcp/option-codes.js';
import { u32Bytes } from '../../../pxe/dhcp/option-values.js';
import type { DhcpOption, DhcpPacket } from '../../../pxe/dhcp/packet.js';
import { compileDhcpConfig } from '../../../pxe/dhcp/subnets.js';

const plan = compileDhcpConfig(parseDhcpConfig({
  interfaces: ['s0'], serverAddress: '10.76.0.1',
  subnets: [{ cidr: '10.76.0.0/14', pools: [{ start: '10.76.1.0', end: '10.79.254.254' }] }],
}));

function message(type: number, n: number, requested?: number): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([2, 0, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const options: DhcpOption[] = [{ code: 53, data: Uint8Array.of(type) }];
  if (requested !== undefined) options.push({ code: 50, data: u32Bytes(requested) }, { code: 54, data: u32Bytes(plan.server) });
  return { op: 1, htype: 1, hlen: 6, hops: 0, xid: n, secs: 0, flags: 0, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0, chaddr, sname: '', file: '', options };
}

/** Runs `count` DISCOVER+REQUEST exchanges for clients starting at `from`; returns ms. */
function dora(leases: LeaseTable, from: number, count: number): number {
  const started = performance.now();
  for (let n = from; n < from + count; n++) {
    const arrival = { now: 1_000, port: 'server' as const, source: { address: 0, port: 68 }, reservation: undefined };
    const offer = decide({ plan, leases }, { ...arrival, packet: message(MessageType.DHCPDISCOVER, n) });
    for (const c of offer.changes) leases.apply(c);
    const ack = decide({ plan, leases }, { ...arrival, packet: message(MessageType.DHCPREQUEST, n, offer.reply!.packet.yiaddr) });
    if (ack.reply?.packet.options[0]?.data[0] !== MessageType.DHCPACK) throw new Error(`client ${n} not ACKed`);
    for (const c of ack.changes) leases.apply(c);
  }
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
