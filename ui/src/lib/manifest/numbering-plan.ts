/**
 * Addresses offered before anyone types, in the manner of Anvil!'s numbering: every pair takes its
 * own block of each network and every host a fixed place in it, so the tech can accept them as
 * they are and override any one.
 *
 * - The pair's block is the third octet `10 × sequence` (pair 1 → x.x.10.x, pair 2 → x.x.20.x) on
 *   networks of /16 or wider, and the offset `10 × sequence` inside a narrower one.
 * - In the block, node 1 is .1, node 2 is .2 and the DR host .3.
 * - The IPMI BMCs sit on the back-channel one block up (x.x.11.1 for node 1 of pair 1).
 *
 * Pure: text in, text out; an address that does not fit the subnet is left empty for the tech.
 */
import type { HostSlot, NetworkKind } from './manifest-types';

export const hostSlots: readonly HostSlot[] = ['node1', 'node2', 'dr'];
const hostNumber: Record<HostSlot, number> = { node1: 1, node2: 2, dr: 3 };

/** Anvil!'s default subnets; the internet-facing one is the site's (the Striker's own IFN when it has one). */
export const defaultSubnets: Record<Exclude<NetworkKind, 'ifn'>, string> = {
  bcn: '10.201.0.0/16',
  sn: '10.101.0.0/16',
  mn: '10.199.0.0/16',
};

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = value * 256 + Number(p);
  }
  return value;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** `10.201.0.0/16` → its network number and length, or undefined when it is not a subnet. */
export function parseSubnet(text: string): { network: number; length: number } | undefined {
  const [address, len, extra] = text.trim().split('/');
  if (address === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const network = parseIpv4(address);
  const length = Number(len);
  if (network === undefined || length > 32) return undefined;
  const size = 2 ** (32 - length);
  if (network % size !== 0) return undefined;
  return { network, length };
}

/** The host's address on a network of this subnet for pair `sequence`, or '' when it does not fit. */
export function planAddress(subnet: string, sequence: number, slot: HostSlot, block = 0): string {
  const s = parseSubnet(subnet);
  if (!s || !Number.isInteger(sequence) || sequence < 1 || sequence > 24) return '';
  const size = 2 ** (32 - s.length);
  const offset = s.length <= 16 ? (10 * sequence + block) * 256 + hostNumber[slot] : 10 * sequence + block * 5 + hostNumber[slot];
  if (offset >= size - 1) return '';
  return formatIpv4(s.network + offset);
}

/** The IPMI BMC's address: the back-channel, one block above the host's. */
export function planIpmiAddress(bcnSubnet: string, sequence: number, slot: HostSlot): string {
  return planAddress(bcnSubnet, sequence, slot, 1);
}
