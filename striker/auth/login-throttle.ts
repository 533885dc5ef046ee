/**
 * Login rate limiting, pure, with the clock passed in. An attempt is recorded before its password is
 * checked (`begin`), so concurrent attempts count against each other and at most `attempts` per
 * client address are ever verified in a window.
 *
 * - Per address: at most `attempts` attempts in the window (in flight or failed); beyond that the
 *   address is refused until the oldest ages out. A success frees only that user's attempts from
 *   that address, never another user's failures.
 * - Per user: no hard lockout (anyone could trigger it against the real admin); instead each attempt
 *   is delayed once the user has `slowdownAfter` recent failures, the delay doubling per further
 *   failure up to `slowdownMaxMs`. An address the user logged in from before (the most recent few
 *   are remembered) is not delayed by failures from elsewhere.
 *
 * Memory is bounded: lists only hold entries inside the window, per-user lists are capped, and the
 * maps drop their oldest keys beyond `maxKeys`.
 */
export interface LoginThrottleLimits {
  /** Attempts per client address in the window. */
  attempts: number;
  windowMs: number;
  /** Recent failures of one user before its attempts are delayed. */
  slowdownAfter: number;
  /** The longest delay. */
  slowdownMaxMs: number;
  /** The first delay; each further failure doubles it. */
  slowdownBaseMs?: number;
  /** Addresses remembered per user as having logged in successfully. */
  goodAddressesPerUser?: number;
  /** Addresses, users and remembered users kept at most (oldest dropped first). */
  maxKeys?: number;
}

/** An attempt in flight: pass it back to `succeed` or `cancel`; a failed one needs nothing (it stays counted). */
export interface LoginAttempt {
  readonly user: string;
  readonly ip: string;
  readonly at: number;
}

export type LoginDecision = { allowed: true; attempt: LoginAttempt; delayMs: number } | { allowed: false; retryAfterMs: number };

/** The most entries kept per user: the delay is already at its cap long before. */
const USER_ENTRIES_MAX = 64;

export class LoginThrottle {
  private readonly byAddress = new Map<string, LoginAttempt[]>();
  private readonly byUser = new Map<string, LoginAttempt[]>();
  private readonly goodAddresses = new Map<string, string[]>();
  private readonly limits: Required<LoginThrottleLimits>;

  constructor(limits: LoginThrottleLimits) {
    this.limits = { slowdownBaseMs: 1000, goodAddressesPerUser: 8, maxKeys: 100_000, ...limits };
  }

  /** Records an attempt by `user` from `ip` before its password is checked, or refuses it. */
  begin(user: string, ip: string, now: number): LoginDecision {
    const key = userKey(user);
    const fromAddress = this.recent(this.byAddress, ip, now);
    if (fromAddress.length >= this.limits.attempts) {
      return { allowed: false, retryAfterMs: Math.max(1, fromAddress[0]!.at + this.limits.windowMs - now) };
    }
    const forUser = this.recent(this.byUser, key, now);
    const known = this.goodAddresses.get(key)?.includes(ip) ?? false;
    const delayMs = known ? 0 : this.delayFor(forUser.length);
    const attempt: LoginAttempt = { user: key, ip, at: now };
    this.store(this.byAddress, ip, [...fromAddress, attempt]);
    this.store(this.byUser, key, [...forUser, attempt].slice(-USER_ENTRIES_MAX));
    return { allowed: true, attempt, delayMs };
  }

  /** The password was right: frees this user's attempts from this address and remembers the address. */
  succeed(attempt: LoginAttempt): void {
    this.filter(this.byAddress, attempt.ip, (a) => a.user !== attempt.user);
    this.filter(this.byUser, attempt.user, (a) => a.ip !== attempt.ip);
    const good = (this.goodAddresses.get(attempt.user) ?? []).filter((ip) => ip !== attempt.ip);
    this.store(this.goodAddresses, attempt.user, [...good, attempt.ip].slice(-this.limits.goodAddressesPerUser));
  }

  /** The attempt was never checked (Striker busy, database down): it does not count. */
  cancel(attempt: LoginAttempt): void {
    this.filter(this.byAddress, attempt.ip, (a) => a !== attempt);
    this.filter(this.byUser, attempt.user, (a) => a !== attempt);
  }

  /** The delay before checking a password for a user with `failures` recent failures. */
  private delayFor(failures: number): number {
    const { slowdownAfter, slowdownBaseMs, slowdownMaxMs } = this.limits;
    if (failures < slowdownAfter) return 0;
    return Math.min(slowdownMaxMs, slowdownBaseMs * 2 ** Math.min(failures - slowdownAfter, 30));
  }

  private recent(map: Map<string, LoginAttempt[]>, key: string, now: number): LoginAttempt[] {
    return (map.get(key) ?? []).filter((a) => a.at > now - this.limits.windowMs);
  }

  private filter(map: Map<string, LoginAttempt[]>, key: string, keep: (a: LoginAttempt) => boolean): void {
    const list = map.get(key);
    if (list === undefined) return;
    const kept = list.filter(keep);
    if (kept.length === 0) map.delete(key);
    else map.set(key, kept);
  }

  /** Sets `key` as the newest entry; drops the oldest beyond `maxKeys`. */
  private store<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
    if (map.size <= this.limits.maxKeys) return;
    for (const oldest of map.keys()) {
      map.delete(oldest);
      if (map.size <= this.limits.maxKeys) break;
    }
  }
}

function userKey(user: string): string {
  return user.toLowerCase().slice(0, 63);
}
