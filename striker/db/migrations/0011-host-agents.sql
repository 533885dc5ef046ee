-- Host agents. Each registered host's agent authenticates with a credential issued when the host
-- registered (only its SHA-256 is stored); a host has at most one live credential, and a new
-- registration or a rotation revokes the one before. host_agents holds what the agent last told
-- Striker: its version, its last heartbeat, which Striker it talks to, and its inventory.

CREATE TABLE agent_credentials (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  host_id        text NOT NULL CHECK (host_id ~ '^[0-9a-f]{2}(-[0-9a-f]{2}){5}$'),
  secret_hash    text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  -- 'registration' (the host's one-time token exchanged) or 'rotation' (an admin's action).
  issued_by      text NOT NULL CHECK (issued_by IN ('registration', 'rotation')),
  issued_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  revoked_at     timestamptz,
  revoked_reason text CHECK (revoked_reason IS NULL OR revoked_reason IN ('registration', 'rotation', 'revoked')),
  modified_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE UNIQUE INDEX agent_credentials_live ON agent_credentials (host_id) WHERE revoked_at IS NULL;
SELECT striker_track('agent_credentials');

CREATE TABLE host_agents (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  host_id           text NOT NULL UNIQUE CHECK (host_id ~ '^[0-9a-f]{2}(-[0-9a-f]{2}){5}$'),
  version           text NOT NULL,
  -- One run of the agent process; jobs it claims are held by worker 'agent:<host_id>:<instance_id>'.
  instance_id       text NOT NULL,
  striker_url       text NOT NULL,
  started_at        timestamptz NOT NULL,
  last_heartbeat_at timestamptz NOT NULL,
  inventory         jsonb,
  inventory_at      timestamptz,
  modified_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('host_agents', ARRAY['last_heartbeat_at']);
