/**
 * SQL for servers and their migrations (migration 0026).
 */
import { ConflictError, NotFoundError } from '../../striker/core/errors/index.js';
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { ExistingServer } from './allocate-server.js';
import type { ProvisionStep, Server, ServerHost, ServerMigration, ServerNetwork, ServerState } from './server-record.js';

const COLUMNS = `id, name, anvil, vcpus, memory_mib AS "memoryMiB", disk_gib AS "diskGiB", install_iso AS "installIso",
  driver_iso AS "driverIso", install_iso_file AS "installIsoFile", driver_iso_file AS "driverIsoFile", os_variant AS "osVariant", networks, hosts, drbd_minor AS "drbdMinor", drbd_port AS "drbdPort",
  preferred_node AS "preferredNode", live_migration AS "liveMigration", state, running_on AS "runningOn",
  provision_step AS "provisionStep", provision_job AS "provisionJob", provision_host_jobs AS "provisionHostJobs", provision_error AS "provisionError",
  created_at AS "createdAt", modified_at AS "modifiedAt"`;

const MIGRATION_COLUMNS = `id, server_name AS "serverName", anvil, from_node AS "fromNode", to_node AS "toNode", kind, outcome,
  started_at AS "startedAt", duration_ms AS "durationMs", downtime_ms AS "downtimeMs", job_id AS "jobId"`;

/** Serialises allocation: two servers created at once never get the same minor or port. */
export async function lockAllocation(q: DbWriter): Promise<void> {
  await q.write(`SELECT pg_advisory_xact_lock(hashtextextended('servers:allocation', 0))`);
}

/** Every server's name, hosts, minor and port, for allocation. */
export async function existingAllocations(q: DbReader): Promise<ExistingServer[]> {
  const { rows } = await q.query<{ name: string; hosts: ServerHost[]; minor: number; port: number }>(
    `SELECT name, hosts, drbd_minor AS minor, drbd_port AS port FROM servers`,
  );
  return rows.map((r) => ({ name: r.name, hosts: r.hosts.map((h) => h.name), minor: r.minor, port: r.port }));
}

/** What provisioning stores first: the server as allocated, before any state of its own. */
export type NewServer = Pick<Server, 'id' | 'name' | 'anvil' | 'vcpus' | 'memoryMiB' | 'diskGiB' | 'installIso' | 'driverIso' | 'osVariant'
  | 'networks' | 'hosts' | 'drbdMinor' | 'drbdPort' | 'preferredNode' | 'liveMigration'> & Partial<Pick<Server, 'installIsoFile' | 'driverIsoFile'>>;

export async function insertServer(q: DbWriter, s: NewServer): Promise<Server> {
  try {
    const { rows } = await q.write<Server>(
      `INSERT INTO servers (id, name, anvil, vcpus, memory_mib, disk_gib, install_iso, driver_iso, os_variant, networks, hosts,
                            drbd_minor, drbd_port, preferred_node, live_migration, install_iso_file, driver_iso_file)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $16, $17) RETURNING ${COLUMNS}`,
      [s.id, s.name, s.anvil, s.vcpus, s.memoryMiB, s.diskGiB, s.installIso, s.driverIso, s.osVariant, JSON.stringify(s.networks),
        JSON.stringify(s.hosts), s.drbdMinor, s.drbdPort, s.preferredNode, s.liveMigration, s.installIsoFile ?? null, s.driverIsoFile ?? null],
    );
    return rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictError(`a server named ${s.name}, or with minor ${s.drbdMinor} or port ${s.drbdPort} on ${s.anvil}, exists already`, { name: s.name });
    throw error;
  }
}

export async function listServers(q: DbReader, filter: { anvil?: string } = {}): Promise<Server[]> {
  const { rows } = await q.query<Server>(
    `SELECT ${COLUMNS} FROM servers WHERE ($1::text IS NULL OR anvil = $1) ORDER BY anvil, name`,
    [filter.anvil ?? null],
  );
  return rows;
}

/** The servers one of whose hosts is `hostId` (a node's agent id). */
export async function serversOnHost(q: DbReader, hostId: string): Promise<Server[]> {
  const { rows } = await q.query<Server>(
    `SELECT ${COLUMNS} FROM servers WHERE hosts @> jsonb_build_array(jsonb_build_object('hostId', $1::text)) ORDER BY name`,
    [hostId],
  );
  return rows;
}

