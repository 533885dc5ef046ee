-- Alerts (cluster/scancore/alerts): who is told, through which SMTP relays, what was raised and
-- cleared, and each e-mail sent for it. All of it is site-wide and replicates between Strikers.
--
-- Levels, most severe first: critical, warning, notice, info. A recipient receives an alert whose
-- level is at least as severe as the recipient's level; a per-host override replaces that level
-- for alerts about one host ('none' mutes the host for that recipient).
--
-- An alert row is one occurrence of a condition (source, host, key) from its set to its clear.
-- `state` is where the de-bounce stands (cluster/scancore/alerts/debounce.ts): 'pending' (set, held
-- for the flap window), 'raised' (set sent), 'clearing' (clear held for the window), 'cleared'
-- (clear sent, or nothing sent because it flapped inside the window).

CREATE TABLE alert_recipients (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  email       text NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  language    text NOT NULL DEFAULT 'en' CHECK (language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
  level       text NOT NULL CHECK (level IN ('critical', 'warning', 'notice', 'info', 'none')),
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('alert_recipients');

CREATE TABLE alert_recipient_overrides (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recipient_id uuid NOT NULL REFERENCES alert_recipients (id) ON DELETE CASCADE,
  host         text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
  level        text NOT NULL CHECK (level IN ('critical', 'warning', 'notice', 'info', 'none')),
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (recipient_id, host)
);
SELECT striker_track('alert_recipient_overrides');

CREATE TABLE alert_mail_servers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  host        text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
  port        integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  security    text NOT NULL CHECK (security IN ('none', 'starttls', 'tls')),
  username    text CHECK (username IS NULL OR length(username) BETWEEN 1 AND 254),
  -- Sealed with the site key (striker/core/secrets), context 'alert_mail_servers.password'.
  password    text,
  -- The From address of every e-mail sent through this relay.
  sender      text NOT NULL CHECK (length(sender) BETWEEN 3 AND 254),
  -- Failover order: the lowest is tried first.
  position    integer NOT NULL CHECK (position >= 0),
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('alert_mail_servers');

CREATE TABLE alerts (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  source          text NOT NULL CHECK (source ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  host            text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
  key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  level           text NOT NULL CHECK (level IN ('critical', 'warning', 'notice', 'info')),
  message_key     text NOT NULL CHECK (message_key ~ '^[a-z][a-z0-9_.]{0,99}$'),
  variables       jsonb NOT NULL DEFAULT '{}'::jsonb,
  clear_message_key text CHECK (clear_message_key IS NULL OR clear_message_key ~ '^[a-z][a-z0-9_.]{0,99}$'),
  clear_variables jsonb NOT NULL DEFAULT '{}'::jsonb,
  state           text NOT NULL CHECK (state IN ('pending', 'raised', 'clearing', 'cleared')),
  -- When the state last changed (the de-bounce window runs from here).
  state_since     timestamptz NOT NULL,
  set_sent        boolean NOT NULL DEFAULT false,
  clear_sent      boolean NOT NULL DEFAULT false,
  raised_at       timestamptz NOT NULL,
  cleared_at      timestamptz,
  acknowledged_by text,
  acknowledged_at timestamptz,
  modified_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);
-- At most one open occurrence per condition.
CREATE UNIQUE INDEX alerts_open ON alerts (source, host, key) WHERE state <> 'cleared';
CREATE INDEX alerts_by_time ON alerts (raised_at DESC);
CREATE INDEX alerts_held ON alerts (state_since) WHERE state IN ('pending', 'clearing');
SELECT striker_track('alerts');

CREATE TABLE alert_deliveries (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  alert_id       uuid REFERENCES alerts (id) ON DELETE CASCADE,
  -- 'set', 'clear' or 'test' (a test e-mail has no alert).
  kind           text NOT NULL CHECK (kind IN ('set', 'clear', 'test')),
  recipient_id   uuid REFERENCES alert_recipients (id) ON DELETE SET NULL,
  -- The address as it was when the delivery was made.
  email          text NOT NULL,
  language       text NOT NULL,
  server_id      uuid REFERENCES alert_mail_servers (id) ON DELETE SET NULL,
  status         text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
  error          text,
  attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at        timestamptz,
  modified_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((kind = 'test') = (alert_id IS NULL))
);
CREATE INDEX alert_deliveries_by_alert ON alert_deliveries (alert_id);
SELECT striker_track('alert_deliveries');
