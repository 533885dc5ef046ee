-- Servers on the node pairs (cluster/servers): one row per hosted virtual server — what it is
-- (vCPUs, RAM, disk, ISOs, networks, OS variant), where its replicated disk lives (DRBD minor and
-- first port on the pair's hosts), how pacemaker may move it (preferred node, live migration),
-- and what it is doing now (state, the node it runs on, the provisioning step reached).
--
-- The row's id is the libvirt domain's uuid. `hosts` lists the hosts its DRBD resource lives on,
-- each {key: node1|node2|dr, name, hostId, snAddress}; allocation reads it to keep minors and
-- ports from colliding on a host. Changes are announced on the live channel (topic `servers`,
-- key: the server's name).
--
-- server_migrations: every migration of a server (live or cold) with how long it took and, for
-- a live one, the guest's downtime when the hypervisor reported it; ScanCore reads the durations
-- to choose which node sheds load.

CREATE TABLE servers (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name             text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z][A-Za-z0-9_-]{0,47}$'),
  -- The pair's Anvil! name (its manifest's name), like an-anvil-01.
  anvil            text NOT NULL,
  vcpus            integer NOT NULL CHECK (vcpus BETWEEN 1 AND 256),
  memory_mib       integer NOT NULL CHECK (memory_mib >= 64),
  disk_gib         integer NOT NULL CHECK (disk_gib >= 1),
  install_iso      text,
  driver_iso       text,
  os_variant       text NOT NULL DEFAULT 'generic',
  -- [{network: ifn1|bcn1…, mac?}]
  networks         jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(networks) = 'array'),
  hosts            jsonb NOT NULL CHECK (jsonb_typeof(hosts) = 'array'),
  drbd_minor       integer NOT NULL CHECK (drbd_minor BETWEEN 0 AND 1048575),
  drbd_port        integer NOT NULL CHECK (drbd_port BETWEEN 1024 AND 65533),
  preferred_node   text NOT NULL DEFAULT 'node1' CHECK (preferred_node IN ('node1', 'node2')),
  live_migration   boolean NOT NULL DEFAULT true,
  state            text NOT NULL DEFAULT 'provisioning'
                   CHECK (state IN ('provisioning', 'provision-failed', 'stopped', 'starting', 'running', 'migrating', 'stopping', 'failed', 'unknown')),
  -- The host name of the node it runs on; null when it runs nowhere.
  running_on       text,
  -- The last provisioning step done (allocated, rendered, node2, node1, done, rolled-back).
  provision_step   text NOT NULL DEFAULT 'allocated',
  provision_job    uuid,
  -- The host jobs it enqueued, {node1: id, node2: id}, so a retried provisioning waits for them
  -- instead of enqueueing them again.
  provision_host_jobs jsonb,
  provision_error  text,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- A backstop for allocation (cluster/servers/allocate-server.ts), which also counts shared DR hosts.
  UNIQUE (anvil, drbd_minor),
  UNIQUE (anvil, drbd_port)
);
SELECT striker_track('servers');
CREATE TRIGGER servers_live AFTER INSERT OR UPDATE OR DELETE ON servers
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('servers', 'name');

CREATE TABLE server_migrations (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  server_name   text NOT NULL,
  anvil         text NOT NULL,
  from_node     text NOT NULL,
  to_node       text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('live', 'cold')),
  outcome       text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  started_at    timestamptz NOT NULL,
  duration_ms   integer NOT NULL CHECK (duration_ms >= 0),
  downtime_ms   integer CHECK (downtime_ms >= 0),
  job_id        uuid,
  modified_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX server_migrations_recent ON server_migrations (server_name, started_at DESC);
SELECT striker_track('server_migrations');
CREATE TRIGGER server_migrations_live AFTER INSERT ON server_migrations
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('servers', 'server_name');
