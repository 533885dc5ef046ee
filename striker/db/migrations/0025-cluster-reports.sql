-- The cluster state each node's agent reports with its scans (cluster/ops): per pair (anvil_name,
-- corosync's cluster_name) one row per node, replaced by the node's next report. `report` holds
-- the node's readings (crm_mon, knet links, fencing history, fence devices), each a value or the
-- error that kept it from being read; `received_at` is Striker's clock when it arrived, so the
-- pages show how old the state is and a node that stopped reporting shows as stale.
--
-- Replicated like host_agents: a report is the node's own newest word, the newer version wins.

CREATE TABLE cluster_reports (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  anvil_name  text NOT NULL CHECK (anvil_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$'),
  host_id     text NOT NULL UNIQUE CHECK (host_id ~ '^[0-9a-f]{2}(-[0-9a-f]{2}){5}$'),
  node_name   text NOT NULL,
  report      jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX cluster_reports_anvil ON cluster_reports (anvil_name);
-- History records a node joining or leaving a pair, not every report.
SELECT striker_track('cluster_reports', ARRAY['report', 'received_at']);

CREATE TRIGGER cluster_reports_live AFTER INSERT OR UPDATE OR DELETE ON cluster_reports
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('cluster', 'anvil_name');
