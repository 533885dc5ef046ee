/**
 * One-time registration tokens. A token is 32 random bytes, base64url (RFC 4648 §5), prefixed
 * `srt_`; only its SHA-256 is stored. Issuing a new token for a host replaces the old one; a
 * token is consumed at most once (the store's `consume` must be atomic: PostgreSQL does it with
 * `DELETE … WHERE host_id = $1 AND token_hash = $2 AND expires_at > now() RETURNING 1`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface IssuedToken {
  /** The plain token: goes into the kickstart only, never stored or logged. */
  token: string;
  hash: string;
  expiresAt: Date;
}

export interface TokenStore {
  /** Stores the hash for the host, replacing any earlier one. */
  put(hostId: string, hash: string, expiresAt: Date): Promise<void>;
  /** Atomically removes and reports whether an unexpired entry with this hash existed for the host. */
  consume(hostId: string, hash: string, now: Date): Promise<boolean>;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(now: Date, ttlSeconds: number, random: (n: number) => Buffer = randomBytes): IssuedToken {
  const token = `srt_${random(32).toString('base64url')}`;
  return { token, hash: hashToken(token), expiresAt: new Date(now.getTime() + ttlSeconds * 1000) };
}

export async function issueToken(store: TokenStore, hostId: string, now: Date, ttlSeconds: number): Promise<IssuedToken> {
  const issued = generateToken(now, ttlSeconds);
  await store.put(hostId, issued.hash, issued.expiresAt);
  return issued;
}

export type ConsumeResult = { ok: true } | { ok: false; reason: 'malformed' | 'invalid' };

/** Consumes a presented token once. Replays, wrong hosts and expired tokens are all `invalid`. */
export async function consumeToken(store: TokenStore, hostId: string, presented: unknown, now: Date): Promise<ConsumeResult> {
  if (typeof presented !== 'string' || !/^srt_[A-Za-z0-9_-]{43}$/.test(presented)) return { ok: false, reason: 'malformed' };
  return (await store.consume(hostId, hashToken(presented), now)) ? { ok: true } : { ok: false, reason: 'invalid' };
}

/** In-memory store for tests and for running without a database. */
export class MemoryTokenStore implements TokenStore {
  readonly entries = new Map<string, { hash: string; expiresAt: Date }>();

  async put(hostId: string, hash: string, expiresAt: Date): Promise<void> {
    this.entries.set(hostId, { hash, expiresAt });
  }

  async consume(hostId: string, hash: string, now: Date): Promise<boolean> {
    const entry = this.entries.get(hostId);
    if (entry === undefined) return false;
    const same = timingSafeEqual(Buffer.from(entry.hash, 'hex'), Buffer.from(hash.padEnd(64, '0').slice(0, 64), 'hex'));
    if (!same || entry.expiresAt.getTime() <= now.getTime()) return false;
    this.entries.delete(hostId);
    return true;
  }
}
