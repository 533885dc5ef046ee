/**
 * HMAC-signed, expiring kickstart URLs. The signature is HMAC-SHA256 (RFC 2104, FIPS 180-4) over
 * `purpose`, host id and expiry time, base64url-encoded (RFC 4648 §5), compared in constant time.
 * A signature for one host or one purpose (`ks`, `events`) is worthless for another. Pure: the key
 * and the clock are parameters.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedPurpose = 'ks' | 'events';

export interface Signature {
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** base64url HMAC-SHA256. */
  sig: string;
}

export type SignatureCheck = { valid: true } | { valid: false; reason: 'missing' | 'malformed' | 'expired' | 'forged' };

function mac(key: Uint8Array, purpose: SignedPurpose, hostId: string, exp: number): Buffer {
  return createHmac('sha256', key).update(`striker-kickstart\n${purpose}\n${hostId}\n${exp}`).digest();
}

export function signHost(key: Uint8Array, purpose: SignedPurpose, hostId: string, now: Date, ttlSeconds: number): Signature {
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  return { exp, sig: mac(key, purpose, hostId, exp).toString('base64url') };
}

/** Path + query for a signed URL, e.g. `/ks/h1.ks?exp=…&sig=…` (base is prepended by the caller). */
export function signedPath(path: string, signature: Signature): string {
  return `${path}?exp=${signature.exp}&sig=${signature.sig}`;
}

/** Checks `exp`/`sig` query values as received (strings, possibly absent or repeated). */
export function verifySignature(key: Uint8Array, purpose: SignedPurpose, hostId: string, query: { exp?: unknown; sig?: unknown }, now: Date): SignatureCheck {
  if (query.exp === undefined && query.sig === undefined) return { valid: false, reason: 'missing' };
  if (typeof query.exp !== 'string' || typeof query.sig !== 'string') return { valid: false, reason: 'malformed' };
  if (!/^\d{1,12}$/.test(query.exp) || !/^[A-Za-z0-9_-]{43}$/.test(query.sig)) return { valid: false, reason: 'malformed' };
  const exp = Number(query.exp);
  const expected = mac(key, purpose, hostId, exp);
  const given = Buffer.from(query.sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'forged' };
  if (exp * 1000 <= now.getTime()) return { valid: false, reason: 'expired' };
  return { valid: true };
}
