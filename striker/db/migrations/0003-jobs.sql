-- Jobs: every action Striker takes is a row here. Progress is 0-99 while running, 100 only on
-- success, and never goes backwards (enforced below, not just in code). Never a shell command.

CREATE TABLE jobs (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind             text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$'),
  payload          jsonb NOT NULL DEFAULT '{}',
  target_host      text,
  status           text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  progress         smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  message          text NOT NULL DEFAULT '',
  message_vars     jsonb NOT NULL DEFAULT '{}',
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL DEFAULT 1 CHECK (max_attempts >= 1),
  retry_on_stale   boolean NOT NULL DEFAULT false,
  last_error       text,
  worker_id        text,
  heartbeat_at     timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  run_after        timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at       timestamptz,
  finished_at      timestamptz,
  modified_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (progress < 100 OR status = 'succeeded'),
  CHECK (status <> 'succeeded' OR progress = 100)
);
CREATE INDEX jobs_claimable ON jobs (run_after) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (heartbeat_at) WHERE status = 'running';
CREATE INDEX jobs_created ON jobs (created_at DESC);
SELECT striker_track('jobs', ARRAY['heartbeat_at']);

CREATE FUNCTION jobs_progress_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.progress < OLD.progress THEN
    RAISE EXCEPTION 'job % progress would go backwards from % to %', OLD.id, OLD.progress, NEW.progress
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_progress_forward BEFORE UPDATE OF progress ON jobs
  FOR EACH ROW EXECUTE FUNCTION jobs_progress_forward();

CREATE TABLE job_messages (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_id      uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  level       text NOT NULL DEFAULT 'info' CHECK (level IN ('info', 'warn', 'error')),
  progress    smallint NOT NULL,
  message     text NOT NULL,
  vars        jsonb NOT NULL DEFAULT '{}',
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX job_messages_job ON job_messages (job_id, at);
SELECT striker_track('job_messages');

-- Live updates: every visible change of a job is announced; heartbeats alone are not.
CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ARRAY['heartbeat_at', 'modified_at']) = (to_jsonb(OLD) - ARRAY['heartbeat_at', 'modified_at']) THEN
    RETURN NEW;
  END IF;
  PERFORM pg_notify('striker_jobs', json_build_object('id', NEW.id, 'status', NEW.status, 'progress', NEW.progress)::text);
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify();
