/**
 * Replication status, per subscription (changes coming in from a peer) and per slot (a peer's
 * subscription to this Striker), read from PostgreSQL's own views. With `probePeers`, each peer is
 * asked over the subscription's own connection how far behind this Striker is (bytes held in its
 * slot for us, replay lag) and which schema it is at.
 */
import pg from 'pg';
import type { DbReader } from '../database.js';
import { redactUrl } from '../database.js';
import { slotName, subscriptionName } from './names.js';
import { appliedSchemaVersion, localNodeName } from './publication-store.js';
import { listSubscriptions } from './subscription-store.js';

export interface SubscriptionStatus {
  peer: string;
  subscription: string;
  /** The peer's database, password removed. */
  connection: string;
  enabled: boolean;
  /** An apply worker is running for it. */
  workerRunning: boolean;
  receivedLsn: string | null;
  lastMessageAt: Date | null;
  /** WAL the peer holds for this Striker not yet applied here (probePeers; null: unknown). */
  lagBytes: number | null;
  /** How far behind in time (probePeers; 0 when nothing is pending; null: unknown). */
  lagSeconds: number | null;
  /** The peer's slot for this Striker: 'reserved'/'extended' fine, 'unreserved' at risk, 'lost': re-seed this peer. */
  peerSlotStatus: string | null;
  /**
   * Tables of this subscription still in their initial copy (seeding). Until it is 0, changes to
   * those tables wait for their table-sync worker and lag is that of the copy, not of the stream.
   */
  tablesCopying: number;
  applyErrors: number;
  syncErrors: number;
  conflictsDetected: number;
  peerSchemaVersion: number | null;
  /** Why the subscription is not replicating, when known. */
  lastError: string | null;
}

export interface SlotStatus {
  slot: string;
  active: boolean;
  /** WAL kept for this slot's subscriber, bytes. */
  retainedBytes: number;
  /** reserved, extended, unreserved or lost (lost: the subscriber must be re-seeded). */
  walStatus: string | null;
  /** WAL that may still be written before the slot is lost (null: no limit). */
  safeWalSizeBytes: number | null;
}

export interface ReplicationStatus {
  node: string;
  schemaVersion: number;
  subscriptions: SubscriptionStatus[];
  slots: SlotStatus[];
  unresolvedConflicts: number;
  /** Peers whose schema is ahead of this Striker's: this Striker must be upgraded. */
  schemaBehind: { peer: string; peerVersion: number; localVersion: number }[];
}

interface PeerProbe {
  lagBytes: number | null;
  lagSeconds: number | null;
  slotStatus: string | null;
  schemaVersion: number | null;
  error: string | null;
}

