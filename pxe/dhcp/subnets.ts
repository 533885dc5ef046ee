/**
 * The validated config turned into what the lease engine works with: numeric subnets and pools,
 * and each subnet's reply options (RFC 2132 §3, §8) encoded once, not per packet.
 */
import type { FirmwareTable } from '../boot/firmware-table.js';
import type { DhcpConfig } from './config.js';
import { parseCidr, parseIpv4, prefixContains, type Ipv4Prefix } from '../../striker/core/net/ipv4.js';
import type { PoolRange } from './lease-table.js';
import { Opt } from './option-codes.js';
import { encodeDomainSearch, ipListBytes, textBytes, u32Bytes } from './option-values.js';
import type { DhcpOption } from './packet.js';

export interface Subnet {
  cidr: Ipv4Prefix;
  text: string;
  pools: PoolRange[];
  leaseTime: number;
  renewTime: number;
  rebindTime: number;
  /** Options every reply on this subnet carries, already encoded. */
  options: DhcpOption[];
}

export interface StaticReservation {
  ip: number;
  hostname?: string;
}

export interface DhcpPlan {
  mode: 'full' | 'proxy';
  server: number;
  /** Every address that identifies this server (option 54): serverAddress and the interfaces' own addresses. */
  ownAddresses: Set<number>;
  subnets: Subnet[];
  reservations: Map<string, StaticReservation>;
  reservedIps: Set<number>;
  offerHoldMs: number;
  quarantineMs: number;
  boot: FirmwareTable;
  ports: { server: number; client: number; proxy: number };
}

function ip(text: string): number {
  return parseIpv4(text) ?? 0;
}

export function compileDhcpConfig(config: DhcpConfig): DhcpPlan {
  const subnets = config.subnets.map((s): Subnet => {
    const cidr = parseCidr(s.cidr);
    if (cidr === undefined) throw new Error(`unvalidated config: ${s.cidr}`);
    const options: DhcpOption[] = [{ code: Opt.SubnetMask, data: u32Bytes(cidr.mask) }];
    if (s.router !== undefined) options.push({ code: Opt.Router, data: u32Bytes(ip(s.router)) });
    if (s.dns.length > 0) options.push({ code: Opt.DomainNameServer, data: ipListBytes(s.dns.map(ip)) });
    if (s.domain !== undefined) options.push({ code: Opt.DomainName, data: textBytes(s.domain) });
    options.push({ code: Opt.BroadcastAddress, data: u32Bytes(cidr.broadcast) });
    if (s.ntp.length > 0) options.push({ code: Opt.NtpServers, data: ipListBytes(s.ntp.map(ip)) });
    if (s.domainSearch.length > 0) options.push({ code: Opt.DomainSearch, data: encodeDomainSearch(s.domainSearch) });
    for (const custom of s.options) {
      const data =
        custom.text !== undefined ? textBytes(custom.text) : custom.hex !== undefined ? new Uint8Array(Buffer.from(custom.hex, 'hex')) : ipListBytes((custom.ips ?? []).map(ip));
      const existing = options.findIndex((o) => o.code === custom.code);
      if (existing >= 0) options.splice(existing, 1);
      options.push({ code: custom.code, data });
    }
    return {
      cidr,
      text: s.cidr,
      pools: s.pools.map((p) => ({ start: ip(p.start), end: ip(p.end) })),
      leaseTime: s.leaseTime,
      renewTime: s.renewTime ?? Math.floor(s.leaseTime / 2),
      rebindTime: s.rebindTime ?? Math.floor((s.leaseTime * 7) / 8),
      options,
    };
  });
  const reservations = new Map<string, StaticReservation>();
  for (const r of config.reservations) {
    const entry: StaticReservation = { ip: ip(r.ip) };
    if (r.hostname !== undefined) entry.hostname = r.hostname;
    reservations.set(r.mac, entry);
  }
  return {
    mode: config.mode,
    server: ip(config.serverAddress),
    ownAddresses: new Set([ip(config.serverAddress)]),
    subnets,
    reservations,
    reservedIps: new Set([...reservations.values()].map((r) => r.ip)),
    offerHoldMs: config.offerHoldSeconds * 1000,
    quarantineMs: config.declineQuarantineSeconds * 1000,
    boot: config.boot,
    ports: config.ports,
  };
}

export function subnetContaining(plan: DhcpPlan, address: number): Subnet | undefined {
  for (const subnet of plan.subnets) if (prefixContains(subnet.cidr, address)) return subnet;
  return undefined;
}

export function inPool(subnet: Subnet, address: number): boolean {
  for (const p of subnet.pools) if (address >= p.start && address <= p.end) return true;
  return false;
}
