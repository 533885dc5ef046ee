/**
 * IPv4 addresses and prefixes (RFC 791 §3.2 addressing, RFC 4632 §3.1 prefix notation), as
 * plain numbers so containment and network math stay exact. Pure: no sockets.
 */

/** Parses dotted-quad `a.b.c.d` (no leading zeros, each 0–255); undefined when malformed. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface Ipv4Prefix {
  network: number;
  length: number;
}

/** Parses `a.b.c.d/len` where the host bits are zero (RFC 4632 §3.1); undefined when malformed. */
export function parseIpv4Prefix(text: string): Ipv4Prefix | undefined {
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (!match) return undefined;
  const network = parseIpv4(match[1]!);
  const length = Number(match[2]);
  if (network === undefined || length < 1 || length > 30) return undefined;
  if (network % hostCount(length) !== 0) return undefined;
  return { network, length };
}

function hostCount(length: number): number {
  return 2 ** (32 - length);
}

export function prefixContains(prefix: Ipv4Prefix, address: number): boolean {
  return address >= prefix.network && address < prefix.network + hostCount(prefix.length);
}

/** True for an address that may be given to a host: not the network nor the broadcast address. */
export function isHostAddress(prefix: Ipv4Prefix, address: number): boolean {
  return prefixContains(prefix, address) && address !== prefix.network && address !== prefix.network + hostCount(prefix.length) - 1;
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return prefixContains(a, b.network) || prefixContains(b, a.network);
}

export function formatPrefix(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.network)}/${prefix.length}`;
}
