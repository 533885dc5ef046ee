-- The Striker's own identity from the first-run wizard: one row (host name, prefix, sequence,
-- domain, DNS, NTP, MTU), its networks (BCN, SN, IFN, MN) and the plans the `striker.configure`
-- job made from it (what it wrote, or would write when Striker does not manage its host).

CREATE TABLE striker_identity (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  singleton     boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
  host_name     text NOT NULL,
  prefix        text NOT NULL CHECK (prefix ~ '^[a-z]{1,5}$'),
  sequence      integer NOT NULL CHECK (sequence BETWEEN 1 AND 99),
  domain        text NOT NULL,
  dns           text[] NOT NULL DEFAULT '{}',
  ntp           text[] NOT NULL DEFAULT '{}',
  mtu           integer NOT NULL CHECK (mtu BETWEEN 1280 AND 9000),
  configured_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('striker_identity');

CREATE TABLE striker_networks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  identity_id uuid NOT NULL REFERENCES striker_identity (id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (name IN ('bcn', 'sn', 'ifn', 'mn')),
  subnet      cidr NOT NULL,
  address     inet NOT NULL,
  gateway     inet,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (identity_id, name)
);
SELECT striker_track('striker_networks');

CREATE TABLE striker_apply_plans (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  identity_id uuid NOT NULL REFERENCES striker_identity (id) ON DELETE CASCADE,
  job_id      uuid REFERENCES jobs (id) ON DELETE SET NULL,
  applied     boolean NOT NULL,
  plan        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX striker_apply_plans_created ON striker_apply_plans (created_at DESC);
SELECT striker_track('striker_apply_plans');
