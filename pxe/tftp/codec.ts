/**
 * TFTP packet codec: bytes ⇄ typed packets. Pure, no sockets.
 *
 * - RFC 1350 §5: opcodes RRQ(1) WRQ(2) DATA(3) ACK(4) ERROR(5), netascii/octet/mail modes.
 * - RFC 2347 §2–3: options appended to RRQ/WRQ as `name\0value\0` pairs; OACK(6) carries the
 *   accepted ones; error code 8 refuses negotiation.
 * - Option names are case-insensitive (RFC 2347 §2); they are lower-cased here. Which options
 *   mean what (blksize, timeout, tsize, windowsize) is decided in `negotiate.ts`.
 *
 * Every malformed input throws a `DecodeError` naming the field and byte offset.
 */
import { DecodeError } from '../../striker/core/errors/index.js';

export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 §5 error codes, plus code 8 from RFC 2347 §2. */
export const ErrorCode = {
  NotDefined: 0,
  FileNotFound: 1,
  AccessViolation: 2,
  DiskFull: 3,
  IllegalOperation: 4,
  UnknownTransferId: 5,
  FileExists: 6,
  NoSuchUser: 7,
  OptionNegotiation: 8,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export type TransferMode = 'netascii' | 'octet' | 'mail';
const modes: readonly TransferMode[] = ['netascii', 'octet', 'mail'];

/** Option name (lower-case) → value, in the order the peer sent them. */
export type TftpOptions = ReadonlyMap<string, string>;

export type TftpPacket =
  | { readonly kind: 'RRQ' | 'WRQ'; readonly filename: string; readonly mode: TransferMode; readonly options: TftpOptions }
  | { readonly kind: 'DATA'; readonly block: number; readonly data: Uint8Array }
  | { readonly kind: 'ACK'; readonly block: number }
  | { readonly kind: 'ERROR'; readonly code: number; readonly message: string }
  | { readonly kind: 'OACK'; readonly options: TftpOptions };

/** RFC 2348 §2: the largest DATA payload (65464) plus the 4-byte header. */
export const MAX_DATA_PACKET = 65468;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decode the datagram in `bytes[0, length)` (a reused receive buffer). The 4-byte ACK, one per
 * DATA block on a transfer's hot path, is read in place; anything else goes to `decodePacket`.
 */
export function decodeDatagram(bytes: Uint8Array, length: number): TftpPacket {
  if (length === 4 && bytes[0] === 0 && bytes[1] === Opcode.ACK) return { kind: 'ACK', block: (bytes[2]! << 8) | bytes[3]! };
  return decodePacket(length === bytes.length ? bytes : bytes.subarray(0, length));
}

/** Decode one datagram. Throws DecodeError on anything malformed. */
export function decodePacket(bytes: Uint8Array): TftpPacket {
  if (bytes.length < 2) throw new DecodeError(`packet is ${bytes.length} byte(s), need at least 2`, 'opcode', 0);
  const opcode = (bytes[0]! << 8) | bytes[1]!;
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ:
      return decodeRequest(bytes, opcode === Opcode.RRQ ? 'RRQ' : 'WRQ');
    case Opcode.DATA: {
      if (bytes.length < 4) throw new DecodeError(`DATA is ${bytes.length} bytes, need at least 4`, 'block', 2);
      if (bytes.length > MAX_DATA_PACKET) throw new DecodeError(`DATA is ${bytes.length} bytes, at most ${MAX_DATA_PACKET}`, 'data', 4);
      return { kind: 'DATA', block: (bytes[2]! << 8) | bytes[3]!, data: bytes.subarray(4) };
    }
    case Opcode.ACK: {
      if (bytes.length !== 4) throw new DecodeError(`ACK is ${bytes.length} bytes, expected 4`, 'block', 2);
      return { kind: 'ACK', block: (bytes[2]! << 8) | bytes[3]! };
    }
    case Opcode.ERROR: {
      if (bytes.length < 5) throw new DecodeError(`ERROR is ${bytes.length} bytes, need at least 5`, 'errorCode', 2);
      const code = (bytes[2]! << 8) | bytes[3]!;
      const [message, next] = readString(bytes, 4, 'errMsg', true);
      assertPadding(bytes, next);
      return { kind: 'ERROR', code, message };
    }
    case Opcode.OACK:
      return { kind: 'OACK', options: readOptions(bytes, 2) };
    default:
      throw new DecodeError(`unknown opcode ${opcode}`, 'opcode', 0, { details: { opcode } });
  }
}

