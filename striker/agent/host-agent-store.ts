/**
 * What each host's agent last told Striker (`host_agents`): version, run, which Striker it talks
 * to, last heartbeat, inventory. And the one read about jobs the agent routes need besides the
 * job store's: which host a job is addressed to.
 */
import type { DbReader, DbWriter } from '../db/database.js';
import type { Inventory } from './inventory-schema.js';

export interface HostAgentRow {
  hostId: string;
  version: string;
  instanceId: string;
  strikerUrl: string;
  startedAt: Date;
  lastHeartbeatAt: Date;
  inventory: Inventory | null;
  inventoryAt: Date | null;
}

const COLUMNS = `host_id AS "hostId", version, instance_id AS "instanceId", striker_url AS "strikerUrl", started_at AS "startedAt",
  last_heartbeat_at AS "lastHeartbeatAt", inventory, inventory_at AS "inventoryAt"`;

/** An agent started (hello): its version, run and Striker; counts as a heartbeat. */
export async function recordAgentStart(q: DbWriter, a: { hostId: string; instanceId: string; version: string; strikerUrl: string }): Promise<void> {
  await q.write(
    `INSERT INTO host_agents (host_id, version, instance_id, striker_url, started_at, last_heartbeat_at)
     VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp())
     ON CONFLICT (host_id) DO UPDATE SET version = EXCLUDED.version, instance_id = EXCLUDED.instance_id,
       striker_url = EXCLUDED.striker_url, started_at = EXCLUDED.started_at, last_heartbeat_at = EXCLUDED.last_heartbeat_at`,
    [a.hostId, a.version, a.instanceId, a.strikerUrl],
  );
}

/** A heartbeat from the agent's current run; false when the host has no agent row. */
export async function recordHeartbeat(q: DbWriter, hostId: string, strikerUrl: string): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE host_agents SET last_heartbeat_at = clock_timestamp(), striker_url = $2 WHERE host_id = $1`,
    [hostId, strikerUrl],
  );
  return (rowCount ?? 0) > 0;
}

/** Stores the inventory; false when the host has no agent row (it never said hello). */
export async function saveInventory(q: DbWriter, hostId: string, inventory: Inventory): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE host_agents SET inventory = $2, inventory_at = clock_timestamp() WHERE host_id = $1`,
    [hostId, JSON.stringify(inventory)],
  );
  return (rowCount ?? 0) > 0;
}

export async function getHostAgent(q: DbReader, hostId: string): Promise<HostAgentRow | undefined> {
  const { rows } = await q.query<HostAgentRow>(`SELECT ${COLUMNS} FROM host_agents WHERE host_id = $1`, [hostId]);
  return rows[0];
}

/** Which host a job is addressed to: undefined when there is no such job, null when it is Striker's. */
export async function jobTargetOf(q: DbReader, jobId: string): Promise<string | null | undefined> {
  const { rows } = await q.query<{ target_host: string | null }>(`SELECT target_host FROM jobs WHERE id = $1`, [jobId]);
  return rows.length === 0 ? undefined : rows[0]!.target_host;
}

/** Whether `workerId` holds job `jobId` (running, claimed by it). */
export async function jobHeldBy(q: DbReader, jobId: string, workerId: string): Promise<boolean> {
  const { rows } = await q.query(`SELECT 1 FROM jobs WHERE id = $1 AND worker_id = $2 AND status = 'running'`, [jobId, workerId]);
  return rows.length > 0;
}

/** Every host that registered (has or had a credential) or whose agent reported, with its live credential and agent row. */
export interface HostSummaryRow {
  hostId: string;
  credentialId: string | null;
  credentialIssuedAt: Date | null;
  version: string | null;
  strikerUrl: string | null;
  lastHeartbeatAt: Date | null;
  inventoryAt: Date | null;
  hostName: string | null;
}

export async function listHosts(q: DbReader): Promise<HostSummaryRow[]> {
  const { rows } = await q.query<HostSummaryRow>(
    `WITH ids AS (SELECT host_id FROM agent_credentials UNION SELECT host_id FROM host_agents)
     SELECT ids.host_id AS "hostId", c.id AS "credentialId", c.issued_at AS "credentialIssuedAt", a.version, a.striker_url AS "strikerUrl",
            a.last_heartbeat_at AS "lastHeartbeatAt", a.inventory_at AS "inventoryAt", a.inventory->>'hostName' AS "hostName"
       FROM ids
       LEFT JOIN agent_credentials c ON c.host_id = ids.host_id AND c.revoked_at IS NULL
       LEFT JOIN host_agents a ON a.host_id = ids.host_id
      ORDER BY ids.host_id`,
  );
  return rows;
}

/** Whether anything is known of this host (a credential, live or revoked, or an agent row). */
export async function hostKnown(q: DbReader, hostId: string): Promise<boolean> {
  const { rows } = await q.query(
    `SELECT 1 FROM agent_credentials WHERE host_id = $1 UNION ALL SELECT 1 FROM host_agents WHERE host_id = $1 LIMIT 1`,
    [hostId],
  );
  return rows.length > 0;
}

/**
 * When the next queued job of this host becomes claimable (a retry waiting out its delay); null
 * when none is queued but held or waiting for other jobs (those change by an event: a release, a
 * dependency's success).
 */
export async function nextRunAfter(q: DbReader, hostId: string): Promise<Date | null> {
  const { rows } = await q.query<{ at: Date | null }>(
    `SELECT min(j.run_after) AS at FROM jobs j WHERE j.status = 'queued' AND j.target_host = $1 AND j.held_reason IS NULL
        AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.id = ANY (j.waits_for) AND d.status <> 'succeeded')`,
    [hostId],
  );
  return rows[0]?.at ?? null;
}