export async function readReplicationStatus(db: DbReader, options: { probePeers?: boolean; probeTimeoutMs?: number } = {}): Promise<ReplicationStatus> {
  const node = await localNodeName(db);
  const schemaVersion = await appliedSchemaVersion(db);
  const subs = await listSubscriptions(db);
  const { rows: workers } = await db.query<{ subname: string; received_lsn: string | null; last_msg_receipt_time: Date | null }>(
    `SELECT w.subname, w.received_lsn::text, w.last_msg_receipt_time FROM pg_catalog.pg_stat_subscription w
       JOIN pg_catalog.pg_subscription s ON s.oid = w.subid
      WHERE w.relid IS NULL AND w.pid IS NOT NULL AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`,
  );
  const { rows: stats } = await db.query<{ subname: string; apply_error_count: number; sync_error_count: number; conflicts: number }>(
    `SELECT x.subname, apply_error_count, sync_error_count,
            (confl_insert_exists + confl_update_origin_differs + confl_update_exists + confl_update_missing
             + confl_delete_origin_differs + confl_delete_missing + confl_multiple_unique_conflicts)::bigint AS conflicts
       FROM pg_catalog.pg_stat_subscription_stats x JOIN pg_catalog.pg_subscription s ON s.oid = x.subid
      WHERE s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`,
  );
  const { rows: copying } = await db.query<{ subname: string; n: number }>(
    `SELECT s.subname, count(*)::int AS n FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
      WHERE r.srsubstate <> 'r' AND s.subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) GROUP BY s.subname`,
  );
  const { rows: versions } = await db.query<{ node_name: string; schema_version: number }>('SELECT node_name, schema_version FROM public.striker_schema_versions');
  const subscriptions: SubscriptionStatus[] = [];
  for (const s of subs) {
    const worker = workers.find((w) => w.subname === s.subscription);
    const stat = stats.find((x) => x.subname === s.subscription);
    const probe = options.probePeers ? await probePeer(s.connectionString, slotName(node, s.peer), subscriptionName(s.peer), s.peer, options.probeTimeoutMs ?? 3000) : undefined;
    const known = versions.find((v) => v.node_name === s.peer)?.schema_version ?? null;
    const peerSchemaVersion = probe?.schemaVersion ?? known;
    let lastError = probe?.error ?? null;
    if (peerSchemaVersion !== null && peerSchemaVersion > schemaVersion) {
      lastError = `schema behind: ${s.peer} is at migration ${peerSchemaVersion}, this Striker at ${schemaVersion}; upgrade this Striker`;
    } else if (!s.enabled) {
      lastError ??= 'disabled on this Striker (ALTER SUBSCRIPTION … ENABLE resumes it)';
    } else if (worker === undefined && (stat?.apply_error_count ?? 0) > 0) {
      lastError ??= `the apply worker stopped after an error (${stat?.apply_error_count} so far; see this Striker's PostgreSQL log)`;
    } else if (probe?.slotStatus === 'lost') {
      lastError = `${s.peer} no longer holds the WAL this Striker needs (max_slot_wal_keep_size): re-seed this peer`;
    }
    subscriptions.push({
      peer: s.peer,
      subscription: s.subscription,
      connection: redactUrl(s.connectionString),
      enabled: s.enabled,
      workerRunning: worker !== undefined,
      receivedLsn: worker?.received_lsn ?? null,
      lastMessageAt: worker?.last_msg_receipt_time ?? null,
      lagBytes: probe?.lagBytes ?? null,
      lagSeconds: probe?.lagSeconds ?? null,
      peerSlotStatus: probe?.slotStatus ?? null,
      tablesCopying: copying.find((c) => c.subname === s.subscription)?.n ?? 0,
      applyErrors: Number(stat?.apply_error_count ?? 0),
      syncErrors: Number(stat?.sync_error_count ?? 0),
      conflictsDetected: Number(stat?.conflicts ?? 0),
      peerSchemaVersion,
      lastError,
    });
  }
  const { rows: slotRows } = await db.query<{ slot_name: string; active: boolean; retained: string | null; wal_status: string | null; safe_wal_size: string | null }>(
    `SELECT slot_name, active, (pg_catalog.pg_current_wal_lsn() - confirmed_flush_lsn)::text AS retained, wal_status, safe_wal_size::text
       FROM pg_catalog.pg_replication_slots WHERE slot_type = 'logical' AND database = current_database() AND slot_name LIKE 'striker\\_%' ORDER BY slot_name`,
  );
  const { rows: conflictRows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM public.conflicts WHERE resolved_at IS NULL');
  const schemaBehind = subscriptions.flatMap((s) => (s.peerSchemaVersion !== null && s.peerSchemaVersion > schemaVersion ? [{ peer: s.peer, peerVersion: s.peerSchemaVersion, localVersion: schemaVersion }] : []));
  return {
    node,
    schemaVersion,
    subscriptions,
    slots: slotRows.map((r) => ({
      slot: r.slot_name,
      active: r.active,
      retainedBytes: Number(r.retained ?? 0),
      walStatus: r.wal_status,
      safeWalSizeBytes: r.safe_wal_size === null ? null : Number(r.safe_wal_size),
    })),
    unresolvedConflicts: conflictRows[0]?.n ?? 0,
    schemaBehind,
  };
}

async function probePeer(connectionString: string, slot: string, subscription: string, peer: string, timeoutMs: number): Promise<PeerProbe> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, application_name: 'striker-replication-status' });
  try {
    await client.connect();
    const slotRow = await client.query<{ lag: string | null; wal_status: string | null }>(
      'SELECT (pg_catalog.pg_current_wal_lsn() - confirmed_flush_lsn)::text AS lag, wal_status FROM pg_catalog.pg_replication_slots WHERE slot_name = $1',
      [slot],
    );
    const rep = await client.query<{ lag: string | null }>('SELECT extract(epoch FROM replay_lag)::text AS lag FROM pg_catalog.pg_stat_replication WHERE application_name = $1', [subscription]);
    const version = await client.query<{ schema_version: number }>(
      'SELECT v.schema_version FROM public.striker_schema_versions v JOIN public.replication_node n ON n.id = v.id',
    );
    const lagBytes = slotRow.rows[0]?.lag == null ? null : Math.max(0, Number(slotRow.rows[0].lag));
    const replay = rep.rows[0]?.lag == null ? null : Number(rep.rows[0].lag);
    return {
      lagBytes,
      lagSeconds: lagBytes === 0 ? 0 : replay,
      slotStatus: slotRow.rows[0]?.wal_status ?? (slotRow.rowCount === 0 ? 'missing' : null),
      schemaVersion: version.rows[0]?.schema_version ?? null,
      error: slotRow.rowCount === 0 ? `${peer} has no replication slot ${slot} for this Striker: re-seed this peer` : null,
    };
  } catch (error) {
    return { lagBytes: null, lagSeconds: null, slotStatus: null, schemaVersion: null, error: `${peer} unreachable: ${(error as Error).message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}