function decodeRequest(bytes: Uint8Array, kind: 'RRQ' | 'WRQ'): TftpPacket {
  const [filename, afterName] = readString(bytes, 2, 'filename');
  if (filename === '') throw new DecodeError('filename is empty', 'filename', 2);
  const [rawMode, afterMode] = readString(bytes, afterName, 'mode');
  const mode = rawMode.toLowerCase() as TransferMode;
  if (!modes.includes(mode)) {
    throw new DecodeError(`mode must be netascii, octet or mail — got '${rawMode.slice(0, 32)}'`, 'mode', afterName);
  }
  return { kind, filename, mode, options: readOptions(bytes, afterMode) };
}

/**
 * RFC 2347 §2 option pairs from `offset` to the end. Some clients pad requests with NUL bytes;
 * trailing NULs after the last complete pair are accepted.
 */
function readOptions(bytes: Uint8Array, offset: number): TftpOptions {
  const options = new Map<string, string>();
  let at = offset;
  while (at < bytes.length && !onlyZeros(bytes, at)) {
    const [name, afterName] = readString(bytes, at, 'option name');
    if (name === '') throw new DecodeError('option name is empty', 'option name', at);
    const [value, afterValue] = readString(bytes, afterName, `option ${name.slice(0, 32)}`);
    const key = name.toLowerCase();
    if (options.has(key)) throw new DecodeError(`option '${key.slice(0, 32)}' appears twice`, 'option name', at);
    options.set(key, value);
    at = afterValue;
  }
  return options;
}

/** A NUL-terminated string; error messages are free text, so invalid UTF-8 is replaced there. */
function readString(bytes: Uint8Array, offset: number, field: string, lenient = false): [string, number] {
  const end = bytes.indexOf(0, offset);
  if (end < 0) throw new DecodeError('missing NUL terminator', field, offset);
  if (lenient) return [Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString('utf8'), end + 1];
  try {
    return [utf8.decode(bytes.subarray(offset, end)), end + 1];
  } catch {
    throw new DecodeError('is not valid UTF-8', field, offset);
  }
}

function onlyZeros(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function assertPadding(bytes: Uint8Array, from: number): void {
  if (!onlyZeros(bytes, from)) throw new DecodeError('unexpected bytes after the message', 'errMsg', from);
}

const encoder = new TextEncoder();

/** Encode a packet. Options keep insertion order; a string containing NUL is a programming error. */
export function encodePacket(packet: TftpPacket): Buffer {
  switch (packet.kind) {
    case 'RRQ':
    case 'WRQ':
      return withOpcode(packet.kind === 'RRQ' ? Opcode.RRQ : Opcode.WRQ, [packet.filename, packet.mode, ...flatten(packet.options)]);
    case 'OACK':
      return withOpcode(Opcode.OACK, flatten(packet.options));
    case 'ERROR': {
      const message = encodeString(packet.message);
      const out = Buffer.allocUnsafe(5 + message.length);
      out.writeUInt16BE(Opcode.ERROR, 0);
      out.writeUInt16BE(packet.code & 0xffff, 2);
      out.set(message, 4);
      out[4 + message.length] = 0;
      return out;
    }
    case 'ACK': {
      const out = Buffer.allocUnsafe(4);
      out.writeUInt16BE(Opcode.ACK, 0);
      out.writeUInt16BE(packet.block & 0xffff, 2);
      return out;
    }
    case 'DATA': {
      const out = Buffer.allocUnsafe(4 + packet.data.length);
      out.writeUInt16BE(Opcode.DATA, 0);
      out.writeUInt16BE(packet.block & 0xffff, 2);
      out.set(packet.data, 4);
      return out;
    }
  }
}

/** Write the 4-byte DATA header in place (hot path: no allocation). */
export function writeDataHeader(target: Uint8Array, offset: number, block: number): void {
  target[offset] = 0;
  target[offset + 1] = Opcode.DATA;
  target[offset + 2] = (block >>> 8) & 0xff;
  target[offset + 3] = block & 0xff;
}

function flatten(options: TftpOptions): string[] {
  const out: string[] = [];
  for (const [name, value] of options) out.push(name, value);
  return out;
}

function withOpcode(opcode: number, strings: readonly string[]): Buffer {
  const parts = strings.map(encodeString);
  const out = Buffer.allocUnsafe(2 + parts.reduce((n, p) => n + p.length + 1, 0));
  out.writeUInt16BE(opcode, 0);
  let at = 2;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
    out[at++] = 0;
  }
  return out;
}

function encodeString(value: string): Uint8Array {
  if (value.includes('\0')) throw new RangeError(`TFTP strings cannot contain NUL: ${JSON.stringify(value.slice(0, 40))}`);
  return encoder.encode(value);
}
