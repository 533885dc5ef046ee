/**
 * IPv4 addresses as unsigned 32-bit numbers (network order value, e.g. 10.0.0.1 = 0x0a000001).
 * Numbers keep the lease table small and comparisons cheap; strings appear only at the edges
 * (config, logs, dumps, the API).
 */

/** `10.0.0.1` → 0x0a000001, or `undefined` when `text` is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Netmask for a prefix length: 24 → 0xffffff00. */
export function prefixToMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export interface Ipv4Cidr {
  network: number;
  prefix: number;
  mask: number;
  broadcast: number;
}

/** `10.0.0.0/24` → network, prefix, mask, broadcast; `undefined` when malformed or host bits are set. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const network = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (network === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  const mask = prefixToMask(prefix);
  if ((network & mask) >>> 0 !== network) return undefined;
  return { network, prefix, mask, broadcast: (network | ~mask) >>> 0 };
}

export function cidrContains(cidr: Ipv4Cidr, address: number): boolean {
  return ((address & cidr.mask) >>> 0) === cidr.network;
}

/** Lower-case colon-separated hardware address, e.g. `52:54:00:12:34:56`. */
export function formatMac(bytes: Uint8Array, length = bytes.length): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const b = bytes[i] ?? 0;
    out += (i === 0 ? '' : ':') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return out;
}

/** `52:54:00:12:34:56` (or with `-`) → normalised lower-case colon form, or `undefined`. */
export function normalizeMac(text: string): string | undefined {
  const m = /^([0-9a-fA-F]{2})([:-]?)([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/.exec(text);
  if (m === null) return undefined;
  return [m[1], m[3], m[4], m[5], m[6], m[7]].join(':').toLowerCase();
}
