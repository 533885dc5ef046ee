import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../striker/core/errors/index.js';
import { decodePacket, encodePacket, type TftpPacket } from './codec.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const opts = (...pairs: [string, string][]): Map<string, string> => new Map(pairs);

/** Byte-level fixtures for every packet type and option (RFC 1350 §5, 2347 §2–3, 2348, 2349, 7440). */
const fixtures: { name: string; bytes: Buffer; packet: TftpPacket }[] = [
  { name: 'RRQ octet (RFC 1350 §5)', bytes: hex(`0001 ${ascii('pxelinux.0\0octet\0')}`), packet: { kind: 'RRQ', filename: 'pxelinux.0', mode: 'octet', options: opts() } },
  { name: 'RRQ netascii', bytes: hex(`0001 ${ascii('boot.txt\0netascii\0')}`), packet: { kind: 'RRQ', filename: 'boot.txt', mode: 'netascii', options: opts() } },
  { name: 'WRQ octet', bytes: hex(`0002 ${ascii('upload.bin\0octet\0')}`), packet: { kind: 'WRQ', filename: 'upload.bin', mode: 'octet', options: opts() } },
  { name: 'WRQ mail', bytes: hex(`0002 ${ascii('root\0mail\0')}`), packet: { kind: 'WRQ', filename: 'root', mode: 'mail', options: opts() } },
  {
    name: 'RRQ blksize 1428 (RFC 2348 §2 example)',
    bytes: hex(`0001 ${ascii('foobar\0octet\0blksize\x001428\0')}`),
    packet: { kind: 'RRQ', filename: 'foobar', mode: 'octet', options: opts(['blksize', '1428']) },
  },
  {
    name: 'RRQ tsize 0 and timeout (RFC 2349 §2–3)',
    bytes: hex(`0001 ${ascii('foobar\0octet\0timeout\x001\0tsize\x000\0')}`),
    packet: { kind: 'RRQ', filename: 'foobar', mode: 'octet', options: opts(['timeout', '1'], ['tsize', '0']) },
  },
  {
    name: 'RRQ windowsize (RFC 7440 §3)',
    bytes: hex(`0001 ${ascii('foobar\0octet\0windowsize\x004\0')}`),
    packet: { kind: 'RRQ', filename: 'foobar', mode: 'octet', options: opts(['windowsize', '4']) },
  },
  { name: 'DATA block 1, 3 bytes', bytes: hex('0003 0001 616263'), packet: { kind: 'DATA', block: 1, data: Buffer.from('abc') } },
  { name: 'DATA empty final block', bytes: hex('0003 0002'), packet: { kind: 'DATA', block: 2, data: Buffer.alloc(0) } },
  { name: 'DATA block 65535', bytes: hex('0003 ffff 00'), packet: { kind: 'DATA', block: 65535, data: Buffer.from([0]) } },
  { name: 'ACK 0 (accepts an OACK, RFC 2347 §3)', bytes: hex('0004 0000'), packet: { kind: 'ACK', block: 0 } },
  { name: 'ACK 65535', bytes: hex('0004 ffff'), packet: { kind: 'ACK', block: 65535 } },
  { name: 'ERROR 1 File not found', bytes: hex(`0005 0001 ${ascii('File not found\0')}`), packet: { kind: 'ERROR', code: 1, message: 'File not found' } },
  { name: 'ERROR 8 option negotiation (RFC 2347 §2)', bytes: hex(`0005 0008 ${ascii('bad option\0')}`), packet: { kind: 'ERROR', code: 8, message: 'bad option' } },
  { name: 'ERROR with empty message', bytes: hex('0005 0000 00'), packet: { kind: 'ERROR', code: 0, message: '' } },
  {
    name: 'OACK blksize, tsize, timeout, windowsize',
    bytes: hex(`0006 ${ascii('blksize\x001428\0tsize\x0052428800\0timeout\x003\0windowsize\x0016\0')}`),
    packet: { kind: 'OACK', options: opts(['blksize', '1428'], ['tsize', '52428800'], ['timeout', '3'], ['windowsize', '16']) },
  },
  { name: 'OACK empty', bytes: hex('0006'), packet: { kind: 'OACK', options: opts() } },
];

