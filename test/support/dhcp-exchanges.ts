/**
 * A DHCP workload for the lease table: one /14 pool, synthetic clients numbered `n`, and full
 * DISCOVER+REQUEST exchanges through the pure `decide()`. Used by pxe/dhcp/lease-table.test.ts
 * (counting probed addresses) and test/bench/dhcp/lease-table-bench.ts (timing the same runs).
 */
import { parseDhcpConfig } from '../../pxe/dhcp/config.js';
import { decide } from '../../pxe/dhcp/decide.js';
import type { LeaseTable } from '../../pxe/dhcp/lease-table.js';
import { MessageType } from '../../pxe/dhcp/option-codes.js';
import { u32Bytes } from '../../pxe/dhcp/option-values.js';
import type { DhcpOption, DhcpPacket } from '../../pxe/dhcp/packet.js';
import { compileDhcpConfig } from '../../pxe/dhcp/subnets.js';

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

/** Runs `count` DISCOVER+REQUEST exchanges for clients `from`…`from + count - 1`, applying every change; throws unless each is ACKed. */
export function runExchanges(leases: LeaseTable, from: number, count: number): void {
  for (let n = from; n < from + count; n++) {
    const arrival = { now: 1_000, port: 'server' as const, source: { address: 0, port: 68 }, reservation: undefined };
    const offer = decide({ plan, leases }, { ...arrival, packet: message(MessageType.DHCPDISCOVER, n) });
    for (const c of offer.changes) leases.apply(c);
    const ack = decide({ plan, leases }, { ...arrival, packet: message(MessageType.DHCPREQUEST, n, offer.reply!.packet.yiaddr) });
    if (ack.reply?.packet.options[0]?.data[0] !== MessageType.DHCPACK) throw new Error(`client ${n} not ACKed`);
    for (const c of ack.changes) leases.apply(c);
  }
}
