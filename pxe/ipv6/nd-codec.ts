/**
 * Neighbor Discovery router messages (RFC 4861 §4.1, §4.2, §4.6): Router Solicitation (type 133)
 * and Router Advertisement (type 134) as ICMPv6 bodies, the way a raw ICMPv6 socket hands them
 * over and takes them (no IPv6 header; the kernel fills in and checks the checksum). Pure.
 *
 * Decoding checks what RFC 4861 §6.1 asks of a receiver that the socket cannot: code 0, the
 * minimum length, and options whose length is not zero and fits. Options Striker does not use are
 * kept as raw type + bytes.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import { formatMac } from '../../striker/core/net/mac.js';

export const ND_ROUTER_SOLICIT = 133;
export const ND_ROUTER_ADVERT = 134;
/** Option types (RFC 4861 §4.6). */
const OPT_SOURCE_LINK_ADDRESS = 1;
const OPT_PREFIX_INFORMATION = 3;
const OPT_MTU = 5;

export interface PrefixInformation {
  /** e.g. `fd00:77::` */
  prefix: string;
  length: number;
  onLink: boolean;
  autonomous: boolean;
  validLifetime: number;
  preferredLifetime: number;
}

export interface RouterAdvertisement {
  kind: 'advertisement';
  curHopLimit: number;
  /** M: addresses from DHCPv6. */
  managed: boolean;
  /** O: other configuration from DHCPv6. */
  other: boolean;
  /** Seconds this router is a default router; 0: it is not one (RFC 4861 §4.2). */
  routerLifetime: number;
  reachableTime: number;
  retransTimer: number;
  /** Lower-case colon-separated MAC from the source link-layer address option. */
  sourceLinkAddress?: string;
  mtu?: number;
  prefixes: PrefixInformation[];
}

export interface RouterSolicitation {
  kind: 'solicitation';
  sourceLinkAddress?: string;
}

export type RouterMessage = RouterSolicitation | RouterAdvertisement;

/** Decodes an ICMPv6 Router Solicitation or Advertisement; throws DecodeError naming the field. */
export function decodeRouterMessage(bytes: Uint8Array): RouterMessage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8) throw new DecodeError(`needs at least 8 bytes, got ${buf.length}`, 'icmpv6', 0);
  const type = buf[0]!;
  if (type !== ND_ROUTER_SOLICIT && type !== ND_ROUTER_ADVERT) throw new DecodeError(`type ${type} is neither a router solicitation (133) nor an advertisement (134)`, 'type', 0);
  if (buf[1] !== 0) throw new DecodeError(`must be 0, got ${buf[1]}`, 'code', 1);
  if (type === ND_ROUTER_SOLICIT) {
    const options = decodeOptions(buf, 8);
    return { kind: 'solicitation', ...linkAddress(options) };
  }
  if (buf.length < 16) throw new DecodeError(`a router advertisement needs at least 16 bytes, got ${buf.length}`, 'icmpv6', 0);
  const options = decodeOptions(buf, 16);
  const advert: RouterAdvertisement = {
    kind: 'advertisement',
    curHopLimit: buf[4]!,
    managed: (buf[5]! & 0x80) !== 0,
    other: (buf[5]! & 0x40) !== 0,
    routerLifetime: buf.readUInt16BE(6),
    reachableTime: buf.readUInt32BE(8),
    retransTimer: buf.readUInt32BE(12),
    ...linkAddress(options),
    prefixes: [],
  };
  for (const o of options) {
    if (o.type === OPT_MTU && o.body.length === 6) advert.mtu = o.body.readUInt32BE(2);
    if (o.type === OPT_PREFIX_INFORMATION) {
      if (o.body.length !== 30) throw new DecodeError(`prefix information must be 32 bytes, got ${o.body.length + 2}`, 'option 3', o.offset);
      advert.prefixes.push({
        length: o.body[0]!,
        onLink: (o.body[1]! & 0x80) !== 0,
        autonomous: (o.body[1]! & 0x40) !== 0,
        validLifetime: o.body.readUInt32BE(2),
        preferredLifetime: o.body.readUInt32BE(6),
        prefix: formatIpv6(o.body.subarray(14, 30)),
      });
    }
  }
  return advert;
}

