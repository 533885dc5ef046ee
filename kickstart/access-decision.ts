/**
 * Who may fetch a host's kickstart (or post its install events): the machine itself, recognised
 * by the IP reserved for it — only when an admin set or confirmed that reservation, since anyone
 * who may describe machines could otherwise point it at their own address —, or by its MAC when
 * the caller could map the peer address to a MAC it trusts (the DHCP lease table — never a request
 * header, which anyone can set), or any request carrying a valid, unexpired signature for that
 * host. Everyone else is refused; the route answers 403 with no body, and the reason goes to the
 * log only. Pure.
 */
import { verifySignature, type SignedPurpose } from './signed-url.js';

export interface AccessHost {
  hostId: string;
  reservedIp?: string;
  /** false when the reservation was set by someone below admin and no admin confirmed it: the address alone is then not trusted. */
  reservedIpConfirmed?: boolean;
  reservedMac?: string;
}

export interface AccessRequest {
  peerIp: string;
  /** MAC the server itself associates with peerIp (lease table), if any. */
  peerMac?: string;
  query: { exp?: unknown; sig?: unknown };
}

export type AccessDecision =
  | { allowed: true; via: 'ip' | 'mac' | 'signature' }
  | { allowed: false; reason: 'unknown-host' | 'wrong-peer' | 'unconfirmed-reservation' | 'expired' | 'forged' | 'malformed' };

/** IPv4-mapped IPv6 peers (`::ffff:10.0.0.5`, RFC 4291 §2.5.5.2) compare as their IPv4 address. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

export function decideAccess(host: AccessHost | undefined, request: AccessRequest, key: Uint8Array, purpose: SignedPurpose, now: Date): AccessDecision {
  if (host === undefined) return { allowed: false, reason: 'unknown-host' };
  const check = verifySignature(key, purpose, host.hostId, request.query, now);
  if (check.valid) return { allowed: true, via: 'signature' };
  const fromReservedIp = host.reservedIp !== undefined && normalizeIp(request.peerIp) === host.reservedIp;
  if (fromReservedIp && host.reservedIpConfirmed !== false) return { allowed: true, via: 'ip' };
  if (host.reservedMac !== undefined && request.peerMac !== undefined && request.peerMac.toLowerCase() === host.reservedMac.toLowerCase()) {
    return { allowed: true, via: 'mac' };
  }
  if (check.reason !== 'missing') return { allowed: false, reason: check.reason };
  return { allowed: false, reason: fromReservedIp ? 'unconfirmed-reservation' : 'wrong-peer' };
}
