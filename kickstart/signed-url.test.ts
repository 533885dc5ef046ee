import { describe, expect, it } from 'vitest';
import { signHost, signedPath, verifySignature } from './signed-url.js';
import { decideAccess, normalizeIp } from './access-decision.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);
const now = new Date('2026-01-01T00:00:00Z');
const later = (s: number): Date => new Date(now.getTime() + s * 1000);
const q = (s: { exp: number; sig: string }) => ({ exp: String(s.exp), sig: s.sig });

describe('signed kickstart URLs', () => {
  const s = signHost(key, 'ks', 'h1', now, 600);

  it('signs host, purpose and expiry', () => {
    expect(signedPath('/ks/h1.ks', s)).toBe(`/ks/h1.ks?exp=${Math.floor(now.getTime() / 1000) + 600}&sig=${s.sig}`);
    expect(verifySignature(key, 'ks', 'h1', q(s), later(599))).toEqual({ valid: true });
  });

  it.each([
    ['expired', () => verifySignature(key, 'ks', 'h1', q(s), later(600)), 'expired'],
    ['other host', () => verifySignature(key, 'ks', 'h2', q(s), now), 'forged'],
    ['other purpose', () => verifySignature(key, 'events', 'h1', q(s), now), 'forged'],
    ['other key', () => verifySignature(otherKey, 'ks', 'h1', q(s), now), 'forged'],
    ['expiry pushed out', () => verifySignature(key, 'ks', 'h1', { exp: String(s.exp + 3600), sig: s.sig }, now), 'forged'],
    ['flipped bit', () => verifySignature(key, 'ks', 'h1', { exp: String(s.exp), sig: `${s.sig.slice(0, -1)}${s.sig.endsWith('A') ? 'B' : 'A'}` }, now), 'forged'],
    ['missing', () => verifySignature(key, 'ks', 'h1', {}, now), 'missing'],
    ['repeated parameter', () => verifySignature(key, 'ks', 'h1', { exp: [String(s.exp)], sig: s.sig }, now), 'malformed'],
    ['not base64url', () => verifySignature(key, 'ks', 'h1', { exp: String(s.exp), sig: 'x'.repeat(42) + '!' }, now), 'malformed'],
  ] as const)('refuses %s', (_name, check, reason) => {
    expect(check()).toEqual({ valid: false, reason });
  });
});

describe('access decision', () => {
  const host = { hostId: 'h1', reservedIp: '10.201.10.2', reservedMac: '52:54:00:00:0a:01' };
  const sig = signHost(key, 'ks', 'h1', now, 600);

  it.each([
    ['the reserved IP', { peerIp: '10.201.10.2', query: {} }, { allowed: true, via: 'ip' }],
    ['the reserved IP, IPv4-mapped', { peerIp: '::ffff:10.201.10.2', query: {} }, { allowed: true, via: 'ip' }],
    ['the reserved MAC from the lease table', { peerIp: '10.201.99.9', peerMac: '52:54:00:00:0A:01', query: {} }, { allowed: true, via: 'mac' }],
    ['a valid signature from anywhere', { peerIp: '192.0.2.1', query: q(sig) }, { allowed: true, via: 'signature' }],
    ['a wrong IP', { peerIp: '10.201.10.3', query: {} }, { allowed: false, reason: 'wrong-peer' }],
    ['a wrong IP with a forged signature', { peerIp: '10.201.10.3', query: { exp: String(sig.exp), sig: 'A'.repeat(43) } }, { allowed: false, reason: 'forged' }],
    ['the right IP with a forged signature', { peerIp: '10.201.10.2', query: { exp: String(sig.exp), sig: 'A'.repeat(43) } }, { allowed: true, via: 'ip' }],
  ] as const)('%s', (_name, request, decision) => {
    expect(decideAccess(host, request, key, 'ks', now)).toEqual(decision);
  });

  // A reservation no admin set or confirmed: the address alone gets nothing; the MAC (lease table)
  // and a signature still do, so an installing machine is served as before.
  it.each([
    ['the reserved IP', { peerIp: '10.201.10.2', query: {} }, { allowed: false, reason: 'unconfirmed-reservation' }],
    ['the reserved IP with a forged signature', { peerIp: '10.201.10.2', query: { exp: String(sig.exp), sig: 'A'.repeat(43) } }, { allowed: false, reason: 'forged' }],
    ['the reserved MAC from the lease table', { peerIp: '10.201.10.2', peerMac: '52:54:00:00:0a:01', query: {} }, { allowed: true, via: 'mac' }],
    ['a valid signature', { peerIp: '10.201.10.2', query: q(sig) }, { allowed: true, via: 'signature' }],
  ] as const)('unconfirmed reservation: %s', (_name, request, decision) => {
    expect(decideAccess({ ...host, reservedIpConfirmed: false }, request, key, 'ks', now)).toEqual(decision);
  });

  it('refuses an expired signature and an unknown host', () => {
    expect(decideAccess(host, { peerIp: '192.0.2.1', query: q(sig) }, key, 'ks', later(601))).toEqual({ allowed: false, reason: 'expired' });
    expect(decideAccess(undefined, { peerIp: '10.201.10.2', query: q(sig) }, key, 'ks', now)).toEqual({ allowed: false, reason: 'unknown-host' });
  });

  it('normalizes only IPv4-mapped addresses', () => {
    expect(normalizeIp('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeIp('fe80::1')).toBe('fe80::1');
  });
});
