/**
 * Logging in: rate-limited by user name and by client address, constant work whether or not the
 * user exists, audited either way.
 */
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { StrikerError } from '../core/errors/index.js';
import { audit } from '../audit/audit-store.js';
import type { LoginThrottle } from './login-throttle.js';
import { UNUSABLE_HASH, verifyPassword } from './password.js';
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

export async function login(
  db: Database,
  throttle: LoginThrottle,
  input: z.output<typeof loginSchema>,
  client: { ip: string; userAgent: string; requestId: string; sessionHours: number; now?: number },
): Promise<LoginResult> {
  const now = client.now ?? Date.now();
  const keys = [`user:${input.username.toLowerCase()}`, `ip:${client.ip}`];
  const wait = throttle.retryAfterMs(keys, now);
  if (wait > 0) {
    throw new StrikerError('RATE_LIMITED', `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`, { details: { retryAfterSeconds: Math.ceil(wait / 1000) } });
  }
  const user = await loginRecord(db, input.username.toLowerCase());
  const ok = await verifyPassword(input.password, user?.passwordHash ?? UNUSABLE_HASH);
  if (!user || !ok || user.disabled) {
    throttle.recordFailure(keys, now);
    await audit(db, { userId: null, name: input.username.slice(0, 63), role: 'viewer', via: 'session' }, {
      action: 'session.login-failed',
      targetKind: 'session',
      details: { ip: client.ip },
      requestId: client.requestId,
    });
    throw new StrikerError('LOGIN_FAILED', 'wrong user name or password');
  }
  throttle.recordSuccess(keys);
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
