-- ScanCore time series. scan_readings: every reading a scan agent reported for a host (the latest
-- per subject feeds the decision engine; older rows are kept for graphs and age out after
-- scancore.readings.keepReadingsHours). health_scores: each host's score with its reasons, one row
-- per scoring round, aged out after scancore.readings.keepHealthDays. Both are this Striker's own
-- (see table-classification.ts) and not history-tracked: a time series is its own history.

CREATE TABLE scan_readings (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  host_id      text NOT NULL CHECK (host_id <> ''),
  agent        text NOT NULL CHECK (agent ~ '^[a-z][a-z0-9-]*$'),
  metric       text NOT NULL CHECK (metric ~ '^[a-z][a-z0-9.-]*$'),
  subject      text NOT NULL,
  value        jsonb,
  unit         text,
  status       text NOT NULL CHECK (status IN ('ok', 'warning', 'critical', 'unknown')),
  message      text,
  read_at      timestamptz NOT NULL,
  status_since timestamptz NOT NULL CHECK (status_since <= read_at),
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX scan_readings_latest ON scan_readings (host_id, agent, metric, subject, read_at DESC);
CREATE INDEX scan_readings_age ON scan_readings (read_at);

CREATE TABLE health_scores (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  host_id     text NOT NULL CHECK (host_id <> ''),
  score       numeric NOT NULL CHECK (score >= 0),
  reasons     jsonb NOT NULL,
  scored_at   timestamptz NOT NULL,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX health_scores_host ON health_scores (host_id, scored_at DESC);
CREATE INDEX health_scores_age ON health_scores (scored_at);
