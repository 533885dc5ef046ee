-- Peering between Strikers (striker/peers) and where a job's claim lives (striker/jobs).
--
-- striker_peers is per-Striker and never replicated: a row holds this Striker's own subscription
-- to that peer and the credentials for it (sealed with the site key; see striker/core/secrets).
-- Peers are named by their node name (replication_node.name, migration 0013).
--
-- A job is owned by the Striker whose database it was inserted into: only that Striker's job
-- runner (and agents through that Striker) may claim it, so a job replicated to several
-- databases is claimed in one only. The owner is stamped by an ordinary BEFORE INSERT trigger:
-- ordinary triggers do not fire in a logical-replication apply worker, so a replicated job keeps
-- the owner its origin stamped (NULL from a peer that has not run this migration yet; such a job
-- is claimed on that peer only).

CREATE TABLE striker_peers (
  -- The peer's node name.
  id               text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,23}$'),
  -- The peer's API base URL (http(s)://host:port/).
  address          text NOT NULL CHECK (length(address) BETWEEN 8 AND 300),
  -- How this Striker's database reaches the peer's, as the replication role the peer made for it.
  db_host          text NOT NULL,
  db_port          integer NOT NULL CHECK (db_port BETWEEN 1 AND 65535),
  db_name          text NOT NULL,
  db_user          text NOT NULL,
  db_password      text NOT NULL,
  -- The role this Striker made on its own database for the peer's subscription.
  local_role       text NOT NULL UNIQUE CHECK (local_role ~ '^striker_peer_[a-z][a-z0-9_]{0,23}$'),
  -- The shared token the two Strikers present to each other (x-striker-peer-token), sealed.
  peer_token       text NOT NULL,
  -- Whether this Striker's subscription copied the peer's rows when it was made (the seeding side).
  seeded_from_peer boolean NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TRIGGER striker_peers_modified_at BEFORE UPDATE ON striker_peers
  FOR EACH ROW EXECUTE FUNCTION striker_touch_modified_at();

ALTER TABLE jobs ADD COLUMN owner_node text;
ALTER TABLE history.jobs ADD COLUMN owner_node text;
UPDATE jobs SET owner_node = public.striker_node_name();

CREATE FUNCTION public.jobs_stamp_owner() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF NEW.owner_node IS NULL THEN
    NEW.owner_node := public.striker_node_name();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_stamp_owner BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION public.jobs_stamp_owner();
CREATE INDEX jobs_claimable_by_owner ON jobs (owner_node, run_after) WHERE status = 'queued';
