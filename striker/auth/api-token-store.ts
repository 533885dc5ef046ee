/**
 * API tokens in PostgreSQL (the CLI elsewhere, agents), and resolving a bearer token to an
 * `Actor`. Only the token's SHA-256 is stored.
 */
import type { DbReader, DbWriter } from '../db/database.js';
import type { Actor } from '../audit/audit-store.js';
import type { Role } from './roles.js';
import { hashSecret } from './secret-token.js';

export interface ApiToken {
  id: string;
  name: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

const COLUMNS = `id, name, user_id AS "userId", created_at AS "createdAt", expires_at AS "expiresAt", last_used_at AS "lastUsedAt"`;

/**
 * Stores a token's hash; `days` null: it never expires. `notAfter`: it expires no later than this
 * (null: no cap). LEAST skips NULLs, so a never-expiring request under a cap gets the cap.
 */
export async function insertApiToken(q: DbWriter, userId: string, name: string, tokenHash: string, days: number | null, notAfter: Date | null = null): Promise<ApiToken> {
  const { rows } = await q.write<ApiToken>(
    `INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
     VALUES ($1, $2, $3, LEAST(CASE WHEN $4::float8 IS NULL THEN NULL ELSE clock_timestamp() + make_interval(days => $4::int) END, $5::timestamptz))
     RETURNING ${COLUMNS}`,
    [userId, name, tokenHash, days, notAfter],
  );
  return rows[0]!;
}

/** Live tokens of one user, or of everyone when `userId` is null. */
export async function listApiTokens(q: DbReader, userId: string | null): Promise<ApiToken[]> {
  const { rows } = await q.query<ApiToken>(
    `SELECT ${COLUMNS} FROM api_tokens WHERE revoked_at IS NULL AND ($1::uuid IS NULL OR user_id = $1) ORDER BY created_at`,
    [userId],
  );
  return rows;
}

/** Revokes a live token of `ownerId` (any owner when null); false when there is none. */
export async function revokeApiToken(q: DbWriter, id: string, ownerId: string | null): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE api_tokens SET revoked_at = clock_timestamp() WHERE id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR user_id = $2)`,
    [id, ownerId],
  );
  return (rowCount ?? 0) > 0;
}

/** Revokes every live token of a user (a new password, or disabled); how many. */
export async function revokeUserApiTokens(q: DbWriter, userId: string): Promise<number> {
  const { rowCount } = await q.write(`UPDATE api_tokens SET revoked_at = clock_timestamp() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
  return rowCount ?? 0;
}

/** A bearer token resolved: who it acts as, and the token itself. */
export interface ResolvedApiToken {
  actor: Actor;
  tokenId: string;
  /** null: it never expires. */
  expiresAt: Date | null;
}

/** The actor for a bearer token (its last use recorded), or undefined. */
export async function resolveApiToken(q: DbWriter, token: string): Promise<ResolvedApiToken | undefined> {
  const { rows } = await q.write<{ id: string; expires_at: Date | null; user_id: string; username: string; role: Role }>(
    `UPDATE api_tokens t SET last_used_at = clock_timestamp() FROM users u
      WHERE t.token_hash = $1 AND u.id = t.user_id AND t.revoked_at IS NULL AND NOT u.disabled
        AND (t.expires_at IS NULL OR t.expires_at > clock_timestamp())
      RETURNING t.id, t.expires_at, u.id AS user_id, u.username, u.role`,
    [hashSecret(token)],
  );
  const r = rows[0];
  return r ? { actor: { userId: r.user_id, name: r.username, role: r.role, via: 'token' }, tokenId: r.id, expiresAt: r.expires_at } : undefined;
}

/** Whether API token `tokenId` still holds: not revoked or expired, its user not disabled. Reads only. */
export async function apiTokenHolds(q: DbReader, tokenId: string): Promise<boolean> {
  const { rows } = await q.query(
    `SELECT 1 FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.id = $1 AND t.revoked_at IS NULL AND NOT u.disabled
        AND (t.expires_at IS NULL OR t.expires_at > clock_timestamp())`,
    [tokenId],
  );
  return rows.length > 0;
}
