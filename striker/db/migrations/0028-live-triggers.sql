-- The tables the live pages show announce their changes on the live channel (0023), topic by
-- topic (striker/events/live-topics.ts lists them with their keys). Triggers of replicated tables
-- are ENABLE ALWAYS, so a change a peer Striker made reaches this Striker's pages as it is applied.

-- High-volume inserts (one scan report is dozens of readings) announce each key once per
-- statement: TG_ARGV[0] the topic, TG_ARGV[1] the key column of the transition table `changed`.
CREATE FUNCTION striker_live_statement_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k text;
BEGIN
  FOR k IN EXECUTE format('SELECT DISTINCT %I::text FROM changed', TG_ARGV[1]) LOOP
    PERFORM striker_notify_live(TG_ARGV[0], COALESCE(k, ''));
  END LOOP;
  RETURN NULL;
END $$;

-- machines: the machine itself and each step of its boot timeline.
CREATE TRIGGER machines_live AFTER INSERT OR UPDATE OR DELETE ON machines
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('machines', 'mac');
CREATE TRIGGER boot_events_live AFTER INSERT ON boot_events
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('machines', 'mac');

-- hosts: an agent's registration and inventory; a heartbeat alone is not announced.
CREATE TRIGGER host_agents_live AFTER INSERT OR DELETE OR UPDATE OF version, instance_id, striker_url, started_at, inventory_at ON host_agents
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('hosts', 'host_id');

-- jobs: created and ended (progress ticks go out on the job feed, striker_jobs).
CREATE TRIGGER jobs_live AFTER INSERT OR DELETE OR UPDATE OF status ON jobs
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('jobs', 'id');

-- repos: mirrors and imported media.
CREATE TRIGGER repos_live AFTER INSERT OR UPDATE OR DELETE ON repos
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('repos', 'name');
CREATE TRIGGER installation_trees_live AFTER INSERT OR UPDATE OR DELETE ON installation_trees
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('repos', 'name');

-- alerts.
CREATE TRIGGER alerts_live AFTER INSERT OR UPDATE OR DELETE ON alerts
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('alerts', 'id');

-- strikers: peers and the conflicts replication recorded.
CREATE TRIGGER striker_peers_live AFTER INSERT OR UPDATE OR DELETE ON striker_peers
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('strikers', 'id');
CREATE TRIGGER conflicts_live AFTER INSERT OR UPDATE OR DELETE ON conflicts
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('strikers', 'id');

-- manifests and their runs (keyed by the manifest).
CREATE TRIGGER manifests_live AFTER INSERT OR UPDATE OR DELETE ON manifests
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('manifests', 'id');
CREATE TRIGGER manifest_runs_live AFTER INSERT OR UPDATE OR DELETE ON manifest_runs
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('manifests', 'manifest_id');

-- scancore: readings and scores by host (once per statement), decisions by pair.
CREATE TRIGGER scan_readings_live AFTER INSERT ON scan_readings
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION striker_live_statement_trigger('scancore', 'host_id');
CREATE TRIGGER health_scores_live AFTER INSERT ON health_scores
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION striker_live_statement_trigger('scancore', 'host_id');
CREATE TRIGGER scancore_decisions_live AFTER INSERT OR UPDATE OR DELETE ON scancore_decisions
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('scancore', 'pair_id');

ALTER TABLE machines ENABLE ALWAYS TRIGGER machines_live;
ALTER TABLE boot_events ENABLE ALWAYS TRIGGER boot_events_live;
ALTER TABLE host_agents ENABLE ALWAYS TRIGGER host_agents_live;
ALTER TABLE jobs ENABLE ALWAYS TRIGGER jobs_live;
ALTER TABLE alerts ENABLE ALWAYS TRIGGER alerts_live;
ALTER TABLE conflicts ENABLE ALWAYS TRIGGER conflicts_live;
ALTER TABLE manifests ENABLE ALWAYS TRIGGER manifests_live;
ALTER TABLE manifest_runs ENABLE ALWAYS TRIGGER manifest_runs_live;
ALTER TABLE scancore_decisions ENABLE ALWAYS TRIGGER scancore_decisions_live;
