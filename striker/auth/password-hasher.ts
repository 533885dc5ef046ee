/**
 * Hashing and checking passwords with a bound on how many run at once. scrypt runs on libuv's
 * thread pool (4 threads by default), which file reads share: a burst of logins hashing without a
 * bound would queue every file read behind it. At most `concurrency` hashes run; up to `queue` more
 * wait their turn; beyond that the caller is told Striker is busy (429 with Retry-After) instead of
 * waiting.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { StrikerError } from '../core/errors/index.js';
import { hashPassword, scryptKdf, verifyPassword, type Kdf } from './password.js';

export interface PasswordHasherLimits {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes that may wait for a turn. */
  queue: number;
}

export class PasswordHasher {
  private readonly limit: LimitFunction;
  private readonly kdf: Kdf;

  /** `kdf` defaults to scrypt; tests wrap it to observe the bound. */
  constructor(private readonly limits: PasswordHasherLimits, kdf: Kdf = scryptKdf) {
    this.limit = pLimit(limits.concurrency);
    this.kdf = (password, salt, options) => this.run(() => kdf(password, salt, options));
  }

  /** No bound: for a one-shot process such as the CLI. */
  static unbounded(): PasswordHasher {
    return new PasswordHasher({ concurrency: Infinity, queue: 0 });
  }

  hash(password: string): Promise<string> {
    return hashPassword(password, this.kdf);
  }

  verify(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored, this.kdf);
  }

  private run(fn: () => Promise<Buffer>): Promise<Buffer> {
    if (this.limit.activeCount + this.limit.pendingCount >= this.limits.concurrency + this.limits.queue) {
      return Promise.reject(new StrikerError('RATE_LIMITED', 'Striker is busy checking other passwords; try again in a moment', { details: { retryAfterSeconds: 1 } }));
    }
    return this.limit(fn);
  }
}
