-- Machines Striker has seen or been told about, every step each took while booting, and the
-- DHCP leases mirrored from the lease journal (the journal on disk is the source of truth).

CREATE TABLE machines (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mac           text NOT NULL UNIQUE CHECK (mac ~ '^([0-9a-f]{2}:){5}[0-9a-f]{2}$'),
  hostname      text CHECK (hostname IS NULL OR hostname ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  role          text CHECK (role IN ('striker', 'node', 'dr')),
  state         text NOT NULL DEFAULT 'discovered' CHECK (state IN ('discovered', 'assigned', 'installing', 'installed')),
  reserved_ip   inet,
  vendor        text,
  firmware      text,
  first_seen_at timestamptz,
  last_seen_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX machines_reserved_ip ON machines (reserved_ip) WHERE reserved_ip IS NOT NULL;
SELECT striker_track('machines', ARRAY['last_seen_at']);

CREATE TABLE boot_events (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  machine_id  uuid REFERENCES machines (id) ON DELETE CASCADE,
  mac         text,
  ip          inet,
  step        text NOT NULL,
  at          timestamptz NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}',
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX boot_events_machine ON boot_events (machine_id, at);
CREATE INDEX boot_events_ip ON boot_events (ip, at) WHERE machine_id IS NULL;
SELECT striker_track('boot_events');

CREATE TABLE dhcp_leases (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ip          inet NOT NULL UNIQUE,
  mac         text NOT NULL,
  client_key  text NOT NULL,
  state       text NOT NULL CHECK (state IN ('offered', 'bound', 'released', 'declined')),
  expires_at  timestamptz NOT NULL,
  hostname    text,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX dhcp_leases_mac ON dhcp_leases (mac);
SELECT striker_track('dhcp_leases');