export async function getServer(q: DbReader, name: string): Promise<Server> {
  const { rows } = await q.query<Server>(`SELECT ${COLUMNS} FROM servers WHERE name = $1`, [name]);
  if (!rows[0]) throw new NotFoundError('server', name.slice(0, 80));
  return rows[0];
}

export interface ProvisionUpdate {
  step?: ProvisionStep;
  state?: ServerState;
  job?: string | null;
  error?: string | null;
}

/** Records how far provisioning got (and the state it leaves the server in). */
export async function updateProvisioning(q: DbWriter, name: string, u: ProvisionUpdate): Promise<void> {
  await q.write(
    `UPDATE servers SET provision_step = COALESCE($2, provision_step), state = COALESCE($3, state),
            provision_job = CASE WHEN $4 THEN $5::uuid ELSE provision_job END,
            provision_error = CASE WHEN $6 THEN $7 ELSE provision_error END
      WHERE name = $1`,
    [name, u.step ?? null, u.state ?? null, u.job !== undefined, u.job ?? null, u.error !== undefined, u.error ?? null],
  );
}

/** Records the host jobs a provisioning enqueued. */
export async function setProvisionHostJobs(q: DbWriter, name: string, jobs: { node1: string; node2: string }): Promise<void> {
  await q.write(`UPDATE servers SET provision_host_jobs = $2::jsonb WHERE name = $1`, [name, JSON.stringify(jobs)]);
}

/** Records the server's state and the node it runs on, as pacemaker reports it. */
export async function updateRunState(q: DbWriter, name: string, state: ServerState, runningOn: string | null): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE servers SET state = $2, running_on = $3 WHERE name = $1 AND (state, running_on) IS DISTINCT FROM ($2, $3)`,
    [name, state, runningOn],
  );
  return (rowCount ?? 0) > 0;
}

export async function deleteServer(q: DbWriter, name: string): Promise<boolean> {
  await q.write(`DELETE FROM server_definition_conflicts WHERE server_name = $1`, [name]);
  await q.write(`DELETE FROM server_definitions WHERE server_name = $1`, [name]);
  const { rowCount } = await q.write(`DELETE FROM servers WHERE name = $1`, [name]);
  return (rowCount ?? 0) > 0;
}

export type NewMigration = Omit<ServerMigration, 'id'>;

export async function insertMigration(q: DbWriter, m: NewMigration): Promise<ServerMigration> {
  const { rows } = await q.write<ServerMigration>(
    `INSERT INTO server_migrations (server_name, anvil, from_node, to_node, kind, outcome, started_at, duration_ms, downtime_ms, job_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${MIGRATION_COLUMNS}`,
    [m.serverName, m.anvil, m.fromNode, m.toNode, m.kind, m.outcome, m.startedAt, m.durationMs, m.downtimeMs, m.jobId],
  );
  return rows[0]!;
}

/** Stores a migration under the id its reporter gave it; false when that id is stored already. */
export async function insertMigrationOnce(q: DbWriter, id: string, m: NewMigration): Promise<boolean> {
  const { rowCount } = await q.write(
    `INSERT INTO server_migrations (id, server_name, anvil, from_node, to_node, kind, outcome, started_at, duration_ms, downtime_ms, job_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
    [id, m.serverName, m.anvil, m.fromNode, m.toNode, m.kind, m.outcome, m.startedAt, m.durationMs, m.downtimeMs, m.jobId],
  );
  return (rowCount ?? 0) > 0;
}

/** A server's newest migrations first. */
export async function serverMigrations(q: DbReader, name: string, limit = 20): Promise<ServerMigration[]> {
  const { rows } = await q.query<ServerMigration>(
    `SELECT ${MIGRATION_COLUMNS} FROM server_migrations WHERE server_name = $1 ORDER BY started_at DESC LIMIT $2`,
    [name, limit],
  );
  return rows;
}

/** The median duration of each server's successful migrations (ms), for the servers of a pair. */
export async function medianMigrationMs(q: DbReader, anvil: string): Promise<Map<string, number>> {
  const { rows } = await q.query<{ name: string; ms: number }>(
    `SELECT server_name AS name, percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)::float8 AS ms
       FROM server_migrations WHERE anvil = $1 AND outcome = 'succeeded' GROUP BY server_name`,
    [anvil],
  );
  return new Map(rows.map((r) => [r.name, r.ms]));
}
