/**
 * IPv4 addresses (RFC 791 §3.2) and prefixes in CIDR notation (RFC 4632 §3.1), held as unsigned
 * 32-bit numbers (10.0.0.1 = 0x0a000001) so containment, masks and comparisons are exact and
 * cheap; text appears only at the edges (config, API, logs, dumps). Pure: no sockets.
 *
 * The one rule for an address in text: a dotted quad, four decimal octets 0–255 separated by
 * `.`, with no leading zeros (`0` itself is fine) and nothing else — no whitespace, no sign, no
 * hex, no shortened forms like `10.1`. RFC 6943 §3.1.1 explains why: inet_aton(3) reads
 * `010.0.0.1` as octal (8.0.0.1) and `10.1` as 10.0.0.1, while other parsers read `010` as ten,
 * so a leading zero has no single meaning; refusing it leaves exactly one. A consequence used
 * throughout: an accepted text is its own canonical form, `formatIpv4(parseIpv4(s)) === s`, so
 * validated addresses can be compared as strings.
 *
 * A prefix is `address/length` with the address by the rule above and the length a decimal
 * 0–32 without leading zeros. Its host bits must be zero (RFC 4632 §3.1): `10.201.4.1/16` is
 * refused, not masked to 10.201.0.0/16, because it is almost always an interface address typed
 * where a subnet was asked for, and silently widening it to a network would hide that mistake;
 * `cidrProblem` names the network the operator probably meant.
 */
import { z } from 'zod';

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** `10.0.0.1` → 0x0a000001, or undefined when `text` breaks the rule above. No regex, no allocation. */
export function parseIpv4(text: string): number | undefined {
  const end = text.length;
  if (end < 7 || end > 15) return undefined;
  return parseIpv4Range(text, 0, end);
}

/** Whether `text` is an IPv4 address by the one rule. */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

function parseIpv4Range(text: string, start: number, end: number): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else if (c >= ZERO && c <= NINE) {
      if (digits > 0 && octet === 0) return undefined; // a leading zero
      octet = octet * 10 + (c - ZERO);
      if (octet > 255) return undefined;
      digits++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

/**
 * Whether `name` ends in an all-digit label (`010.0.0.1`, `10.1`, `host.42`). RFC 1123 §2.1: a
 * host name never does, since its top-level label is alphabetic; resolvers hand such a name to
 * inet_aton(3), which reads it as an address in its own way. A field that takes "a host name or an
 * IPv4 address" therefore accepts it only when it passes `parseIpv4`.
 */
export function endsInNumericLabel(name: string): boolean {
  let i = name.length - 1;
  if (i < 0 || name.charCodeAt(i) === DOT) return false;
  for (; i >= 0; i--) {
    const c = name.charCodeAt(i);
    if (c === DOT) return true;
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

/** 0x0a000001 → `10.0.0.1`. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** A network prefix: its first address, length, netmask and last (broadcast) address. */
export interface Ipv4Prefix {
  readonly network: number;
  readonly length: number;
  readonly mask: number;
  readonly broadcast: number;
}

/** Netmask for a prefix length: 24 → 0xffffff00, 0 → 0. */
export function prefixToMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** The prefix of `length` bits holding `address` (host bits cleared). */
export function prefixOf(address: number, length: number): Ipv4Prefix {
  const mask = prefixToMask(length);
  const network = (address & mask) >>> 0;
  return { network, length, mask, broadcast: (network | ~mask) >>> 0 };
}

/** `10.201.0.0/16` → the prefix, or undefined when malformed or host bits are set (see the rule above). */
export function parseCidr(text: string): Ipv4Prefix | undefined {
  const parsed = parseInterfaceAddress(text);
  return parsed !== undefined && parsed.address === parsed.prefix.network ? parsed.prefix : undefined;
}

/**
 * An interface address with its prefix length, as `ip addr` and nmcli write it (`10.201.4.1/16`):
 * the same text rule as a CIDR prefix, host bits allowed, since they are the point here.
 */
export function parseInterfaceAddress(text: string): { address: number; prefix: Ipv4Prefix } | undefined {
  const parts = splitCidr(text);
  return parts === undefined ? undefined : { address: parts.address, prefix: prefixOf(parts.address, parts.length) };
}

/**
 * Why `text` is not a CIDR prefix, as the tail of a problem message ("must be … — got …"), or
 * undefined when it is one. Host bits set get the network they would make.
 */
export function cidrProblem(text: string): string | undefined {
  const parsed = parseInterfaceAddress(text);
  if (parsed === undefined) return 'must be a CIDR like 10.201.0.0/16 (dotted quad without leading zeros, / and a length 0–32)';
  if (parsed.address !== parsed.prefix.network) return `must be a CIDR like 10.201.0.0/16 with no host bits (the network is ${formatCidr(parsed.prefix)})`;
  return undefined;
}

function splitCidr(text: string): { address: number; length: number } | undefined {
  const slash = text.indexOf('/');
  if (slash < 7 || slash > 15) return undefined;
  const address = parseIpv4Range(text, 0, slash);
  if (address === undefined) return undefined;
  const digits = text.length - slash - 1;
  if (digits < 1 || digits > 2) return undefined;
  let length = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE || (c === ZERO && i === slash + 1 && digits > 1)) return undefined;
    length = length * 10 + (c - ZERO);
  }
  return length > 32 ? undefined : { address, length };
}

export function formatCidr(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.network)}/${prefix.length}`;
}

export function prefixContains(prefix: Ipv4Prefix, address: number): boolean {
  return ((address & prefix.mask) >>> 0) === prefix.network;
}

/**
 * Whether `address` may be given to a host in `prefix`: inside it and neither its network nor its
 * broadcast address. In a /31 both addresses are hosts (RFC 3021 §2.1), and a /32 is one host.
 */
export function isHostAddress(prefix: Ipv4Prefix, address: number): boolean {
  if (!prefixContains(prefix, address)) return false;
  return prefix.length >= 31 || (address !== prefix.network && address !== prefix.broadcast);
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return prefixContains(a, b.network) || prefixContains(b, a.network);
}

/** zod: an IPv4 address by the one rule; the text is kept (it is already canonical). */
export const ipv4Schema = z.string().refine(isIpv4, 'must be an IPv4 address like 10.201.4.1');

/** zod: a CIDR prefix with zero host bits; the text is kept (it is already canonical). */
export const cidrSchema = z.string().superRefine((text, ctx) => {
  const problem = cidrProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
