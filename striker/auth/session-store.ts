/**
 * Browser sessions in PostgreSQL, and resolving a session cookie to an `Actor`. Secrets are
 * stored hashed.
 */
import { randomBytes } from 'node:crypto';
import type { DbReader, DbWriter } from '../db/database.js';
import { StrikerError } from '../core/errors/index.js';
import type { Actor } from '../audit/audit-store.js';
import type { Role } from './roles.js';
import { hashSecret, newSecret } from './secret-token.js';

export interface Session {
  id: string;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ResolvedSession {
  actor: Actor;
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(q: DbWriter, userId: string, hours: number, client: { ip: string; userAgent: string }): Promise<Session> {
  const token = newSecret('sks');
  const csrfToken = randomBytes(24).toString('base64url');
  const { rows } = await q.write<{ id: string; expires_at: Date }>(
    `INSERT INTO sessions (user_id, token_hash, csrf_token, ip, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, clock_timestamp() + make_interval(secs => $6)) RETURNING id, expires_at`,
    [userId, hashSecret(token), csrfToken, client.ip, client.userAgent.slice(0, 300), hours * 3600],
  );
  return { id: rows[0]!.id, token, csrfToken, expiresAt: rows[0]!.expires_at };
}

/** The session for a cookie value (its last use recorded); throws SESSION_EXPIRED for a known but expired one. */
export async function resolveSession(q: DbWriter, token: string): Promise<ResolvedSession | undefined> {
  const { rows } = await q.write<{ id: string; csrf_token: string; expires_at: Date; expired: boolean; user_id: string; username: string; role: Role; disabled: boolean }>(
    `UPDATE sessions s SET last_seen_at = clock_timestamp() FROM users u
      WHERE s.token_hash = $1 AND u.id = s.user_id
      RETURNING s.id, s.csrf_token, s.expires_at, s.expires_at < clock_timestamp() AS expired, u.id AS user_id, u.username, u.role, u.disabled`,
    [hashSecret(token)],
  );
  const r = rows[0];
  if (!r || r.disabled) return undefined;
  if (r.expired) {
    await deleteSession(q, r.id);
    throw new StrikerError('SESSION_EXPIRED', 'your session has expired; log in again');
  }
  return { actor: { userId: r.user_id, name: r.username, role: r.role, via: 'session' }, sessionId: r.id, csrfToken: r.csrf_token, expiresAt: r.expires_at };
}

/** Whether session `sessionId` still holds: not deleted or expired, its user not disabled. Reads only. */
export async function sessionHolds(q: DbReader, sessionId: string): Promise<boolean> {
  const { rows } = await q.query(
    `SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.expires_at >= clock_timestamp() AND NOT u.disabled`,
    [sessionId],
  );
  return rows.length > 0;
}

export async function deleteSession(q: DbWriter, sessionId: string): Promise<void> {
  await q.write('DELETE FROM sessions WHERE id = $1', [sessionId]);
}

/** Ends every session of a user (disabled, or a new password). */
export async function deleteUserSessions(q: DbWriter, userId: string): Promise<void> {
  await q.write('DELETE FROM sessions WHERE user_id = $1', [userId]);
}

export async function purgeExpiredSessions(q: DbWriter): Promise<number> {
  const { rowCount } = await q.write('DELETE FROM sessions WHERE expires_at < clock_timestamp()');
  return rowCount ?? 0;
}
