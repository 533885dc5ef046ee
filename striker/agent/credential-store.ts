/**
 * Agent credentials in PostgreSQL: only each secret's SHA-256 is stored, and a host has at most
 * one live credential (a partial unique index). Resolving a credential only reads.
 */
import type { DbReader, DbWriter } from '../db/database.js';

export interface AgentCredentialRow {
  id: string;
  hostId: string;
  issuedBy: 'registration' | 'rotation';
  issuedAt: Date;
  revokedAt: Date | null;
  revokedReason: 'registration' | 'rotation' | 'revoked' | null;
}

const COLUMNS = `id, host_id AS "hostId", issued_by AS "issuedBy", issued_at AS "issuedAt", revoked_at AS "revokedAt", revoked_reason AS "revokedReason"`;

/** The channel a revoked or replaced credential's id is NOTIFYed on. */
export const credentialChannel = 'striker_agent_credentials';

/** Revokes the host's live credential, if any; its id. */
export async function revokeLiveCredential(q: DbWriter, hostId: string, reason: 'registration' | 'rotation' | 'revoked'): Promise<string | undefined> {
  // The NOTIFY (sent at commit) tells the CredentialWatch of every Striker on this database
  // (credential-watch.ts); peers with their own database see the revocation replicate.
  const { rows } = await q.write<{ id: string }>(
    `WITH r AS (UPDATE agent_credentials SET revoked_at = clock_timestamp(), revoked_reason = $2 WHERE host_id = $1 AND revoked_at IS NULL RETURNING id)
     SELECT id, pg_notify($3, id::text) FROM r`,
    [hostId, reason, credentialChannel],
  );
  return rows[0]?.id;
}

export async function insertCredential(q: DbWriter, hostId: string, secretHash: string, issuedBy: 'registration' | 'rotation'): Promise<AgentCredentialRow> {
  const { rows } = await q.write<AgentCredentialRow>(
    `INSERT INTO agent_credentials (host_id, secret_hash, issued_by) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [hostId, secretHash, issuedBy],
  );
  return rows[0]!;
}

/** The live credential with this hash: its id and host; undefined when unknown or revoked. */
export async function findLiveCredential(q: DbReader, secretHash: string): Promise<{ credentialId: string; hostId: string } | undefined> {
  const { rows } = await q.query<{ credentialId: string; hostId: string }>(
    `SELECT id AS "credentialId", host_id AS "hostId" FROM agent_credentials WHERE secret_hash = $1 AND revoked_at IS NULL`,
    [secretHash],
  );
  return rows[0];
}

/** Whether credential `id` is still live (for requests held open: a long poll). */
export async function credentialHolds(q: DbReader, id: string): Promise<boolean> {
  const { rows } = await q.query(`SELECT 1 FROM agent_credentials WHERE id = $1 AND revoked_at IS NULL`, [id]);
  return rows.length > 0;
}

export async function liveCredentialOf(q: DbReader, hostId: string): Promise<AgentCredentialRow | undefined> {
  const { rows } = await q.query<AgentCredentialRow>(`SELECT ${COLUMNS} FROM agent_credentials WHERE host_id = $1 AND revoked_at IS NULL`, [hostId]);
  return rows[0];
}