describe('TFTP codec fixtures', () => {
  it.each(fixtures)('decodes and re-encodes $name', ({ bytes, packet }) => {
    const decoded = decodePacket(bytes);
    expect(decoded.kind).toBe(packet.kind);
    if (decoded.kind === 'DATA' && packet.kind === 'DATA') {
      expect(decoded.block).toBe(packet.block);
      expect(Buffer.from(decoded.data).equals(Buffer.from(packet.data))).toBe(true);
    } else {
      expect(decoded).toEqual(packet);
    }
    expect(encodePacket(decoded).equals(bytes)).toBe(true);
    expect(encodePacket(packet).equals(bytes)).toBe(true);
  });

  it('lower-cases option names and mode (RFC 2347 §2 case-insensitive)', () => {
    const p = decodePacket(hex(`0001 ${ascii('f\0OCTET\0BlkSize\x00512\0')}`));
    expect(p).toEqual({ kind: 'RRQ', filename: 'f', mode: 'octet', options: opts(['blksize', '512']) });
  });

  it('accepts NUL padding after the last option (some PXE ROMs pad requests)', () => {
    const p = decodePacket(hex(`0001 ${ascii('f\0octet\0tsize\x000\0')} 000000`));
    expect(p).toEqual({ kind: 'RRQ', filename: 'f', mode: 'octet', options: opts(['tsize', '0']) });
  });

  it('keeps unknown options for the negotiator to ignore', () => {
    const p = decodePacket(hex(`0001 ${ascii('f\0octet\0multicast\0\0')}`));
    expect(p).toEqual({ kind: 'RRQ', filename: 'f', mode: 'octet', options: opts(['multicast', '']) });
  });

  it('replaces invalid UTF-8 in ERROR messages instead of failing', () => {
    const p = decodePacket(hex('0005 0002 ff41 00'));
    expect(p).toEqual({ kind: 'ERROR', code: 2, message: '\uFFFDA' });
  });

  it('refuses to encode strings with NUL', () => {
    expect(() => encodePacket({ kind: 'ERROR', code: 0, message: 'a\0b' })).toThrow(RangeError);
  });
});

