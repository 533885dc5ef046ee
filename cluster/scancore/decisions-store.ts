/**
 * SQL for ScanCore's decision round (migration 0022): the engine's memory per pair with its owner
 * and maintenance flag, the decisions with their reasons and outcomes, and which pairs still have
 * an action running.
 */
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { Decision, PairMemory } from './decide.js';

export interface PairState {
  pairId: string;
  memory: PairMemory | undefined;
  maintenance: boolean;
  ownerNode: string | null;
  /** This Striker owns the pair: it decides and acts for it. */
  mine: boolean;
}

/**
 * The state of these pairs, each pair this Striker has not seen yet inserted first (so it owns
 * the pairs no other Striker ran a round for: the insert stamps this Striker as owner).
 */
export async function pairStates(q: DbReader & DbWriter, pairIds: readonly string[]): Promise<Map<string, PairState>> {
  if (pairIds.length === 0) return new Map();
  await q.write(`INSERT INTO scancore_memory (pair_id) SELECT unnest($1::text[]) ON CONFLICT (pair_id) DO NOTHING`, [pairIds]);
  const { rows } = await q.query<{ pairId: string; memory: PairMemory | Record<string, never>; maintenance: boolean; ownerNode: string | null; mine: boolean }>(
    `SELECT pair_id AS "pairId", memory, maintenance, owner_node AS "ownerNode",
            owner_node IS NOT DISTINCT FROM public.striker_node_name() AS mine
       FROM scancore_memory WHERE pair_id = ANY($1::text[])`,
    [pairIds],
  );
  return new Map(rows.map((r) => [r.pairId, { ...r, memory: 'hotSince' in r.memory ? (r.memory as PairMemory) : undefined }]));
}

/** Stores a pair's memory when it changed; true when a row was written. */
export async function savePairMemory(q: DbWriter, pairId: string, memory: PairMemory): Promise<boolean> {
  const { rowCount } = await q.write(
    `UPDATE scancore_memory SET memory = $2::jsonb, modified_at = clock_timestamp() WHERE pair_id = $1 AND memory IS DISTINCT FROM $2::jsonb`,
    [pairId, JSON.stringify(memory)],
  );
  return (rowCount ?? 0) > 0;
}

/** Turns maintenance on or off for one pair (created if new) or, without a pair, for every known pair. Returns the pairs changed. */
export async function setMaintenance(q: DbReader & DbWriter, enabled: boolean, pairId?: string): Promise<string[]> {
  if (pairId !== undefined) await q.write(`INSERT INTO scancore_memory (pair_id) VALUES ($1) ON CONFLICT (pair_id) DO NOTHING`, [pairId]);
  const { rows } = await q.write<{ pairId: string }>(
    `UPDATE scancore_memory SET maintenance = $1, modified_at = clock_timestamp()
      WHERE ($2::text IS NULL OR pair_id = $2) AND maintenance <> $1 RETURNING pair_id AS "pairId"`,
    [enabled, pairId ?? null],
  );
  return rows.map((r) => r.pairId).sort();
}

/** Each pair's maintenance flag, and who last turned it on or off and when (from the audit log; null when never). */
export interface MaintenanceState {
  pairId: string;
  maintenance: boolean;
  ownerNode: string | null;
  changedBy: string | null;
  changedAt: string | null;
}

export async function maintenanceStates(q: DbReader): Promise<MaintenanceState[]> {
  const { rows } = await q.query<Omit<MaintenanceState, 'changedAt'> & { changedAt: Date | null }>(
    `SELECT m.pair_id AS "pairId", m.maintenance, m.owner_node AS "ownerNode", a.actor_name AS "changedBy", a.at AS "changedAt"
       FROM scancore_memory m
       LEFT JOIN LATERAL (
         SELECT actor_name, at FROM audit_log
          WHERE action IN ('scancore.maintenance.on', 'scancore.maintenance.off') AND details->'pairs' ? m.pair_id
          ORDER BY at DESC LIMIT 1) a ON true
      ORDER BY m.pair_id`,
  );
  return rows.map((r) => ({ ...r, changedAt: r.changedAt === null ? null : r.changedAt.toISOString() }));
}

export interface DecisionRecord {
  pairId: string;
  decision: Decision;
  decidedAt: number;
  outcome: 'acted' | 'not-acted';
  notActedReason?: string;
  jobIds?: readonly string[];
}

export async function recordDecision(q: DbWriter, r: DecisionRecord): Promise<string> {
  const { rows } = await q.write<{ id: string }>(
    `INSERT INTO scancore_decisions (pair_id, kind, cause, decision, reasons, decided_at, outcome, not_acted_reason, job_ids)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[]) RETURNING id`,
    [r.pairId, r.decision.kind, r.decision.cause, JSON.stringify(r.decision), JSON.stringify(r.decision.reasons), new Date(r.decidedAt).toISOString(), r.outcome, r.notActedReason ?? null, r.jobIds ?? []],
  );
  return rows[0]!.id;
}

