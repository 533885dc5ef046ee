import { describe, expect, it } from 'vitest';
import { formatIpv4, formatPrefix, isHostAddress, parseIpv4, parseIpv4Prefix, prefixesOverlap } from './ipv4.js';

describe('IPv4 addresses', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.201.4.1', 0x0ac90401],
    ['255.255.255.255', 0xffffffff],
  ])('parses %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each(['', '10.201.4', '10.201.4.1.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4/24', 'a.b.c.d'])('refuses %j', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
  });
});

describe('IPv4 prefixes (RFC 4632 §3.1)', () => {
  it('parses a prefix with zero host bits and round-trips it', () => {
    expect(parseIpv4Prefix('10.201.0.0/16')).toEqual({ network: 0x0ac90000, length: 16 });
    expect(formatPrefix(parseIpv4Prefix('192.168.122.0/24')!)).toBe('192.168.122.0/24');
  });

  it.each(['10.201.4.1/16', '10.0.0.0/0', '10.0.0.0/31', '10.0.0.0/33', '10.0.0.0', '10.0.0.0/', 'x/8'])('refuses %j', (text) => {
    expect(parseIpv4Prefix(text)).toBeUndefined();
  });

  it('knows host addresses, network and broadcast addresses, and overlaps', () => {
    const p = parseIpv4Prefix('192.168.122.0/24')!;
    expect(isHostAddress(p, parseIpv4('192.168.122.1')!)).toBe(true);
    expect(isHostAddress(p, parseIpv4('192.168.122.254')!)).toBe(true);
    expect(isHostAddress(p, parseIpv4('192.168.122.0')!)).toBe(false);
    expect(isHostAddress(p, parseIpv4('192.168.122.255')!)).toBe(false);
    expect(isHostAddress(p, parseIpv4('192.168.123.1')!)).toBe(false);
    expect(prefixesOverlap(parseIpv4Prefix('10.0.0.0/8')!, parseIpv4Prefix('10.201.0.0/16')!)).toBe(true);
    expect(prefixesOverlap(parseIpv4Prefix('10.201.0.0/16')!, parseIpv4Prefix('10.101.0.0/16')!)).toBe(false);
  });
});
