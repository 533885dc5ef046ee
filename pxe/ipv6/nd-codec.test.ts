import { describe, expect, it } from 'vitest';
import { StrikerError } from '../../striker/core/errors/index.js';
import { decodeRouterMessage, encodeRouterAdvertisement, encodeRouterSolicitation, formatIpv6, parseIpv6 } from './nd-codec.js';

describe('router advertisement encoding (RFC 4861 §4.2)', () => {
  it("Striker's advertisement: lifetime 0, M=0 O=0, no prefixes, the source link-layer address", () => {
    const bytes = encodeRouterAdvertisement({ routerLifetime: 0, sourceLinkAddress: '52:54:00:ab:cd:ef' });
    expect(bytes.toString('hex')).toBe('86000000' + '00000000' + '00000000' + '00000000' + '0101525400abcdef');
  });

  it('round-trips every field and option', () => {
    const ra = {
      curHopLimit: 64,
      managed: true,
      other: true,
      routerLifetime: 1800,
      reachableTime: 30_000,
      retransTimer: 1000,
      sourceLinkAddress: '02:00:00:00:00:01',
      mtu: 1500,
      prefixes: [{ prefix: 'fd00:77::', length: 64, onLink: true, autonomous: false, validLifetime: 86_400, preferredLifetime: 14_400 }],
    };
    expect(decodeRouterMessage(encodeRouterAdvertisement(ra))).toEqual({ kind: 'advertisement', ...ra });
  });

  it('a router solicitation decodes with its source link-layer address, and without one', () => {
    expect(decodeRouterMessage(encodeRouterSolicitation('52:54:00:12:34:56'))).toEqual({ kind: 'solicitation', sourceLinkAddress: '52:54:00:12:34:56' });
    expect(decodeRouterMessage(encodeRouterSolicitation())).toEqual({ kind: 'solicitation' });
  });

  it("decodes iPXE's router solicitation as captured (type 133, source link-layer option)", () => {
    // ICMPv6 body (checksum 0x2395 included) of the RS QEMU's iPXE ROM sent from fe80::5054:ff:fe77:5b01 to ff02::2, from a bench capture.
    const captured = Buffer.from('85002395000000000101525400775b01', 'hex');
    expect(decodeRouterMessage(captured)).toEqual({ kind: 'solicitation', sourceLinkAddress: '52:54:00:77:5b:01' });
  });
});

describe('malformed router messages are decode errors naming the field', () => {
  const ra = (hex: string): Buffer => Buffer.from(hex, 'hex');
  it.each([
    ['too short', '850000', /icmpv6 at offset 0: needs at least 8 bytes/],
    ['another ICMPv6 type', '8000000000000000', /type at offset 0: type 128/],
    ['code not 0', '8501000000000000', /code at offset 1: must be 0, got 1/],
    ['advertisement shorter than 16', '860000000000000000000000', /a router advertisement needs at least 16 bytes/],
    ['option of length 0', '85000000000000000100525400775b01', /option 1 at offset 8: option length must not be 0/],
    ['option past the end', '85000000000000000102525400775b01', /option 1 at offset 8: option of 16 bytes runs past/],
    ['dangling option byte', '850000000000000001', /options at offset 8: option header needs 2 bytes/],
    ['prefix option of the wrong size', '86000000000000000000000000000000' + '0301' + '000000000000', /option 3 at offset 16: prefix information must be 32 bytes, got 8/],
  ])('%s', (_name, hex, message) => {
    expect(() => decodeRouterMessage(ra(hex))).toThrow(message);
    try {
      decodeRouterMessage(ra(hex));
    } catch (error) {
      expect((error as StrikerError).code).toBe('DECODE_FAILED');
    }
  });

  it('random bytes only ever give a message or a decode error', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.alloc(next() % 64, 0).map(() => next() % 256);
      if (i % 2 === 0 && bytes.length > 1) [bytes[0], bytes[1]] = [133 + (i % 4 === 0 ? 1 : 0), 0];
      try {
        const m = decodeRouterMessage(bytes);
        expect(['solicitation', 'advertisement']).toContain(m.kind);
      } catch (error) {
        expect((error as StrikerError).code).toBe('DECODE_FAILED');
      }
    }
  });
});

describe('IPv6 text form (RFC 5952)', () => {
  it.each([
    ['fe80::5054:ff:fe77:5b01', 'fe80::5054:ff:fe77:5b01'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['::', '::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['ff02::2', 'ff02::2'],
  ])('%s → %s', (input, text) => {
    expect(formatIpv6(parseIpv6(input))).toBe(text);
  });

  it.each(['1::2::3', 'fe80::g', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9'])('refuses %s', (bad) => {
    expect(() => parseIpv6(bad)).toThrow(/is not an IPv6 address/);
  });
});