/** Records the jobs that carry a decision out (once they exist). */
export async function setDecisionJobs(q: DbWriter, decisionId: string, jobIds: readonly string[]): Promise<void> {
  await q.write(`UPDATE scancore_decisions SET job_ids = $2::uuid[], modified_at = clock_timestamp() WHERE id = $1`, [decisionId, jobIds]);
}

/** A decision whose action could not be queued: not acted, and why. */
export async function markNotActed(q: DbWriter, decisionId: string, reason: string): Promise<void> {
  await q.write(`UPDATE scancore_decisions SET outcome = 'not-acted', not_acted_reason = $2, modified_at = clock_timestamp() WHERE id = $1`, [decisionId, reason.slice(0, 1000)]);
}

/** A job that carries a decision out, as it stands. */
export interface DecisionJob {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  targetHost: string | null;
}

export interface StoredDecision {
  id: string;
  pairId: string;
  kind: Decision['kind'];
  cause: Decision['cause'];
  decision: Decision;
  reasons: string[];
  decidedAt: string;
  decidedBy: string;
  outcome: 'acted' | 'not-acted';
  notActedReason: string | null;
  jobIds: string[];
  /** The jobs of `jobIds` still stored, in that order. */
  jobs: DecisionJob[];
}

/**
 * What became of decisions, for a filter: `not-acted`; `failed` (acted, and one of its jobs failed,
 * was cancelled or interrupted); `acted` (acted, none of its jobs failed).
 */
export const decisionOutcomes = ['acted', 'not-acted', 'failed'] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

/** Newest first; `before` is the id of the last decision of the previous page. */
export async function listDecisions(q: DbReader, args: { limit: number; before?: string | undefined; pairId?: string | undefined; outcome?: DecisionOutcome | undefined }): Promise<StoredDecision[]> {
  const { rows } = await q.query<StoredDecision & { decidedAt: Date }>(
    `SELECT id, pair_id AS "pairId", kind, cause, decision, reasons, decided_at AS "decidedAt", decided_by AS "decidedBy",
            outcome, not_acted_reason AS "notActedReason", job_ids AS "jobIds",
            COALESCE((SELECT jsonb_agg(jsonb_build_object('id', j.id, 'kind', j.kind, 'status', j.status, 'targetHost', j.target_host)
                                       ORDER BY array_position(d.job_ids, j.id))
                        FROM jobs j WHERE j.id = ANY(d.job_ids)), '[]'::jsonb) AS jobs
       FROM scancore_decisions d
      CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM jobs j WHERE j.id = ANY(d.job_ids) AND j.status IN ('failed', 'cancelled', 'interrupted')) AS job_failed) f
      WHERE ($2::text IS NULL OR pair_id = $2)
        AND ($3::uuid IS NULL OR (decided_at, id) < (SELECT decided_at, id FROM scancore_decisions WHERE id = $3))
        AND CASE $4::text
              WHEN 'not-acted' THEN outcome = 'not-acted'
              WHEN 'acted' THEN outcome = 'acted' AND NOT f.job_failed
              WHEN 'failed' THEN outcome = 'acted' AND f.job_failed
              ELSE true END
      ORDER BY decided_at DESC, id DESC LIMIT $1`,
    [args.limit, args.pairId ?? null, args.before ?? null, args.outcome ?? null],
  );
  return rows.map((r) => ({ ...r, decidedAt: r.decidedAt.toISOString() }));
}

/** Host job kinds that change a node's cluster state or its servers: one running is an action on the pair. */
export const clusterActionKinds = ['servers.migrate', 'servers.stop', 'servers.start', 'node.withdraw', 'node.standby', 'node.unstandby', 'node.join', 'cluster.join', 'host.poweroff', 'host.reboot'] as const;

/**
 * Pairs with an action under way, whoever started it: an acted ScanCore decision whose jobs are
 * not all finished; a job of `clusterActionKinds` running on one of the pair's nodes (an
 * operator's migration, standby or power-off); or a BMC power job (`cluster.node-power`) for the
 * pair queued or running. No new action is issued for them. A host job merely queued for a node
 * does not count: it cannot start while the node is off, and counting it could keep ScanCore from
 * ever booting that node.
 */
export async function pairsWithRunningActions(q: DbReader, pairs: readonly { id: string; hostIds: readonly string[] }[]): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const { rows } = await q.query<{ pairId: string }>(
    `WITH p AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, host_ids text[]))
     SELECT DISTINCT d.pair_id AS "pairId" FROM scancore_decisions d JOIN jobs j ON j.id = ANY(d.job_ids)
      WHERE d.pair_id IN (SELECT id FROM p) AND d.outcome = 'acted' AND j.status IN ('queued', 'running')
     UNION
     SELECT p.id FROM p JOIN jobs j ON j.target_host = ANY(p.host_ids) WHERE j.status = 'running' AND j.kind = ANY($2::text[])
     UNION
     SELECT p.id FROM p JOIN jobs j ON j.kind = 'cluster.node-power' AND j.payload->>'anvil' = p.id WHERE j.status IN ('queued', 'running')`,
    [JSON.stringify(pairs.map((p) => ({ id: p.id, host_ids: p.hostIds }))), clusterActionKinds],
  );
  return new Set(rows.map((r) => r.pairId));
}
