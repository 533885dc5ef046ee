/**
 * Default subnets and addresses in the style of Anvil!, which the wizard pre-fills and the user
 * may override field by field. Pure.
 *
 * Subnets (a /16 per network, as Anvil! and the Striker's own setup use them):
 *   bcn<i> 10.(200+i).0.0/16 — bcn1 is 10.201.0.0/16
 *   sn<i>  10.(100+i).0.0/16 — sn1 is 10.101.0.0/16
 *   mn<i>  10.(198+i).0.0/16 — mn1 is 10.199.0.0/16
 *   ifn<i> none: the internet-facing network is the site's own.
 *
 * Host addresses: each pair owns the block of 256 addresses numbered `sequence × 10` inside the
 * subnet (the third octet of a /16: pair 1 → x.x.10.y, pair 2 → x.x.20.y), and each host its host
 * number in the block: node1 → 1, node2 → 2, dr → 3. So an-a01n01 is 10.201.10.1 on the BCN,
 * an-a02n02 is 10.101.20.2 on the SN. The BMCs (IPMI) sit on the first BCN in the next block,
 * `sequence × 10 + 1`: an-a01n01's BMC is 10.201.11.1. Strikers keep x.x.4.<n> (setup's plan).
 *
 * Where a subnet is too small for that block (shorter than 256 × (sequence × 10 + 2) addresses),
 * the block shrinks to ten addresses: offset `sequence × 10 + host number` (10.201.4.0/24, pair 1 →
 * .11, .12, .13; BMCs from `sequence × 10 + 4`). Where even that does not fit, there is no default
 * and the field starts empty.
 */
import { formatIpv4, isHostAddress, parseCidr } from '../core/net/ipv4.js';
import type { HostKey, NetworkKind } from './manifest-schema.js';

export const hostNumbers: Record<HostKey, number> = { node1: 1, node2: 2, dr: 3 };

const subnetBase: Record<Exclude<NetworkKind, 'ifn'>, number> = { bcn: 200, sn: 100, mn: 198 };

/** The default subnet of a network (`bcn1` → 10.201.0.0/16), or undefined for an IFN. */
export function defaultSubnet(kind: NetworkKind, index: number): string | undefined {
  if (kind === 'ifn') return undefined;
  return `10.${subnetBase[kind] + index}.0.0/16`;
}

/** A host's default address in `subnet` for pair `sequence`, or undefined when the plan does not fit. */
export function defaultHostAddress(subnet: string, sequence: number, host: HostKey): string | undefined {
  return addressAt(subnet, sequence, hostNumbers[host], 0);
}

/** A host's default BMC address in the first BCN's `subnet`, or undefined when the plan does not fit. */
export function defaultIpmiAddress(bcnSubnet: string, sequence: number, host: HostKey): string | undefined {
  return addressAt(bcnSubnet, sequence, hostNumbers[host], 1);
}

function addressAt(subnet: string, sequence: number, hostNumber: number, block: number): string | undefined {
  const prefix = parseCidr(subnet);
  if (prefix === undefined) return undefined;
  const size = prefix.broadcast - prefix.network + 1;
  const candidates = [(sequence * 10 + block) * 256 + hostNumber, sequence * 10 + block * 3 + hostNumber];
  for (const offset of candidates) {
    if (offset >= size) continue;
    const address = prefix.network + offset;
    if (isHostAddress(prefix, address)) return formatIpv4(address);
  }
  return undefined;
}

export interface NetworkRef {
  kind: NetworkKind;
  index: number;
  subnet: string;
}

/** Default addresses of `host` on every network (key → address), leaving out those without a default. */
export function defaultAddresses(networks: readonly NetworkRef[], sequence: number, host: HostKey): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of networks) {
    const address = defaultHostAddress(n.subnet, sequence, host);
    if (address !== undefined) out[`${n.kind}${n.index}`] = address;
  }
  return out;
}
