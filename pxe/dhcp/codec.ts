/**
 * DHCP message codec (RFC 2131 §2 fixed header, RFC 2132 options, RFC 3396 long options,
 * RFC 2132 §9.3 option overload). Pure: bytes in, data out. `decodePacket` throws only
 * DecodeError, naming the field and the byte offset.
 */
import { DecodeError } from '../../striker/core/errors/index.js';
import { checkOptionLength, Opt, optionSpecs } from './option-codes.js';
import { decodeClasslessRoutes, decodeDomainSearch, decodeSubOptions } from './option-values.js';
import type { DhcpOption, DhcpPacket, OptionRegion } from './packet.js';
import { readU16, readU32 } from './packet.js';

/** RFC 2131 §3: the first four octets of the options field. */
export const MAGIC_COOKIE = 0x63825363;
const HEADER_LENGTH = 236;
const SNAME_AT = 44;
const FILE_AT = 108;
const OPTIONS_AT = 240;
/** RFC 1542 §3.4 / RFC 2131 §2: BOOTP messages are at least 300 bytes; relays and old ROMs expect it. */
export const MIN_BOOTP_LENGTH = 300;

interface RawOption {
  code: number;
  data: Uint8Array;
  region: OptionRegion;
  offset: number;
}

export function decodePacket(input: Uint8Array): DhcpPacket {
  // A plain Uint8Array view: subarray/slice on a Buffer go through its JS constructor, which is
  // measurably slower on the per-packet path.
  const bytes = Buffer.isBuffer(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
  if (bytes.length < OPTIONS_AT) {
    throw new DecodeError(`message is ${bytes.length} bytes, a DHCP message has at least ${OPTIONS_AT}`, 'header', bytes.length);
  }
  const op = bytes[0] ?? 0;
  if (op !== 1 && op !== 2) throw new DecodeError(`op must be 1 (BOOTREQUEST) or 2 (BOOTREPLY), got ${op}`, 'op', 0);
  const hlen = bytes[2] ?? 0;
  if (hlen > 16) throw new DecodeError(`hlen must be at most 16, got ${hlen}`, 'hlen', 2);
  const cookie = readU32(bytes, HEADER_LENGTH);
  if (cookie !== MAGIC_COOKIE) {
    throw new DecodeError(`expected magic cookie 99.130.83.99, got 0x${cookie.toString(16)}`, 'magic cookie', HEADER_LENGTH);
  }
  const raw: RawOption[] = [];
  const mainEnd = scanOptions(bytes, OPTIONS_AT, bytes.length, 'options', raw, true);
  const trailer = bytes.subarray(mainEnd);
  let overload = 0;
  const overloadOption = raw.find((o) => o.code === Opt.OptionOverload);
  if (overloadOption !== undefined) {
    overload = overloadOption.data[0] ?? 0;
    if (overloadOption.data.length !== 1 || overload < 1 || overload > 3) {
      throw new DecodeError(`expected 1 byte with value 1, 2 or 3`, 'option 52 OptionOverload', overloadOption.offset);
    }
    // RFC 2131 §4.1: options field first, then `file`, then `sname`.
    if (overload & 1) scanOptions(bytes, FILE_AT, HEADER_LENGTH, 'file', raw, false);
    if (overload & 2) scanOptions(bytes, SNAME_AT, FILE_AT, 'sname', raw, false);
  }
  const options = mergeLongOptions(raw);
  const packet: DhcpPacket = {
    op,
    htype: bytes[1] ?? 0,
    hlen,
    hops: bytes[3] ?? 0,
    xid: readU32(bytes, 4),
    secs: readU16(bytes, 8),
    flags: readU16(bytes, 10),
    ciaddr: readU32(bytes, 12),
    yiaddr: readU32(bytes, 16),
    siaddr: readU32(bytes, 20),
    giaddr: readU32(bytes, 24),
    chaddr: bytes.slice(28, 44),
    sname: overload & 2 ? '' : cString(bytes, SNAME_AT, FILE_AT),
    file: overload & 1 ? '' : cString(bytes, FILE_AT, HEADER_LENGTH),
    options,
  };
  if (trailer.length > 0) packet.trailer = trailer.slice();
  return packet;
}

/** Reads code/length/value options from [start, end); returns the offset just past End. */
function scanOptions(bytes: Uint8Array, start: number, end: number, region: OptionRegion, out: RawOption[], needEnd: boolean): number {
  let at = start;
  while (at < end) {
    const code = bytes[at] ?? 0;
    if (code === Opt.Pad) {
      at++;
      continue;
    }
    if (code === Opt.End) return at + 1;
    if (at + 1 >= end) throw new DecodeError(`option ${code} has no length byte`, fieldName(code), at);
    const length = bytes[at + 1] ?? 0;
    if (at + 2 + length > end) {
      throw new DecodeError(`length ${length} runs past the end of the ${region} field`, fieldName(code), at + 1);
    }
    out.push({ code, data: bytes.subarray(at + 2, at + 2 + length), region, offset: at });
    at += 2 + length;
  }
  if (needEnd) throw new DecodeError('no End option (255) before the end of the message', 'options', end);
  return end;
}

/** RFC 3396 §7: all instances of one option code form one value, in wire order. */
function mergeLongOptions(raw: RawOption[]): DhcpOption[] {
  const options: DhcpOption[] = [];
  const seen = new Map<number, { index: number; parts: Uint8Array[]; offset: number }>();
  for (const o of raw) {
    const prior = seen.get(o.code);
    if (prior === undefined) {
      seen.set(o.code, { index: options.length, parts: [o.data], offset: o.offset });
      options.push(o.region === 'options' ? { code: o.code, data: o.data } : { code: o.code, data: o.data, region: o.region });
    } else {
      prior.parts.push(o.data);
    }
  }
  for (const [code, entry] of seen) {
    const option = options[entry.index]!;
    option.data = entry.parts.length === 1 ? entry.parts[0]!.slice() : concat(entry.parts);
    validateOption(code, option.data, entry.offset);
  }
  return options;
}

function validateOption(code: number, data: Uint8Array, offset: number): void {
  const spec = optionSpecs.get(code);
  if (spec === undefined) return;
  const valueAt = offset + 2;
  const complaint = checkOptionLength(spec.shape, data.length);
  if (complaint !== undefined) throw new DecodeError(complaint, fieldName(code), offset + 1);
  switch (spec.shape) {
    case 'message-type':
      if ((data[0] ?? 0) < 1) throw new DecodeError('message type 0 is not defined', fieldName(code), valueAt);
      break;
    case 'sub-options':
      decodeSubOptions(data, fieldName(code), valueAt);
      break;
    case 'classless-routes':
      decodeClasslessRoutes(data, valueAt);
      break;
    case 'domain-search':
      decodeDomainSearch(data, valueAt);
      break;
    default:
      break;
  }
}

export function fieldName(code: number): string {
  const spec = optionSpecs.get(code);
  return spec === undefined ? `option ${code}` : `option ${code} ${spec.name}`;
}

function cString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && bytes[stop] !== 0) stop++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString('latin1');
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Encodes a message. Values longer than 255 bytes are split into several instances of the
 * same code (RFC 3396 §5). Options tagged `file`/`sname` go into those fields (the caller
 * includes option 52). The message is padded to `minLength` (default 300) unless it carries
 * a trailer from decoding, which is reproduced as is.
 */
