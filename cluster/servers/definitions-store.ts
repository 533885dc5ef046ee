/**
 * SQL for server definitions and their conflicts (migration 0041).
 */
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { DefinitionConflict, ServerDefinition } from './server-record.js';

const COLUMNS = `server_name AS "serverName", version, xml, hash, base_version AS "baseVersion", source, reported_by AS "reportedBy", created_at AS "createdAt"`;
const CONFLICT_COLUMNS = `id, server_name AS "serverName", base_version AS "baseVersion", kept_version AS "keptVersion", kept_by AS "keptBy",
  kept_xml AS "keptXml", kept_hash AS "keptHash", other_by AS "otherBy", other_xml AS "otherXml", other_hash AS "otherHash", state, chosen,
  settled_version AS "settledVersion", settled_by AS "settledBy", settled_at AS "settledAt", created_at AS "createdAt"`;

/** The version in force: the newest. */
export async function currentDefinition(q: DbReader, serverName: string): Promise<ServerDefinition | undefined> {
  const { rows } = await q.query<ServerDefinition>(`SELECT ${COLUMNS} FROM server_definitions WHERE server_name = $1 ORDER BY version DESC LIMIT 1`, [serverName]);
  return rows[0];
}

export async function definitionVersion(q: DbReader, serverName: string, version: number): Promise<ServerDefinition | undefined> {
  const { rows } = await q.query<ServerDefinition>(`SELECT ${COLUMNS} FROM server_definitions WHERE server_name = $1 AND version = $2`, [serverName, version]);
  return rows[0];
}

export type NewDefinition = Omit<ServerDefinition, 'createdAt'>;

export async function insertDefinition(q: DbWriter, d: NewDefinition): Promise<ServerDefinition> {
  const { rows } = await q.write<ServerDefinition>(
    `INSERT INTO server_definitions (server_name, version, xml, hash, base_version, source, reported_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [d.serverName, d.version, d.xml, d.hash, d.baseVersion, d.source, d.reportedBy],
  );
  return rows[0]!;
}

/** Every server's version 1: its XML and the hash stored with it. */
export async function versionOneDefinitions(q: DbReader): Promise<Pick<ServerDefinition, 'serverName' | 'xml' | 'hash'>[]> {
  const { rows } = await q.query<Pick<ServerDefinition, 'serverName' | 'xml' | 'hash'>>(
    `SELECT server_name AS "serverName", xml, hash FROM server_definitions WHERE version = 1 ORDER BY server_name`,
  );
  return rows;
}

/** Replaces the hash stored with a version (one migration 0047 stored as the hash of the text). */
export async function setDefinitionHash(q: DbWriter, serverName: string, version: number, hash: string): Promise<void> {
  await q.write(`UPDATE server_definitions SET hash = $3, modified_at = clock_timestamp() WHERE server_name = $1 AND version = $2 AND hash <> $3`, [serverName, version, hash]);
}

/** The versions of a server, newest first, without their XML. */
export async function definitionHistory(q: DbReader, serverName: string, limit = 20): Promise<Omit<ServerDefinition, 'xml'>[]> {
  const { rows } = await q.query<Omit<ServerDefinition, 'xml'>>(
    `SELECT server_name AS "serverName", version, hash, base_version AS "baseVersion", source, reported_by AS "reportedBy", created_at AS "createdAt"
       FROM server_definitions WHERE server_name = $1 ORDER BY version DESC LIMIT $2`,
    [serverName, limit],
  );
  return rows;
}

export async function openConflict(q: DbReader, serverName: string): Promise<DefinitionConflict | undefined> {
  const { rows } = await q.query<DefinitionConflict>(`SELECT ${CONFLICT_COLUMNS} FROM server_definition_conflicts WHERE server_name = $1 AND state = 'open'`, [serverName]);
  return rows[0];
}

export async function conflictById(q: DbReader, id: string): Promise<DefinitionConflict | undefined> {
  const { rows } = await q.query<DefinitionConflict>(`SELECT ${CONFLICT_COLUMNS} FROM server_definition_conflicts WHERE id = $1`, [id]);
  return rows[0];
}

/** A server's conflicts, open ones first, then the newest settled. */
export async function definitionConflicts(q: DbReader, serverName: string, limit = 10): Promise<DefinitionConflict[]> {
  const { rows } = await q.query<DefinitionConflict>(
    `SELECT ${CONFLICT_COLUMNS} FROM server_definition_conflicts WHERE server_name = $1 ORDER BY state = 'open' DESC, created_at DESC LIMIT $2`,
    [serverName, limit],
  );
  return rows;
}

export type NewConflict = Pick<DefinitionConflict, 'serverName' | 'baseVersion' | 'keptVersion' | 'keptBy' | 'keptXml' | 'keptHash' | 'otherBy' | 'otherXml' | 'otherHash'>;

export async function insertConflict(q: DbWriter, c: NewConflict): Promise<DefinitionConflict> {
  const { rows } = await q.write<DefinitionConflict>(
    `INSERT INTO server_definition_conflicts (server_name, base_version, kept_version, kept_by, kept_xml, kept_hash, other_by, other_xml, other_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${CONFLICT_COLUMNS}`,
    [c.serverName, c.baseVersion, c.keptVersion, c.keptBy, c.keptXml, c.keptHash, c.otherBy, c.otherXml, c.otherHash],
  );
  return rows[0]!;
}

/** Marks an open conflict settled; false when it was not open (settled meanwhile). */
export async function markConflictSettled(q: DbWriter, id: string, s: { chosen: 'kept' | 'other'; version: number; by: string | null }): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE server_definition_conflicts SET state = 'settled', chosen = $2, settled_version = $3, settled_by = $4, settled_at = clock_timestamp()
      WHERE id = $1 AND state = 'open'`,
    [id, s.chosen, s.version, s.by],
  );
  return (rowCount ?? 0) > 0;
}

/** Takes the server's row lock: reports and settlements of one server happen one at a time. */
export async function lockServerDefinitions(q: DbWriter, serverName: string): Promise<boolean> {
  const { rowCount } = await q.write(`SELECT 1 FROM servers WHERE name = $1 FOR UPDATE`, [serverName]);
  return (rowCount ?? 0) > 0;
}
