-- Server definitions flowing back from the nodes, and a server's ISOs named by file (cluster/servers).
--
-- server_definitions: every version of each server's libvirt definition. Version 1 is the domain
-- XML provisioning rendered; a later one is a change a node reported (`virsh dumpxml --inactive`
-- after someone edited the domain there) against the version before it, or the side a person
-- chose when settling a conflict. `hash` is the SHA-256 of the normalised XML
-- (cluster/servers/domain-definition.ts), so libvirt's own additions are no change. The newest
-- version is the one in force; it is defined on both nodes.
--
-- server_definition_conflicts: two nodes reported different changes from the same base version.
-- The first became the new version (`kept_*`); the second (`other_*`) is kept here, never
-- applied, until a person chooses one (`chosen`), which is then defined on both nodes. At most one
-- open conflict per server.
--
-- servers.install_iso_file / driver_iso_file: the `files` row a server's ISO was named by (its
-- `install_iso` / `driver_iso` is then that file's path on the hosts).
--
-- Changes are announced on the live channel, topic `servers`, key the server's name.

CREATE TABLE server_definitions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  server_name   text NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  xml           text NOT NULL,
  hash          text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  -- The version this one changed; null for the rendered first version.
  base_version  integer CHECK (base_version >= 1 AND base_version < version),
  source        text NOT NULL CHECK (source IN ('rendered', 'node', 'settled')),
  -- The node that reported it (source node), or who settled it (source settled).
  reported_by   text,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (server_name, version)
);
SELECT striker_track('server_definitions');
CREATE TRIGGER server_definitions_live AFTER INSERT OR UPDATE OR DELETE ON server_definitions
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('servers', 'server_name');

CREATE TABLE server_definition_conflicts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  server_name   text NOT NULL,
  -- The version both changes started from.
  base_version  integer NOT NULL CHECK (base_version >= 1),
  kept_version  integer NOT NULL CHECK (kept_version > base_version),
  kept_by       text,
  kept_xml      text NOT NULL,
  kept_hash     text NOT NULL CHECK (kept_hash ~ '^[0-9a-f]{64}$'),
  other_by      text NOT NULL,
  other_xml     text NOT NULL,
  other_hash    text NOT NULL CHECK (other_hash ~ '^[0-9a-f]{64}$'),
  state         text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'settled')),
  chosen        text CHECK (chosen IN ('kept', 'other')),
  -- The version in force after settling.
  settled_version integer,
  settled_by    uuid,
  settled_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((state = 'settled') = (chosen IS NOT NULL AND settled_version IS NOT NULL AND settled_at IS NOT NULL)),
  CHECK (kept_hash <> other_hash)
);
CREATE UNIQUE INDEX server_definition_conflicts_one_open ON server_definition_conflicts (server_name) WHERE state = 'open';
SELECT striker_track('server_definition_conflicts');
CREATE TRIGGER server_definition_conflicts_live AFTER INSERT OR UPDATE OR DELETE ON server_definition_conflicts
  FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('servers', 'server_name');

ALTER TABLE servers ADD COLUMN install_iso_file uuid, ADD COLUMN driver_iso_file uuid;
ALTER TABLE history.servers ADD COLUMN install_iso_file uuid, ADD COLUMN driver_iso_file uuid;
