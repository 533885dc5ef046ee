/**
 * SQL for this Striker's peers (`striker_peers`: a per-Striker table, never replicated) and its
 * own node name. Sealed columns hold envelopes; this module never opens them.
 */
import type { EncryptedTable } from '../core/secrets/index.js';
import type { DbReader, DbWriter } from '../db/database.js';

/** The peers table's sealed columns (for the key-rotation registry). */
export const peerSecrets: EncryptedTable = { table: 'striker_peers', key: 'id', columns: ['db_password', 'peer_token'], scope: 'local' };

export interface PeerRow {
  /** The peer's node name. */
  id: string;
  /** The peer's host name as it told it when peered; null when it had none yet. */
  hostName: string | null;
  address: string;
  dbHost: string;
  dbPort: number;
  dbName: string;
  dbUser: string;
  /** Envelope. */
  dbPassword: string;
  localRole: string;
  /** Envelope. */
  peerToken: string;
  seededFromPeer: boolean;
  lastError: string | null;
  createdAt: Date;
  modifiedAt: Date;
}

const COLUMNS = `id, host_name AS "hostName", address, db_host AS "dbHost", db_port AS "dbPort", db_name AS "dbName", db_user AS "dbUser",
  db_password AS "dbPassword", local_role AS "localRole", peer_token AS "peerToken", seeded_from_peer AS "seededFromPeer",
  last_error AS "lastError", created_at AS "createdAt", modified_at AS "modifiedAt"`;

/** This Striker's node name (replication_node). */
export async function localNodeName(q: DbReader): Promise<string> {
  const { rows } = await q.query<{ name: string }>('SELECT public.striker_node_name() AS name');
  return rows[0]!.name;
}

export async function listPeers(q: DbReader): Promise<PeerRow[]> {
  return (await q.query<PeerRow>(`SELECT ${COLUMNS} FROM striker_peers ORDER BY id`)).rows;
}

export async function findPeer(q: DbReader, id: string): Promise<PeerRow | undefined> {
  return (await q.query<PeerRow>(`SELECT ${COLUMNS} FROM striker_peers WHERE id = $1`, [id])).rows[0];
}

export async function insertPeer(q: DbWriter, p: Omit<PeerRow, 'createdAt' | 'modifiedAt' | 'lastError'>): Promise<void> {
  await q.write(
    `INSERT INTO striker_peers (id, address, db_host, db_port, db_name, db_user, db_password, local_role, peer_token, seeded_from_peer, host_name)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [p.id, p.address, p.dbHost, p.dbPort, p.dbName, p.dbUser, p.dbPassword, p.localRole, p.peerToken, p.seededFromPeer, p.hostName],
  );
}

export async function deletePeer(q: DbWriter, id: string): Promise<boolean> {
  return ((await q.write('DELETE FROM striker_peers WHERE id = $1', [id])).rowCount ?? 0) === 1;
}

export async function setPeerError(q: DbWriter, id: string, error: string | null): Promise<void> {
  await q.write('UPDATE striker_peers SET last_error = $2 WHERE id = $1 AND last_error IS DISTINCT FROM $2', [id, error?.slice(0, 2000) ?? null]);
}

/** Unresolved conflicts (the replication core's `conflicts` table) per origin that took part. */
export async function unresolvedConflictsByOrigin(q: DbReader): Promise<Map<string, number>> {
  const { rows } = await q.query<{ origin: string; n: number }>(
    `SELECT origin, count(*)::int AS n FROM (
       SELECT kept_origin AS origin, id FROM public.conflicts WHERE resolved_at IS NULL
       UNION SELECT discarded_origin, id FROM public.conflicts WHERE resolved_at IS NULL) c
     GROUP BY origin`,
  );
  return new Map(rows.map((r) => [r.origin, r.n]));
}
