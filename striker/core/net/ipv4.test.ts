import { describe, expect, it } from 'vitest';
import {
  cidrProblem,
  cidrSchema,
  endsInNumericLabel,
  formatCidr,
  formatIpv4,
  ipv4Schema,
  isHostAddress,
  parseCidr,
  parseInterfaceAddress,
  parseIpv4,
  prefixContains,
  prefixesOverlap,
  prefixOf,
  prefixToMask,
} from './ipv4.js';

/** Every input with its one verdict: the number it stands for, or refused. */
const addresses: [string, number | 'refused'][] = [
  ['0.0.0.0', 0],
  ['10.0.0.1', 0x0a000001],
  ['10.201.4.1', 0x0ac90401],
  ['192.168.122.254', 0xc0a87afe],
  ['255.255.255.255', 0xffffffff],
  ['1.2.3.4', 0x01020304],
  ['010.0.0.1', 'refused'], // leading zero: octal to inet_aton (RFC 6943 §3.1.1)
  ['01.2.3.4', 'refused'],
  ['1.2.3.00', 'refused'],
  ['1.2.3.04', 'refused'],
  ['1.2.3', 'refused'], // inet_aton's shortened forms are not addresses here
  ['10.1', 'refused'],
  ['167772161', 'refused'],
  ['1.2.3.4.5', 'refused'],
  ['256.0.0.1', 'refused'],
  ['1.2.3.256', 'refused'],
  ['1000.2.3.4', 'refused'],
  [' 1.2.3.4', 'refused'],
  ['1.2.3.4 ', 'refused'],
  ['1.2.3.4\n', 'refused'],
  ['1. 2.3.4', 'refused'],
  ['', 'refused'],
  ['1..2.3', 'refused'],
  ['.1.2.3', 'refused'],
  ['1.2.3.', 'refused'],
  ['1.2.3.-4', 'refused'],
  ['+1.2.3.4', 'refused'],
  ['0x0a.0.0.1', 'refused'],
  ['a.b.c.d', 'refused'],
  ['1.2.3.4/24', 'refused'],
  ['１.2.3.4', 'refused'], // fullwidth digit
];

describe('IPv4 addresses: dotted quad, 0–255, no leading zeros, no whitespace', () => {
  it.each(addresses)('%j → %s', (text, verdict) => {
    if (verdict === 'refused') {
      expect(parseIpv4(text)).toBeUndefined();
      expect(ipv4Schema.safeParse(text).success).toBe(false);
    } else {
      expect(parseIpv4(text)).toBe(verdict);
      expect(formatIpv4(verdict)).toBe(text);
      expect(ipv4Schema.parse(text)).toBe(text);
    }
  });

  it('round-trips every octet value in every position', () => {
    for (let octet = 0; octet < 256; octet++) {
      for (const shift of [24, 16, 8, 0]) {
        const value = (octet * 2 ** shift) >>> 0;
        expect(parseIpv4(formatIpv4(value))).toBe(value);
      }
    }
  });

  it('says what it expects', () => {
    const r = ipv4Schema.safeParse('010.0.0.1');
    expect(r.success || r.error.issues[0]!.message).toBe('must be an IPv4 address like 10.201.4.1');
  });
});

/** Every input with its one verdict as a CIDR prefix: `network/length`, or refused. */
const prefixes: [string, string | 'refused'][] = [
  ['10.201.0.0/16', '10.201.0.0/16'],
  ['192.168.122.0/24', '192.168.122.0/24'],
  ['0.0.0.0/0', '0.0.0.0/0'],
  ['10.0.0.0/8', '10.0.0.0/8'],
  ['10.0.0.4/31', '10.0.0.4/31'],
  ['10.0.0.7/32', '10.0.0.7/32'],
  ['1.2.3.4/8', 'refused'], // host bits set: refused, not masked (see ipv4.ts)
  ['10.201.4.1/16', 'refused'],
  ['1.2.3.4/33', 'refused'],
  ['10.0.0.0/08', 'refused'],
  ['10.0.0.0/', 'refused'],
  ['10.0.0.0', 'refused'],
  ['10.0.0.0/-8', 'refused'],
  ['10.0.0.0/8/8', 'refused'],
  ['010.0.0.0/8', 'refused'],
  ['10.0.0/24', 'refused'],
  [' 10.0.0.0/8', 'refused'],
  ['10.0.0.0/8 ', 'refused'],
  ['10.0.0.0 /8', 'refused'],
  ['x/8', 'refused'],
  ['/8', 'refused'],
];