export interface RouterAdvertisementInput {
  curHopLimit?: number;
  managed?: boolean;
  other?: boolean;
  routerLifetime: number;
  reachableTime?: number;
  retransTimer?: number;
  sourceLinkAddress?: string;
  mtu?: number;
  prefixes?: readonly PrefixInformation[];
}

/** The ICMPv6 body of a Router Advertisement (checksum left 0 for the kernel). */
export function encodeRouterAdvertisement(ra: RouterAdvertisementInput): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(16);
  head[0] = ND_ROUTER_ADVERT;
  head[4] = ra.curHopLimit ?? 0;
  head[5] = (ra.managed === true ? 0x80 : 0) | (ra.other === true ? 0x40 : 0);
  head.writeUInt16BE(ra.routerLifetime, 6);
  head.writeUInt32BE(ra.reachableTime ?? 0, 8);
  head.writeUInt32BE(ra.retransTimer ?? 0, 12);
  parts.push(head);
  if (ra.sourceLinkAddress !== undefined) parts.push(linkAddressOption(ra.sourceLinkAddress));
  if (ra.mtu !== undefined) {
    const mtu = Buffer.alloc(8);
    mtu[0] = OPT_MTU;
    mtu[1] = 1;
    mtu.writeUInt32BE(ra.mtu, 4);
    parts.push(mtu);
  }
  for (const p of ra.prefixes ?? []) {
    const o = Buffer.alloc(32);
    o[0] = OPT_PREFIX_INFORMATION;
    o[1] = 4;
    o[2] = p.length;
    o[3] = (p.onLink ? 0x80 : 0) | (p.autonomous ? 0x40 : 0);
    o.writeUInt32BE(p.validLifetime, 4);
    o.writeUInt32BE(p.preferredLifetime, 8);
    parseIpv6(p.prefix).copy(o, 16);
    parts.push(o);
  }
  return Buffer.concat(parts);
}

/** The ICMPv6 body of a Router Solicitation (Striker sends one when it starts listening). */
export function encodeRouterSolicitation(sourceLinkAddress?: string): Buffer {
  const head = Buffer.alloc(8);
  head[0] = ND_ROUTER_SOLICIT;
  return sourceLinkAddress === undefined ? head : Buffer.concat([head, linkAddressOption(sourceLinkAddress)]);
}

interface RawOption {
  type: number;
  /** The option after its type and length bytes. */
  body: Buffer;
  offset: number;
}

function decodeOptions(buf: Buffer, start: number): RawOption[] {
  const options: RawOption[] = [];
  let at = start;
  while (at < buf.length) {
    if (at + 2 > buf.length) throw new DecodeError(`option header needs 2 bytes, ${buf.length - at} left`, 'options', at);
    const units = buf[at + 1]!;
    if (units === 0) throw new DecodeError('option length must not be 0', `option ${buf[at]}`, at);
    const end = at + units * 8;
    if (end > buf.length) throw new DecodeError(`option of ${units * 8} bytes runs past the message end (${buf.length - at} left)`, `option ${buf[at]}`, at);
    options.push({ type: buf[at]!, body: buf.subarray(at + 2, end), offset: at });
    at = end;
  }
  return options;
}

function linkAddress(options: readonly RawOption[]): { sourceLinkAddress?: string } {
  const o = options.find((x) => x.type === OPT_SOURCE_LINK_ADDRESS && x.body.length >= 6);
  return o === undefined ? {} : { sourceLinkAddress: formatMac(o.body, 6) };
}

function linkAddressOption(mac: string): Buffer {
  const hex = mac.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) throw new RangeError(`source link-layer address must be a MAC like 52:54:00:12:34:56, got '${mac}'`);
  return Buffer.concat([Buffer.from([OPT_SOURCE_LINK_ADDRESS, 1]), Buffer.from(hex, 'hex')]);
}

/** RFC 5952 text form of 16 bytes (lower case, longest zero run as `::`). */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** 16 bytes of an IPv6 address in text form (no zone, no embedded IPv4). */
export function parseIpv6(text: string): Buffer {
  const halves = text.split('::');
  if (halves.length > 2) throw new RangeError(`'${text}' is not an IPv6 address`);
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ([...head, ...tail].some(Number.isNaN) || (halves.length === 2 ? fill < 1 : fill !== 0)) throw new RangeError(`'${text}' is not an IPv6 address`);
  const groups = [...head, ...Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}
