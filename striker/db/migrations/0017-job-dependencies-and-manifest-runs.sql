-- Jobs that wait: for other jobs (dependencies) and for a feature that releases them (held).
--
-- A job's dependencies are a column, `waits_for uuid[]`, not a join table: they are part of the
-- job's definition, fixed when it is inserted, and they travel with the job row in one replicated
-- change. With a join table a peer could apply the job row before its dependency rows and let
-- its agent claim a job whose dependencies it has not seen yet.
--
-- A job is claimable only when every job it waits for has succeeded (a dependency purged from the
-- table had finished; a failed or cancelled one never is purged before its dependants, which
-- end with it). When a job fails or is cancelled for good, every queued job waiting for it ends
-- the same way at once, "because <job> failed", and so on down the graph: nothing is left queued
-- forever behind a job that will never succeed.
--
-- `held_reason`: a queued job that is not to run until something releases it (the cluster issue
-- releases `cluster.join` and `dr.link`), with the reason in plain words for the UI and the API.
-- A column, not a status, so a held job keeps the ordinary life of a queued one: it can wait for
-- dependencies, be cancelled, and end "because <job> failed" like any other; releasing it sets
-- the column to NULL. Claims skip it.

ALTER TABLE jobs ADD COLUMN waits_for uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE history.jobs ADD COLUMN waits_for uuid[];
ALTER TABLE jobs ADD COLUMN held_reason text CHECK (held_reason IS NULL OR length(held_reason) BETWEEN 1 AND 300);
ALTER TABLE history.jobs ADD COLUMN held_reason text;
-- Finds the jobs waiting for one that just ended (`waits_for @> ARRAY[id]` below).
CREATE INDEX jobs_waits_for ON jobs USING gin (waits_for) WHERE status IN ('queued', 'interrupted');

-- On insert (not in a replication apply worker, where ordinary triggers do not fire): every job
-- waited for must exist; a job waiting for one that already failed or was cancelled ends at once.
CREATE FUNCTION public.jobs_check_waits_for() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  missing uuid;
  ended record;
BEGIN
  IF pg_catalog.cardinality(NEW.waits_for) = 0 THEN
    RETURN NEW;
  END IF;
  SELECT w INTO missing FROM pg_catalog.unnest(NEW.waits_for) AS w
   WHERE NOT EXISTS (SELECT 1 FROM public.jobs d WHERE d.id = w) LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'job waits for job % which does not exist', missing USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT d.id, d.kind, d.status INTO ended FROM public.jobs d
   WHERE d.id = ANY (NEW.waits_for) AND d.status IN ('failed', 'cancelled') ORDER BY d.created_at LIMIT 1;
  IF FOUND THEN
    NEW.status := ended.status;
    NEW.finished_at := pg_catalog.clock_timestamp();
    NEW.message := CASE ended.status WHEN 'failed' THEN 'Not run: {dependency} failed' ELSE 'Not run: {dependency} was cancelled' END;
    NEW.message_vars := pg_catalog.jsonb_build_object('dependency', ended.kind || ' ' || ended.id);
    NEW.last_error := 'because job ' || ended.kind || ' ' || ended.id || CASE ended.status WHEN 'failed' THEN ' failed' ELSE ' was cancelled' END;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_check_waits_for BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION public.jobs_check_waits_for();

-- A job failed or was cancelled for good: the jobs waiting for it end the same way, each with a
-- line in its history. Their own change fires this trigger again, so the whole graph below ends.
CREATE FUNCTION public.jobs_end_dependants() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  WITH ended AS (
    UPDATE public.jobs SET
      status = NEW.status,
      finished_at = pg_catalog.clock_timestamp(),
      worker_id = NULL,
      message = CASE NEW.status WHEN 'failed' THEN 'Not run: {dependency} failed' ELSE 'Not run: {dependency} was cancelled' END,
      message_vars = pg_catalog.jsonb_build_object('dependency', NEW.kind || ' ' || NEW.id),
      last_error = 'because job ' || NEW.kind || ' ' || NEW.id || CASE NEW.status WHEN 'failed' THEN ' failed' ELSE ' was cancelled' END
     WHERE status IN ('queued', 'interrupted') AND waits_for @> ARRAY[NEW.id]
    RETURNING id, progress, message, message_vars)
  INSERT INTO public.job_messages (job_id, progress, message, vars, level)
    SELECT id, progress, message, message_vars, CASE NEW.status WHEN 'failed' THEN 'error' ELSE 'info' END FROM ended;
  RETURN NULL;
END $$;
CREATE TRIGGER jobs_end_dependants AFTER UPDATE OF status ON jobs FOR EACH ROW
  WHEN (NEW.status IN ('failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION public.jobs_end_dependants();

-- Runs of install manifests (striker/manifest): which revision of which manifest ran, and the job
-- of each host and kind it stands for. A run's progress is its jobs'. `jobs` is a JSON array in
-- the row rather than a table of its own, for the reason `waits_for` is a column: a run and its
-- job map are one replicated change. Each element:
--   {"key": "node1:host.configure-network", "target": "node1", "hostId": "52-54-…", "kind": …,
--    "jobId": uuid, "fingerprint": hex, "created": true when this run created the job, false
--    when it kept the job of an earlier run}
-- Jobs are not referenced by foreign key: finished jobs are purged after a while, runs stay.
CREATE TABLE manifest_runs (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  manifest_id uuid NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
  -- A digest of the manifest's secret-free document (striker/manifest/run-manifest.ts).
  revision    text NOT NULL CHECK (revision ~ '^[0-9a-f]{20}$'),
  -- The document that ran, without secrets.
  document    jsonb NOT NULL CHECK (jsonb_typeof(document) = 'object'),
  jobs        jsonb NOT NULL CHECK (jsonb_typeof(jobs) = 'array'),
  created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX manifest_runs_manifest ON manifest_runs (manifest_id, created_at DESC);
SELECT striker_track('manifest_runs');
