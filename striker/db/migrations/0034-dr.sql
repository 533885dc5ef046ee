-- The DR host of each node pair (cluster/dr).
--
-- dr_links: one row per pair (its Anvil! name) whose DR host is linked: the DR host (short name,
-- agent host id, SN address), the replication protocol of every DR connection (A "async" or C
-- "sync"), the operating mode (`always-on`, or `boot-sync-shutdown` on a croner schedule), the
-- link's state (`linking` while its `dr.link` job runs, `linked`, `failed`), and the outcome of
-- the newest boot-sync-shutdown cycle. `owner_node` is the Striker that runs the pair's schedule
-- (stamped at insert like jobs.owner_node, so a replicated row keeps its origin's owner).
--
-- dr_protections: one row per server whose DRBD resource includes the DR host: since when, and
-- the state of the change (`protecting` while its `dr.protect` jobs run, `protected`,
-- `unprotecting`, `failed`), with the host jobs of the newest change. Unlinking is refused while
-- a pair has any row here.
--
-- Both announce their changes on the live channel, topic `servers` (key: the pair's name for a
-- link, the server's name for a protection).

CREATE TABLE dr_links (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  anvil         text NOT NULL UNIQUE CHECK (anvil ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$'),
  dr_host       text NOT NULL,
  dr_host_id    text NOT NULL CHECK (dr_host_id ~ '^[0-9a-f]{2}(-[0-9a-f]{2}){5}$'),
  dr_sn_address text NOT NULL,
  protocol      text NOT NULL CHECK (protocol IN ('A', 'C')),
  mode          text NOT NULL CHECK (mode IN ('always-on', 'boot-sync-shutdown')),
  -- A croner expression; set exactly when mode is boot-sync-shutdown.
  schedule      text,
  state         text NOT NULL DEFAULT 'linking' CHECK (state IN ('linking', 'linked', 'failed')),
  link_job      uuid,
  last_cycle_at      timestamptz,
  last_cycle_outcome text CHECK (last_cycle_outcome IN ('running', 'succeeded', 'failed')),
  last_cycle_message text,
  owner_node    text,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((mode = 'boot-sync-shutdown') = (schedule IS NOT NULL))
);
CREATE TRIGGER dr_links_stamp_owner BEFORE INSERT ON dr_links FOR EACH ROW EXECUTE FUNCTION public.jobs_stamp_owner();
SELECT striker_track('dr_links', ARRAY['last_cycle_at', 'last_cycle_outcome', 'last_cycle_message']);
CREATE TRIGGER dr_links_live AFTER INSERT OR UPDATE OR DELETE ON dr_links
  FOR EACH ROW EXECUTE FUNCTION public.striker_live_trigger('servers', 'anvil');

CREATE TABLE dr_protections (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  server_name     text NOT NULL UNIQUE,
  anvil           text NOT NULL,
  state           text NOT NULL DEFAULT 'protecting' CHECK (state IN ('protecting', 'protected', 'unprotecting', 'failed')),
  -- When the DR host was added to the server's resource (set when its dr.protect jobs succeeded).
  protected_since timestamptz,
  -- The host jobs of the newest protect or unprotect: {node1, node2, dr}.
  jobs            jsonb,
  error           text,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX dr_protections_anvil ON dr_protections (anvil);
SELECT striker_track('dr_protections');
CREATE TRIGGER dr_protections_live AFTER INSERT OR UPDATE OR DELETE ON dr_protections
  FOR EACH ROW EXECUTE FUNCTION public.striker_live_trigger('servers', 'server_name');
