/**
 * One-time registration tokens. A token is 32 random bytes, base64url (RFC 4648 §5), prefixed
 * `srt_`; only its SHA-256 is stored. Issuing a new token for a host replaces the old one; a
 * token is consumed at most once (the store's `consume` must be atomic: PostgreSQL does it with
 * one `UPDATE … WHERE … used_at IS NULL AND expires_at > now`, token-store.ts). Registration
 * exchanges the token for its answer (the agent credentials) all or nothing: a failure while the
 * answer is made leaves the token usable.
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

/** The hash of a presented token, or undefined when it is not spelled like one (`malformed`). */
export function presentedTokenHash(presented: unknown): string | undefined {
  return typeof presented === 'string' && /^srt_[A-Za-z0-9_-]{43}$/.test(presented) ? hashToken(presented) : undefined;
}

/**
 * Exchanges a host's one-time token (by its hash) for the registration's answer, all or nothing:
 * the token is spent only together with the answer being made, so a failure leaves it usable.
 * Undefined when the host has no unexpired, unused token with this hash (a replay, another
 * host's token, an expired or superseded one).
 */
export type RegistrationExchange = (hostId: string, tokenHash: string, peerIp: string, now: Date) => Promise<Record<string, unknown> | undefined>;

/** What a registration answers, made once the token is accepted. */
export type RegistrationAnswer = (hostId: string, peerIp: string) => Promise<Record<string, unknown>>;

/**
 * The exchange over the in-memory store (tests, running without a database): consume, then
 * answer; when the answer fails the token is put back.
 */
export function memoryExchange(store: MemoryTokenStore, answer: RegistrationAnswer = async (hostId) => ({ hostId })): RegistrationExchange {
  return async (hostId, hash, peerIp, now) => {
    const entry = store.entries.get(hostId);
    if (entry === undefined || !(await store.consume(hostId, hash, now))) return undefined;
    try {
      return await answer(hostId, peerIp);
    } catch (error) {
      if (!store.entries.has(hostId)) store.entries.set(hostId, entry);
      throw error;
    }
  };
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
