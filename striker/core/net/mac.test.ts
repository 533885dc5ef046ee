import { describe, expect, it } from 'vitest';
import { formatMac, isMac, macSchema, normalizeMac } from './mac.js';

/** Every input with its one verdict: the canonical MAC, or refused. */
const macs: [string, string | 'refused'][] = [
  ['52:54:00:12:34:56', '52:54:00:12:34:56'],
  ['52:54:00:12:34:AB', '52:54:00:12:34:ab'],
  ['52-54-00-12-34-ab', '52:54:00:12:34:ab'],
  ['52-54-00-12-34-AB', '52:54:00:12:34:ab'],
  ['FF:FF:FF:FF:FF:FF', 'ff:ff:ff:ff:ff:ff'],
  ['00:00:00:00:00:00', '00:00:00:00:00:00'],
  ['52:54:00-12:34:56', 'refused'], // mixed separators
  ['525400123456', 'refused'],
  ['5254.0012.3456', 'refused'],
  ['52:54:00:12:34', 'refused'],
  ['52:54:00:12:34:56:78', 'refused'],
  ['52:54:00:12:34:5g', 'refused'],
  ['52:54:00:12:34:5G', 'refused'],
  ['52:54:0:12:34:567', 'refused'],
  [' 52:54:00:12:34:56', 'refused'],
  ['52:54:00:12:34:56 ', 'refused'],
  ['52_54_00_12_34_56', 'refused'],
  ['${net0/mac}', 'refused'],
  ['', 'refused'],
];

describe('MAC addresses: hex pairs, either case, all colons or all dashes', () => {
  it.each(macs)('%j → %s', (text, verdict) => {
    if (verdict === 'refused') {
      expect(normalizeMac(text)).toBeUndefined();
      expect(macSchema.safeParse(text).success).toBe(false);
    } else {
      expect(normalizeMac(text)).toBe(verdict);
      expect(macSchema.parse(text)).toBe(verdict);
    }
    expect(isMac(text)).toBe(verdict === text);
  });

  it('says what it expects', () => {
    const r = macSchema.safeParse('52:54:00:12:34');
    expect(r.success || r.error.issues.map((i) => i.message)).toEqual(['must be a MAC address like 52:54:00:12:34:56']);
  });

  it('formats hardware address bytes in canonical form', () => {
    expect(formatMac(new Uint8Array([0x52, 0x54, 0x00, 0x0a, 0xbc, 0xff]))).toBe('52:54:00:0a:bc:ff');
    const chaddr = new Uint8Array(16);
    chaddr.set([0x52, 0x54, 0, 1, 2, 3, 0xee]);
    expect(formatMac(chaddr, 6)).toBe('52:54:00:01:02:03');
    expect(formatMac(chaddr, 0)).toBe('');
    expect(normalizeMac(formatMac(chaddr, 6))).toBe('52:54:00:01:02:03');
  });
});
