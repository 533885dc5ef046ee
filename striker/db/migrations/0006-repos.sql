-- Mirrored repos added by operators (the configuration file may list more), the outcome of their
-- last sync, and the installation trees imported from OS media.

CREATE TABLE repos (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name           text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  config         jsonb NOT NULL,
  from_config    boolean NOT NULL DEFAULT false,
  last_job_id    uuid REFERENCES jobs (id) ON DELETE SET NULL,
  last_synced_at timestamptz,
  last_result    jsonb,
  last_error     text,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('repos');

CREATE TABLE installation_trees (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE,
  tree        jsonb NOT NULL,
  source_path text NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('installation_trees');
