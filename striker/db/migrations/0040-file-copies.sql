-- Each Striker's copy of each file's bytes (cluster/files): a file uploaded to one Striker is
-- pulled by every other Striker from a peer that holds it, so losing one Striker loses no file.
--
-- file_copies: one row per (file, Striker), written only by that Striker (`node` is its
-- replication node name): held (its bytes are at <dataDir>/files/<id>/<name>, SHA-256 checked),
-- fetching (bytes so far, from which peer), failed (with why). Replicated, newest version wins:
-- each row is its own Striker's newest word about its own disk. Agents ask a Striker that holds
-- the bytes first; the Files page shows every Striker's copy. The id is derived from the file and
-- the node, so a Striker's row has one id wherever it is written.
CREATE TABLE file_copies (
  id           uuid PRIMARY KEY,
  file_id      uuid NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  node         text NOT NULL CHECK (node ~ '^[a-z][a-z0-9_]{0,23}$'),
  state        text NOT NULL CHECK (state IN ('fetching', 'held', 'failed')),
  bytes        bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
  -- The peer the bytes come from (fetching), or came from.
  source       text,
  error        text,
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (file_id, node),
  CHECK (state <> 'failed' OR error IS NOT NULL)
);
-- Progress moves `bytes` often: history keeps the state changes.
SELECT striker_track('file_copies', ARRAY['bytes', 'updated_at']);
CREATE TRIGGER file_copies_live AFTER INSERT OR UPDATE OR DELETE ON file_copies
  FOR EACH ROW EXECUTE FUNCTION public.striker_live_trigger('files', 'file_id');
-- A change a peer made reaches this Striker's pages, and its copy keeper, as it is applied.
ALTER TABLE file_copies ENABLE ALWAYS TRIGGER file_copies_live;
ALTER TABLE files ENABLE ALWAYS TRIGGER files_live;
ALTER TABLE file_hosts ENABLE ALWAYS TRIGGER file_hosts_live;
