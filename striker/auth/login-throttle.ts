/**
 * Login rate limiting: at most `attempts` failed logins per user name and per client address in a
 * sliding window. Pure, with the clock passed in; memory bounded by pruning old entries.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly attempts: number, private readonly windowMs: number, private readonly maxKeys = 100_000) {}

  /** Milliseconds until another attempt is allowed for any of the keys, or 0. */
  retryAfterMs(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.recent(key, now);
      if (recent.length >= this.attempts) wait = Math.max(wait, recent[0]! + this.windowMs - now);
    }
    return wait;
  }

  recordFailure(keys: readonly string[], now: number): void {
    if (this.failures.size > this.maxKeys) this.prune(now);
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }

  private prune(now: number): void {
    for (const [key, times] of this.failures) if (times.every((t) => t <= now - this.windowMs)) this.failures.delete(key);
  }
}
