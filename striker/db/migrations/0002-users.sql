-- Users, their browser sessions, API tokens for the CLI and agents, and the audit log.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z][a-z0-9._-]{0,62}$'),
  display_name  text NOT NULL DEFAULT '',
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('users');

CREATE TABLE sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash   text NOT NULL UNIQUE,
  csrf_token   text NOT NULL,
  ip           text NOT NULL DEFAULT '',
  user_agent   text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX sessions_user ON sessions (user_id);
SELECT striker_track('sessions', ARRAY['last_seen_at']);

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash   text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('api_tokens', ARRAY['last_used_at']);

CREATE TABLE audit_log (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id    uuid REFERENCES users (id) ON DELETE SET NULL,
  actor_name  text NOT NULL,
  action      text NOT NULL,
  target_kind text NOT NULL,
  target_id   text NOT NULL DEFAULT '',
  details     jsonb NOT NULL DEFAULT '{}',
  request_id  text NOT NULL DEFAULT '',
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
SELECT striker_track('audit_log');
