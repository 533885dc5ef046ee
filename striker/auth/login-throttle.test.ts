import { describe, expect, it } from 'vitest';
import { LoginThrottle, type LoginAttempt } from './login-throttle.js';

const WINDOW = 300_000;
const limits = { attempts: 5, windowMs: WINDOW, slowdownAfter: 3, slowdownMaxMs: 10_000, slowdownBaseMs: 1000 };

function begin(throttle: LoginThrottle, user: string, ip: string, now = 0): LoginAttempt {
  const decision = throttle.begin(user, ip, now);
  if (!decision.allowed) throw new Error(`refused ${user} from ${ip}`);
  return decision.attempt;
}

describe('LoginThrottle', () => {
  it('counts an attempt when it begins, so concurrent attempts from one address stop at the limit', () => {
    const throttle = new LoginThrottle(limits);
    const decisions = Array.from({ length: 150 }, () => throttle.begin('admin', '10.0.0.9', 0));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    const refused = decisions.find((d) => !d.allowed);
    expect(refused).toEqual({ allowed: false, retryAfterMs: WINDOW });
  });

  it('lets an address try again once its oldest attempt leaves the window', () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 5; i++) begin(throttle, 'admin', '10.0.0.9', i * 1000);
    expect(throttle.begin('admin', '10.0.0.9', WINDOW - 1)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(throttle.begin('admin', '10.0.0.9', WINDOW + 1).allowed).toBe(true);
  });

  it('never locks a user out: failures from other addresses only delay, doubling up to the cap', () => {
    const throttle = new LoginThrottle(limits);
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const d = throttle.begin('admin', `10.0.1.${i}`, 0);
      expect(d.allowed).toBe(true);
      if (d.allowed) delays.push(d.delayMs);
    }
    expect(delays).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(throttle.begin('admin', '10.0.2.1', 0)).toMatchObject({ allowed: true, delayMs: 10_000 });
  });

  it('does not delay an address the user logged in from before', () => {
    const throttle = new LoginThrottle(limits);
    throttle.succeed(begin(throttle, 'admin', '10.0.0.1', 0));
    for (let i = 0; i < 20; i++) begin(throttle, 'admin', `10.6.6.${i}`, 1);
    expect(throttle.begin('admin', '10.0.0.1', 2)).toMatchObject({ allowed: true, delayMs: 0 });
    expect(throttle.begin('admin', '10.0.0.2', 2)).toMatchObject({ allowed: true, delayMs: 10_000 });
  });

  it('remembers only the most recent good addresses per user', () => {
    const throttle = new LoginThrottle({ ...limits, goodAddressesPerUser: 2 });
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) throttle.succeed(begin(throttle, 'admin', ip, 0));
    for (let i = 0; i < 5; i++) begin(throttle, 'admin', `10.6.6.${i}`, 1);
    expect(throttle.begin('admin', '10.0.0.1', 2)).toMatchObject({ delayMs: 4000 });
    expect(throttle.begin('admin', '10.0.0.3', 2)).toMatchObject({ delayMs: 0 });
  });

  it("a success frees only the same user's attempts from that address, not other users' failures", () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 4; i++) begin(throttle, `victim${i}`, '10.0.0.9', 0);
    throttle.succeed(begin(throttle, 'mallory', '10.0.0.9', 0));
    // Four failures for other users still count: one more attempt, then the address is refused.
    expect(throttle.begin('mallory', '10.0.0.9', 1).allowed).toBe(true);
    expect(throttle.begin('mallory', '10.0.0.9', 1).allowed).toBe(false);
  });

  it('a cancelled attempt (never checked) does not count', () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 10; i++) throttle.cancel(begin(throttle, 'admin', '10.0.0.9', 0));
    expect(throttle.begin('admin', '10.0.0.9', 0)).toMatchObject({ allowed: true, delayMs: 0 });
  });

  it('treats user names case-insensitively', () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 3; i++) begin(throttle, 'Admin', `10.0.1.${i}`, 0);
    expect(throttle.begin('ADMIN', '10.0.2.1', 0)).toMatchObject({ delayMs: 1000 });
  });

  it('keeps at most maxKeys addresses, dropping the least recently used', () => {
    const throttle = new LoginThrottle({ ...limits, maxKeys: 3 });
    for (let i = 0; i < 5; i++) begin(throttle, 'x', '10.0.0.1', 0);
    expect(throttle.begin('x', '10.0.0.1', 0).allowed).toBe(false);
    for (let i = 2; i < 6; i++) begin(throttle, `u${i}`, `10.0.0.${i}`, 0);
    // 10.0.0.1 was the least recently used address and has been dropped.
    expect(throttle.begin('x', '10.0.0.1', 0).allowed).toBe(true);
  });
});
