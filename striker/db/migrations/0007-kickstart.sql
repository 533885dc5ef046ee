-- Kickstarts for machines: one-time registration tokens (only their SHA-256 is stored), the
-- outcome of each machine's last pre-boot check (with a fingerprint of the inputs it checked, so
-- a kickstart whose inputs changed since counts as unchecked), and the settings every host's
-- kickstart shares (root password hash, locale, which installation tree and repos hosts use).

CREATE TABLE kickstart_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  machine_id  uuid NOT NULL UNIQUE REFERENCES machines (id) ON DELETE CASCADE,
  token_hash  text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('kickstart_tokens');

CREATE TABLE kickstart_checks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  machine_id  uuid NOT NULL UNIQUE REFERENCES machines (id) ON DELETE CASCADE,
  status      text NOT NULL CHECK (status IN ('ready', 'failed')),
  engine      text NOT NULL CHECK (engine IN ('dnf', 'resolver', 'none')),
  problems    jsonb NOT NULL DEFAULT '[]',
  fingerprint text NOT NULL,
  job_id      uuid REFERENCES jobs (id) ON DELETE SET NULL,
  checked_at  timestamptz NOT NULL,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('kickstart_checks');

CREATE TABLE kickstart_settings (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  singleton          boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
  root_password_hash text CHECK (root_password_hash IS NULL OR root_password_hash LIKE '$6$%'),
  timezone           text NOT NULL DEFAULT 'Etc/UTC',
  keyboard           text NOT NULL DEFAULT 'us',
  language           text NOT NULL DEFAULT 'en_US.UTF-8',
  -- NULL: the only imported installation tree (a problem when there are several).
  tree_name          text,
  -- NULL: every repo that has been synced.
  repo_names         text[],
  modified_by        uuid REFERENCES users (id) ON DELETE SET NULL,
  modified_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('kickstart_settings');
INSERT INTO kickstart_settings DEFAULT VALUES;