export function encodePacket(packet: DhcpPacket, minLength = MIN_BOOTP_LENGTH): Buffer {
  let optionBytes = 0;
  for (const o of packet.options) {
    if ((o.region ?? 'options') === 'options') optionBytes += optionWireLength(o.data.length);
  }
  const trailer = packet.trailer;
  const bodyLength = OPTIONS_AT + optionBytes + 1;
  const total = trailer !== undefined ? bodyLength + trailer.length : Math.max(bodyLength, minLength);
  // From Node's pooled slabs, then zeroed: cheaper than a fresh zero-filled allocation per reply.
  const out = Buffer.allocUnsafe(total).fill(0);
  out[0] = packet.op;
  out[1] = packet.htype;
  out[2] = packet.hlen;
  out[3] = packet.hops;
  out.writeUInt32BE(packet.xid >>> 0, 4);
  out.writeUInt16BE(packet.secs, 8);
  out.writeUInt16BE(packet.flags, 10);
  out.writeUInt32BE(packet.ciaddr >>> 0, 12);
  out.writeUInt32BE(packet.yiaddr >>> 0, 16);
  out.writeUInt32BE(packet.siaddr >>> 0, 20);
  out.writeUInt32BE(packet.giaddr >>> 0, 24);
  out.set(packet.chaddr.subarray(0, 16), 28);
  out.write(packet.sname, SNAME_AT, 63, 'latin1');
  out.write(packet.file, FILE_AT, 127, 'latin1');
  out.writeUInt32BE(MAGIC_COOKIE, HEADER_LENGTH);
  let at = OPTIONS_AT;
  let fileAt = FILE_AT;
  let snameAt = SNAME_AT;
  for (const o of packet.options) {
    const region = o.region ?? 'options';
    if (region === 'options') at = writeOption(out, at, o.code, o.data);
    else if (region === 'file') fileAt = writeOption(out, fileAt, o.code, o.data);
    else snameAt = writeOption(out, snameAt, o.code, o.data);
  }
  out[at] = Opt.End;
  if (fileAt !== FILE_AT && fileAt < HEADER_LENGTH) out[fileAt] = Opt.End;
  if (snameAt !== SNAME_AT && snameAt < FILE_AT) out[snameAt] = Opt.End;
  if (trailer !== undefined) out.set(trailer, at + 1);
  return out;
}

function optionWireLength(length: number): number {
  const pieces = Math.max(1, Math.ceil(length / 255));
  return length + 2 * pieces;
}

function writeOption(out: Buffer, at: number, code: number, data: Uint8Array): number {
  if (data.length <= 255) {
    out[at] = code;
    out[at + 1] = data.length;
    out.set(data, at + 2);
    return at + 2 + data.length;
  }
  let offset = 0;
  do {
    const piece = Math.min(255, data.length - offset);
    out[at] = code;
    out[at + 1] = piece;
    out.set(data.subarray(offset, offset + piece), at + 2);
    at += 2 + piece;
    offset += piece;
  } while (offset < data.length);
  return at;
}
