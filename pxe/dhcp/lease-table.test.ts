import { describe, expect, it } from 'vitest';
import { parseDhcpConfig } from './config.js';
import { decide } from './decide.js';
import { LeaseTable } from './lease-table.js';
import { MessageType } from './option-codes.js';
import { u32Bytes } from './option-values.js';
import type { DhcpOption, DhcpPacket } from './packet.js';
import { compileDhcpConfig } from './subnets.js';

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
  for (let n = from; n < from + count; n++) {
    const arrival = { now: 1_000, port: 'server' as const, source: { address: 0, port: 68 }, reservation: undefined };
    const offer = decide({ plan, leases }, { ...arrival, packet: message(MessageType.DHCPDISCOVER, n) });
    for (const c of offer.changes) leases.apply(c);
    const ack = decide({ plan, leases }, { ...arrival, packet: message(MessageType.DHCPREQUEST, n, offer.reply!.packet.yiaddr) });
    if (ack.reply?.packet.options[0]?.data[0] !== MessageType.DHCPACK) throw new Error(`client ${n} not ACKed`);
    for (const c of ack.changes) leases.apply(c);
  }
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
