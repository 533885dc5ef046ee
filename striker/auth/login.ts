/**
 * Logging in: the attempt is recorded with the throttle before the password is checked (so
 * concurrent attempts count against each other), waits out the user's slow-down, checks the password
 * through the bounded hasher, spends the same work whether or not the user exists, and is audited
 * either way. The password is never logged or audited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { StrikerError } from '../core/errors/index.js';
import { audit } from '../audit/audit-store.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import { UNUSABLE_HASH } from './password.js';
import type { Role } from './roles.js';
import { createSession, type Session } from './session-store.js';
import { loginRecord } from './user-store.js';

export const loginSchema = z.strictObject({
  username: z.string().min(1, 'is required').max(63),
  password: z.string().min(1, 'is required').max(1024),
});

export interface LoginResult {
  session: Session;
  user: { id: string; username: string; role: Role; displayName: string };
}

/** What logging in is guarded by. */
export interface LoginGuard {
  throttle: LoginThrottle;
  hasher: PasswordHasher;
  /** Waits out a slow-down; a timer when not given. */
  delay?: ((ms: number) => Promise<void>) | undefined;
}

export async function login(
  db: Database,
  guard: LoginGuard,
  input: z.output<typeof loginSchema>,
  client: { ip: string; userAgent: string; requestId: string; sessionHours: number; now?: number },
): Promise<LoginResult> {
  const username = input.username.toLowerCase();
  const decision = guard.throttle.begin(username, client.ip, client.now ?? Date.now());
  if (!decision.allowed) {
    const seconds = Math.ceil(decision.retryAfterMs / 1000);
    throw new StrikerError('RATE_LIMITED', `too many failed logins from your address; try again in ${seconds} s`, { details: { retryAfterSeconds: seconds } });
  }
  const { attempt } = decision;
  let user: Awaited<ReturnType<typeof loginRecord>>;
  let ok: boolean;
  try {
    if (decision.delayMs > 0) await (guard.delay ?? sleep)(decision.delayMs);
    user = await loginRecord(db, username);
    ok = await guard.hasher.verify(input.password, user?.passwordHash ?? UNUSABLE_HASH);
  } catch (error) {
    // Never checked (Striker busy, database down): the attempt does not count.
    guard.throttle.cancel(attempt);
    throw error;
  }
  if (!user || !ok || user.disabled) {
    await auditFailure(db, user?.username, client);
    throw new StrikerError('LOGIN_FAILED', 'wrong user name or password');
  }
  guard.throttle.succeed(attempt);
  return startSession(db, user, client);
}

/**
 * A failed login is audited under the user's name only when that user exists: a name no user has
 * is often a password typed into the wrong field, so it is never stored.
 */
async function auditFailure(db: Database, knownUsername: string | undefined, client: { ip: string; requestId: string }): Promise<void> {
  await audit(db, { userId: null, name: knownUsername ?? '(unknown user)', role: 'viewer', via: 'session' }, {
    action: 'session.login-failed',
    targetKind: 'session',
    details: { ip: client.ip },
    requestId: client.requestId,
  });
}

/** A new session for a user whose credentials were just checked (or who was just created), audited. */
export async function startSession(
  db: Database,
  user: { id: string; username: string; role: Role; displayName: string },
  client: { ip: string; userAgent: string; requestId: string; sessionHours: number },
): Promise<LoginResult> {
  return db.tx(async (q) => {
    const session = await createSession(q, user.id, client.sessionHours, client);
    await audit(q, { userId: user.id, name: user.username, role: user.role, via: 'session' }, {
      action: 'session.login',
      targetKind: 'session',
      targetId: session.id,
      details: { ip: client.ip },
      requestId: client.requestId,
    });
    return { session, user: { id: user.id, username: user.username, role: user.role, displayName: user.displayName } };
  });
}
