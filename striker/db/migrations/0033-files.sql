-- Files synced to hosts (cluster/files): ISOs, scripts and server definitions uploaded to a Striker
-- and fetched by each host's agent over HTTP.
--
-- files: one row per uploaded file: its name (one path segment; unique, since a host keeps it
-- under that name), kind, size and hex SHA-256, recorded once the Striker hashed what it
-- received. The bytes stay on the disk of the Striker that received them
-- (<dataDir>/files/<id>/<name>); a Striker without them answers an agent's fetch 404 and the
-- agent asks the next.
--
-- file_hosts: where each file should be and how far it got there, one row per (file, host):
-- pending (a file.fetch job is queued), fetching (bytes so far), ready (the host holds it with the
-- right SHA-256), failed (with why). A host may fetch a file only while it has a row.
--
-- Uploads reuse repo-sync's chunked upload sessions (media_uploads): `purpose` tells an OS media
-- upload from a file upload, and `meta` carries what the purpose needs at completion (a file's kind).

ALTER TABLE media_uploads ADD COLUMN purpose text NOT NULL DEFAULT 'media' CHECK (purpose IN ('media', 'file'));
ALTER TABLE media_uploads ADD COLUMN meta jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(meta) = 'object');
ALTER TABLE history.media_uploads ADD COLUMN purpose text;
ALTER TABLE history.media_uploads ADD COLUMN meta jsonb;
DROP INDEX media_uploads_open;
CREATE INDEX media_uploads_open ON media_uploads (purpose, file_name, size_bytes) WHERE state = 'receiving';

CREATE TABLE files (
  id           uuid PRIMARY KEY,
  name         text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$' AND name NOT LIKE '%..%'),
  kind         text NOT NULL CHECK (kind IN ('iso', 'script', 'definition')),
  size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by  uuid,
  uploaded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('files');
CREATE TRIGGER files_live AFTER INSERT OR UPDATE OR DELETE ON files
  FOR EACH ROW EXECUTE FUNCTION public.striker_live_trigger('files', 'id');

CREATE TABLE file_hosts (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  file_id      uuid NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  host_id      text NOT NULL CHECK (host_id ~ '^[0-9a-f]{2}(-[0-9a-f]{2}){5}$'),
  state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fetching', 'ready', 'failed')),
  bytes        bigint NOT NULL DEFAULT 0 CHECK (bytes >= 0),
  error        text,
  -- The newest file.fetch job for this host.
  job_id       uuid,
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (file_id, host_id),
  CHECK (state <> 'failed' OR error IS NOT NULL)
);
-- Progress moves `bytes` often: history keeps the state changes.
SELECT striker_track('file_hosts', ARRAY['bytes', 'updated_at']);
CREATE TRIGGER file_hosts_live AFTER INSERT OR UPDATE OR DELETE ON file_hosts
  FOR EACH ROW EXECUTE FUNCTION public.striker_live_trigger('files', 'file_id');