const malformed: { name: string; bytes: Buffer; field: string; offset: number }[] = [
  { name: 'empty datagram', bytes: hex(''), field: 'opcode', offset: 0 },
  { name: 'one byte', bytes: hex('00'), field: 'opcode', offset: 0 },
  { name: 'opcode 0', bytes: hex('0000 0000'), field: 'opcode', offset: 0 },
  { name: 'opcode 7', bytes: hex('0007 0000'), field: 'opcode', offset: 0 },
  { name: 'opcode 256 (byte order)', bytes: hex('0100 0000'), field: 'opcode', offset: 0 },
  { name: 'RRQ without filename terminator', bytes: hex(`0001 ${ascii('abc')}`), field: 'filename', offset: 2 },
  { name: 'RRQ with empty filename', bytes: hex(`0001 00 ${ascii('octet\0')}`), field: 'filename', offset: 2 },
  { name: 'RRQ without mode', bytes: hex(`0001 ${ascii('abc\0')}`), field: 'mode', offset: 6 },
  { name: 'RRQ mode not terminated', bytes: hex(`0001 ${ascii('abc\0octet')}`), field: 'mode', offset: 6 },
  { name: 'RRQ unknown mode', bytes: hex(`0001 ${ascii('abc\0binary\0')}`), field: 'mode', offset: 6 },
  { name: 'RRQ option without value', bytes: hex(`0001 ${ascii('abc\0octet\0blksize\0')}`), field: 'option blksize', offset: 20 },
  { name: 'RRQ option value not terminated', bytes: hex(`0001 ${ascii('abc\0octet\0blksize\x001024')}`), field: 'option blksize', offset: 20 },
  { name: 'RRQ empty option name', bytes: hex(`0001 ${ascii('abc\0octet\0\x001\0')}`), field: 'option name', offset: 12 },
  { name: 'RRQ duplicate option', bytes: hex(`0001 ${ascii('abc\0octet\0tsize\x000\0TSIZE\x000\0')}`), field: 'option name', offset: 20 },
  { name: 'RRQ invalid UTF-8 filename', bytes: hex('0001 c328 00 6f6374657400'), field: 'filename', offset: 2 },
  { name: 'DATA of 3 bytes', bytes: hex('0003 00'), field: 'block', offset: 2 },
  { name: 'DATA over 65464 payload bytes', bytes: Buffer.concat([hex('0003 0001'), Buffer.alloc(65465)]), field: 'data', offset: 4 },
  { name: 'ACK of 3 bytes', bytes: hex('0004 00'), field: 'block', offset: 2 },
  { name: 'ACK of 5 bytes', bytes: hex('0004 0001 00'), field: 'block', offset: 2 },
  { name: 'ERROR without message', bytes: hex('0005 0001'), field: 'errorCode', offset: 2 },
  { name: 'ERROR message not terminated', bytes: hex(`0005 0001 ${ascii('oops')}`), field: 'errMsg', offset: 4 },
  { name: 'ERROR trailing bytes', bytes: hex(`0005 0001 ${ascii('oops\0x')}`), field: 'errMsg', offset: 9 },
  { name: 'OACK value missing', bytes: hex(`0006 ${ascii('blksize\0')}`), field: 'option blksize', offset: 10 },
];

describe('TFTP codec malformed inputs', () => {
  it.each(malformed)('$name → DecodeError on $field at $offset', ({ bytes, field, offset }) => {
    let caught: unknown;
    try {
      decodePacket(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).field).toBe(field);
    expect((caught as DecodeError).offset).toBe(offset);
    expect((caught as DecodeError).code).toBe('DECODE_FAILED');
  });
});

/** xorshift32: a seeded generator, so a failing fuzz case can be replayed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('TFTP codec fuzz', () => {
  it('1,000,000 random and mutated datagrams only ever decode or throw DecodeError', () => {
    const next = random(0x5717c3);
    const seeds = [...fixtures.map((f) => f.bytes), ...malformed.map((m) => m.bytes).filter((b) => b.length < 100)];
    const scratch = Buffer.alloc(600);
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < 1_000_000; i++) {
      let bytes: Buffer;
      if (i % 4 === 0) {
        // random opcode 0..7 and random tail
        const length = next() % 64;
        for (let j = 0; j < length; j++) scratch[j] = next() & 0xff;
        if (length >= 2) {
          scratch[0] = 0;
          scratch[1] = next() % 8;
        }
        bytes = scratch.subarray(0, length);
      } else {
        // mutate a fixture: flip bytes, truncate or extend
        const seed = seeds[next() % seeds.length]!;
        const length = Math.max(0, Math.min(scratch.length, seed.length + (next() % 9) - 4));
        scratch.fill(0, 0, length);
        seed.copy(scratch, 0, 0, Math.min(seed.length, length));
        const flips = next() % 4;
        for (let f = 0; f < flips && length > 0; f++) scratch[next() % length] = next() & 0xff;
        bytes = scratch.subarray(0, length);
      }
      try {
        const packet = decodePacket(bytes);
        decoded++;
        const encoded = encodePacket(packet);
        if (!encodePacket(decodePacket(encoded)).equals(encoded)) throw new Error(`case ${i}: ${bytes.toString('hex')} does not round-trip`);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw new Error(`case ${i}: ${bytes.toString('hex')} threw ${String(error)}`);
        rejected++;
      }
    }
    expect(decoded + rejected).toBe(1_000_000);
    expect(decoded).toBeGreaterThan(100_000);
    expect(rejected).toBeGreaterThan(100_000);
  });
});