describe('IPv4 prefixes in CIDR notation (RFC 4632 §3.1)', () => {
  it.each(prefixes)('%j → %s', (text, verdict) => {
    const prefix = parseCidr(text);
    if (verdict === 'refused') {
      expect(prefix).toBeUndefined();
      expect(cidrProblem(text)).toBeDefined();
      expect(cidrSchema.safeParse(text).success).toBe(false);
    } else {
      expect(formatCidr(prefix!)).toBe(verdict);
      expect(cidrProblem(text)).toBeUndefined();
      expect(cidrSchema.parse(text)).toBe(text);
    }
  });

  it('carries network, length, mask and broadcast', () => {
    expect(parseCidr('10.201.0.0/16')).toEqual({ network: 0x0ac90000, length: 16, mask: 0xffff0000, broadcast: 0x0ac9ffff });
    expect(parseCidr('0.0.0.0/0')).toEqual({ network: 0, length: 0, mask: 0, broadcast: 0xffffffff });
    expect(parseCidr('10.0.0.7/32')).toEqual({ network: 0x0a000007, length: 32, mask: 0xffffffff, broadcast: 0x0a000007 });
    expect([0, 1, 8, 16, 23, 24, 30, 32].map((length) => formatIpv4(prefixToMask(length)))).toEqual([
      '0.0.0.0', '128.0.0.0', '255.0.0.0', '255.255.0.0', '255.255.254.0', '255.255.255.0', '255.255.255.252', '255.255.255.255',
    ]);
    expect(prefixOf(parseIpv4('10.201.4.1')!, 16)).toEqual(parseCidr('10.201.0.0/16'));
    expect(parseInterfaceAddress('10.201.4.1/16')).toEqual({ address: 0x0ac90401, prefix: parseCidr('10.201.0.0/16') });
    expect(parseInterfaceAddress('10.201.4.1/33')).toBeUndefined();
    expect(parseInterfaceAddress('010.201.4.1/16')).toBeUndefined();
  });

  it('names the network when host bits are set', () => {
    expect(cidrProblem('10.201.4.1/16')).toBe('must be a CIDR like 10.201.0.0/16 with no host bits (the network is 10.201.0.0/16)');
    expect(cidrProblem('1.2.3.4/33')).toBe('must be a CIDR like 10.201.0.0/16 (dotted quad without leading zeros, / and a length 0–32)');
    const r = cidrSchema.safeParse('1.2.3.4/8');
    expect(r.success || r.error.issues[0]!.message).toBe('must be a CIDR like 10.201.0.0/16 with no host bits (the network is 1.0.0.0/8)');
  });

  it('knows containment, host addresses and overlaps', () => {
    const ip = (s: string) => parseIpv4(s)!;
    const p = parseCidr('192.168.122.0/24')!;
    expect(prefixContains(p, ip('192.168.122.0'))).toBe(true);
    expect(prefixContains(p, ip('192.168.122.255'))).toBe(true);
    expect(prefixContains(p, ip('192.168.123.0'))).toBe(false);
    expect(prefixContains(parseCidr('0.0.0.0/0')!, ip('255.255.255.255'))).toBe(true);
    expect(isHostAddress(p, ip('192.168.122.1'))).toBe(true);
    expect(isHostAddress(p, ip('192.168.122.254'))).toBe(true);
    expect(isHostAddress(p, ip('192.168.122.0'))).toBe(false);
    expect(isHostAddress(p, ip('192.168.122.255'))).toBe(false);
    expect(isHostAddress(p, ip('192.168.123.1'))).toBe(false);
    expect(isHostAddress(parseCidr('10.0.0.4/31')!, ip('10.0.0.4'))).toBe(true); // RFC 3021
    expect(isHostAddress(parseCidr('10.0.0.7/32')!, ip('10.0.0.7'))).toBe(true);
    expect(prefixesOverlap(parseCidr('10.0.0.0/8')!, parseCidr('10.201.0.0/16')!)).toBe(true);
    expect(prefixesOverlap(parseCidr('10.201.0.0/16')!, parseCidr('10.0.0.0/8')!)).toBe(true);
    expect(prefixesOverlap(parseCidr('10.201.0.0/16')!, parseCidr('10.101.0.0/16')!)).toBe(false);
  });
});

describe('names that read as addresses (RFC 1123 §2.1)', () => {
  it.each([
    ['010.0.0.1', true],
    ['10.1', true],
    ['256.1.1.1', true],
    ['host.42', true],
    ['42', true],
    ['ntp.example.com', false],
    ['0.pool.ntp.org', false],
    ['10.example', false],
    ['example.', false],
    ['', false],
  ] as const)('%j → %s', (name, numeric) => {
    expect(endsInNumericLabel(name)).toBe(numeric);
  });
});
