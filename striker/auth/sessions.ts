/**
 * Browser sessions and API tokens, and resolving either to an `Actor`. Secrets are stored hashed.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../db/database.js';
import { NotFoundError, StrikerError } from '../core/errors/index.js';
import { audit, type Actor } from '../audit/audit-store.js';
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

export async function createSession(q: Queryable, userId: string, hours: number, client: { ip: string; userAgent: string }): Promise<Session> {
  const token = newSecret('sks');
  const csrfToken = randomBytes(24).toString('base64url');
  const { rows } = await q.query<{ id: string; expires_at: Date }>(
    `INSERT INTO sessions (user_id, token_hash, csrf_token, ip, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, clock_timestamp() + make_interval(secs => $6)) RETURNING id, expires_at`,
    [userId, hashSecret(token), csrfToken, client.ip, client.userAgent.slice(0, 300), hours * 3600],
  );
  return { id: rows[0]!.id, token, csrfToken, expiresAt: rows[0]!.expires_at };
}

/** The session for a cookie value; throws SESSION_EXPIRED for a known but expired one. */
export async function resolveSession(q: Queryable, token: string): Promise<ResolvedSession | undefined> {
  const { rows } = await q.query<{ id: string; csrf_token: string; expires_at: Date; expired: boolean; user_id: string; username: string; role: Role; disabled: boolean }>(
    `UPDATE sessions s SET last_seen_at = clock_timestamp() FROM users u
      WHERE s.token_hash = $1 AND u.id = s.user_id
      RETURNING s.id, s.csrf_token, s.expires_at, s.expires_at < clock_timestamp() AS expired, u.id AS user_id, u.username, u.role, u.disabled`,
    [hashSecret(token)],
  );
  const r = rows[0];
  if (!r || r.disabled) return undefined;
  if (r.expired) {
    await q.query('DELETE FROM sessions WHERE id = $1', [r.id]);
    throw new StrikerError('SESSION_EXPIRED', 'your session has expired; log in again');
  }
  return { actor: { userId: r.user_id, name: r.username, role: r.role, via: 'session' }, sessionId: r.id, csrfToken: r.csrf_token, expiresAt: r.expires_at };
}

export async function deleteSession(q: Queryable, sessionId: string): Promise<void> {
  await q.query('DELETE FROM sessions WHERE id = $1', [sessionId]);
}

export async function purgeExpiredSessions(q: Queryable): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM sessions WHERE expires_at < clock_timestamp()');
  return rowCount ?? 0;
}

export interface ApiToken {
  id: string;
  name: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

export async function createApiToken(db: Database, actor: Actor, userId: string, name: string, days: number | null, requestId?: string): Promise<{ token: string; info: ApiToken }> {
  const token = newSecret('skt');
  return db.tx(async (q) => {
    const { rows } = await q.query<ApiToken>(
      `INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
       VALUES ($1, $2, $3, CASE WHEN $4::float8 IS NULL THEN NULL ELSE clock_timestamp() + make_interval(days => $4::int) END)
       RETURNING id, name, user_id AS "userId", created_at AS "createdAt", expires_at AS "expiresAt", last_used_at AS "lastUsedAt"`,
      [userId, name, hashSecret(token), days],
    );
    await audit(q, actor, { action: 'token.create', targetKind: 'api_token', targetId: rows[0]!.id, details: { name, userId }, requestId });
    return { token, info: rows[0]! };
  });
}

export async function listApiTokens(q: Queryable, userId: string | null): Promise<ApiToken[]> {
  const { rows } = await q.query<ApiToken>(
    `SELECT id, name, user_id AS "userId", created_at AS "createdAt", expires_at AS "expiresAt", last_used_at AS "lastUsedAt"
       FROM api_tokens WHERE revoked_at IS NULL AND ($1::uuid IS NULL OR user_id = $1) ORDER BY created_at`,
    [userId],
  );
  return rows;
}

export async function revokeApiToken(db: Database, actor: Actor, id: string, requestId?: string): Promise<void> {
  await db.tx(async (q) => {
    const { rowCount } = await q.query(
      `UPDATE api_tokens SET revoked_at = clock_timestamp() WHERE id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR user_id = $2)`,
      [id, actor.role === 'admin' ? null : actor.userId],
    );
    if (!rowCount) throw new NotFoundError('API token', id);
    await audit(q, actor, { action: 'token.revoke', targetKind: 'api_token', targetId: id, requestId });
  });
}

export async function resolveApiToken(q: Queryable, token: string): Promise<Actor | undefined> {
  const { rows } = await q.query<{ user_id: string; username: string; role: Role }>(
    `UPDATE api_tokens t SET last_used_at = clock_timestamp() FROM users u
      WHERE t.token_hash = $1 AND u.id = t.user_id AND t.revoked_at IS NULL AND NOT u.disabled
        AND (t.expires_at IS NULL OR t.expires_at > clock_timestamp())
      RETURNING u.id AS user_id, u.username, u.role`,
    [hashSecret(token)],
  );
  const r = rows[0];
  return r ? { userId: r.user_id, name: r.username, role: r.role, via: 'token' } : undefined;
}
