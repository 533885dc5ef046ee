/**
 * SQL for DR links and protections (migration 0034), and the two things the DR host changes in
 * the servers table: a protected server's `hosts` gains the DR host (so allocation keeps minors
 * and ports free on it) and loses it again when unprotected.
 */
import { ConflictError, NotFoundError } from '../../striker/core/errors/index.js';
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { ServerHost } from '../servers/index.js';
import type { DrCycleOutcome, DrHostJobs, DrLink, DrLinkState, DrMode, DrProtection, DrProtectionState, DrProtocol } from './dr-record.js';

const LINK_COLUMNS = `id, anvil, dr_host AS "drHost", dr_host_id AS "drHostId", dr_sn_address AS "drSnAddress", protocol, mode, schedule,
  state, link_job AS "linkJob", last_cycle_at AS "lastCycleAt", last_cycle_outcome AS "lastCycleOutcome", last_cycle_message AS "lastCycleMessage",
  owner_node AS "ownerNode", created_at AS "createdAt", modified_at AS "modifiedAt"`;

const PROTECTION_COLUMNS = `id, server_name AS "serverName", anvil, state, protected_since AS "protectedSince", jobs, error,
  created_at AS "createdAt", modified_at AS "modifiedAt"`;

export interface NewDrLink {
  anvil: string;
  drHost: string;
  drHostId: string;
  drSnAddress: string;
  protocol: DrProtocol;
  mode: DrMode;
  schedule: string | null;
  state: DrLinkState;
}

/** Serialises DR changes of a pair (link, unlink, protect, unprotect) with each other and with allocation. */
export async function lockDr(q: DbWriter): Promise<void> {
  await q.write(`SELECT pg_advisory_xact_lock(hashtextextended('servers:allocation', 0))`);
}

export async function insertDrLink(q: DbWriter, l: NewDrLink): Promise<DrLink> {
  try {
    const { rows } = await q.write<DrLink>(
      `INSERT INTO dr_links (anvil, dr_host, dr_host_id, dr_sn_address, protocol, mode, schedule, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${LINK_COLUMNS}`,
      [l.anvil, l.drHost, l.drHostId, l.drSnAddress, l.protocol, l.mode, l.schedule, l.state],
    );
    return rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictError(`${l.anvil} has a DR link already`, { anvil: l.anvil });
    throw error;
  }
}

export async function getDrLink(q: DbReader, anvil: string): Promise<DrLink | undefined> {
  const { rows } = await q.query<DrLink>(`SELECT ${LINK_COLUMNS} FROM dr_links WHERE anvil = $1`, [anvil]);
  return rows[0];
}

export async function listDrLinks(q: DbReader): Promise<DrLink[]> {
  const { rows } = await q.query<DrLink>(`SELECT ${LINK_COLUMNS} FROM dr_links ORDER BY anvil`);
  return rows;
}

/** The links whose schedule this Striker runs: boot-sync-shutdown, linked, owned here. */
export async function ownScheduledLinks(q: DbReader): Promise<DrLink[]> {
  const { rows } = await q.query<DrLink>(
    `SELECT ${LINK_COLUMNS} FROM dr_links
      WHERE mode = 'boot-sync-shutdown' AND state = 'linked' AND owner_node IS NOT DISTINCT FROM public.striker_node_name() ORDER BY anvil`,
  );
  return rows;
}

export async function setLinkJob(q: DbWriter, anvil: string, jobId: string): Promise<void> {
  await q.write(`UPDATE dr_links SET link_job = $2 WHERE anvil = $1`, [anvil, jobId]);
}

export async function setLinkState(q: DbWriter, anvil: string, state: DrLinkState): Promise<boolean> {
  const { rowCount } = await q.write(`UPDATE dr_links SET state = $2 WHERE anvil = $1 AND state IS DISTINCT FROM $2`, [anvil, state]);
  return (rowCount ?? 0) > 0;
}

export async function recordCycle(q: DbWriter, anvil: string, at: Date, outcome: DrCycleOutcome, message: string): Promise<void> {
  await q.write(
    `UPDATE dr_links SET last_cycle_at = $2, last_cycle_outcome = $3, last_cycle_message = $4 WHERE anvil = $1`,
    [anvil, at, outcome, message.slice(0, 2000)],
  );
}

export async function deleteDrLink(q: DbWriter, anvil: string): Promise<boolean> {
  const { rowCount } = await q.write(`DELETE FROM dr_links WHERE anvil = $1`, [anvil]);
  return (rowCount ?? 0) > 0;
}

export async function insertProtection(q: DbWriter, p: { serverName: string; anvil: string; jobs: DrHostJobs | null }): Promise<DrProtection> {
  try {
    const { rows } = await q.write<DrProtection>(
      `INSERT INTO dr_protections (server_name, anvil, jobs) VALUES ($1, $2, $3::jsonb) RETURNING ${PROTECTION_COLUMNS}`,
      [p.serverName, p.anvil, p.jobs === null ? null : JSON.stringify(p.jobs)],
    );
    return rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictError(`server ${p.serverName} is protected by the DR host already`, { server: p.serverName });
    throw error;
  }
}

export async function getProtection(q: DbReader, serverName: string): Promise<DrProtection | undefined> {
  const { rows } = await q.query<DrProtection>(`SELECT ${PROTECTION_COLUMNS} FROM dr_protections WHERE server_name = $1`, [serverName]);
  return rows[0];
}

export async function listProtections(q: DbReader, filter: { anvil?: string } = {}): Promise<DrProtection[]> {
  const { rows } = await q.query<DrProtection>(
    `SELECT ${PROTECTION_COLUMNS} FROM dr_protections WHERE ($1::text IS NULL OR anvil = $1) ORDER BY anvil, server_name`,
    [filter.anvil ?? null],
  );
  return rows;
}

export interface ProtectionUpdate {
  state: DrProtectionState;
  jobs?: DrHostJobs;
  /** Set protected_since to now (the DR host was added). */
  protectedNow?: boolean;
  error?: string | null;
}

export async function updateProtection(q: DbWriter, serverName: string, u: ProtectionUpdate): Promise<void> {
  const { rowCount } = await q.write(
    `UPDATE dr_protections SET state = $2, jobs = COALESCE($3::jsonb, jobs),
            protected_since = CASE WHEN $4 THEN clock_timestamp() ELSE protected_since END,
            error = CASE WHEN $5 THEN $6 ELSE error END
      WHERE server_name = $1`,
    [serverName, u.state, u.jobs === undefined ? null : JSON.stringify(u.jobs), u.protectedNow === true, u.error !== undefined, u.error ?? null],
  );
  if ((rowCount ?? 0) === 0) throw new NotFoundError('DR protection', serverName);
}

export async function deleteProtection(q: DbWriter, serverName: string): Promise<boolean> {
  const { rowCount } = await q.write(`DELETE FROM dr_protections WHERE server_name = $1`, [serverName]);
  return (rowCount ?? 0) > 0;
}

/** Sets a server's DRBD hosts (the pair's two, plus the DR host while it is protected). */
export async function setServerHosts(q: DbWriter, serverName: string, hosts: readonly ServerHost[]): Promise<void> {
  await q.write(`UPDATE servers SET hosts = $2::jsonb WHERE name = $1`, [serverName, JSON.stringify(hosts)]);
}
