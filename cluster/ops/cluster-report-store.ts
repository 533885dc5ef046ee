/**
 * SQL for the cluster reports (migration 0025): one row per node, replaced by its next report;
 * each write is announced on the live channel (topic `cluster`, key the pair's name) by the
 * table's trigger.
 */
import type { DbReader, DbWriter } from '../../striker/db/database.js';
import type { ClusterReport } from './cluster-report.js';

export interface StoredClusterReport {
  anvilName: string;
  hostId: string;
  nodeName: string;
  report: ClusterReport;
  receivedAt: Date;
}

const COLUMNS = `anvil_name AS "anvilName", host_id AS "hostId", node_name AS "nodeName", report, received_at AS "receivedAt"`;

export async function saveClusterReport(q: DbWriter, hostId: string, report: ClusterReport, at: number): Promise<void> {
  await q.write(
    `INSERT INTO cluster_reports (anvil_name, host_id, node_name, report, received_at)
     VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (host_id) DO UPDATE SET anvil_name = EXCLUDED.anvil_name, node_name = EXCLUDED.node_name,
       report = EXCLUDED.report, received_at = EXCLUDED.received_at, modified_at = clock_timestamp()`,
    [report.anvil, hostId, report.node, JSON.stringify(report), new Date(at).toISOString()],
  );
}

/** Every node's newest report, of one pair or of all, by pair then node name. */
export async function clusterReports(q: DbReader, anvilName?: string): Promise<StoredClusterReport[]> {
  const { rows } = await q.query<StoredClusterReport>(
    `SELECT ${COLUMNS} FROM cluster_reports WHERE $1::text IS NULL OR anvil_name = $1 ORDER BY anvil_name, node_name, host_id`,
    [anvilName ?? null],
  );
  return rows;
}
