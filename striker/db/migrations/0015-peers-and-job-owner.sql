-- Peering between Strikers (striker/peers) and where a job's claim lives (striker/jobs).
--
-- striker_node and striker_peers are per-Striker and never replicated: a node's id is what makes
-- it one node, and a peer row holds this Striker's own subscription to that peer and the
-- credentials for it (sealed with the site key; see striker/core/secrets).
--
-- A job is owned by the Striker whose database it was inserted into: only that Striker's job
-- runner (and agents through that Striker) may claim it, so a job replicated to several
-- databases is claimed in one only. The owner is stamped by an ordinary BEFORE INSERT trigger:
-- ordinary triggers do not fire in a logical-replication apply worker, so a replicated job keeps
-- the owner its origin stamped (NULL from a peer that has not run this migration yet; such a job
-- is claimed on that peer only).

CREATE TABLE striker_node (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  singleton   boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO striker_node DEFAULT VALUES;

CREATE FUNCTION striker_node_id() RETURNS uuid LANGUAGE sql STABLE SET search_path = public AS $$
  SELECT id FROM public.striker_node
$$;

CREATE TABLE striker_peers (
  -- The peer's own node id (its striker_node.id).
  id               uuid PRIMARY KEY,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The peer's API base URL (http(s)://host:port/).
  address          text NOT NULL CHECK (length(address) BETWEEN 8 AND 300),
  -- This Striker's subscription to the peer's publication.
  subscription     text NOT NULL UNIQUE CHECK (subscription ~ '^striker_sub_[a-f0-9]{32}$'),
  -- How this Striker's database reaches the peer's, as the replication role the peer made for it.
  db_host          text NOT NULL,
  db_port          integer NOT NULL CHECK (db_port BETWEEN 1 AND 65535),
  db_name          text NOT NULL,
  db_user          text NOT NULL,
  db_password      text NOT NULL,
  -- The role this Striker made on its own database for the peer's subscription.
  local_role       text NOT NULL UNIQUE CHECK (local_role ~ '^striker_peer_[a-f0-9]{32}$'),
  -- The shared token the two Strikers present to each other (x-striker-peer header), sealed.
  peer_token       text NOT NULL,
  -- Whether this Striker's subscription copied the peer's rows when it was made (the seeding side).
  seeded_from_peer boolean NOT NULL,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TRIGGER striker_peers_modified_at BEFORE UPDATE ON striker_peers
  FOR EACH ROW EXECUTE FUNCTION striker_touch_modified_at();

ALTER TABLE jobs ADD COLUMN owner_node uuid;
ALTER TABLE history.jobs ADD COLUMN owner_node uuid;
UPDATE jobs SET owner_node = striker_node_id();

CREATE FUNCTION jobs_stamp_owner() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
  IF NEW.owner_node IS NULL THEN
    NEW.owner_node := public.striker_node_id();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER jobs_stamp_owner BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_stamp_owner();
CREATE INDEX jobs_claimable_by_owner ON jobs (owner_node, run_after) WHERE status = 'queued';
