-- OS media uploaded through the browser (repo-sync/media): one row per upload session. The bytes
-- go to <dataDir>/media/uploads/<id>.part in chunks (received_bytes is how many are on disk and
-- verified); a complete upload whose SHA-256 matches is moved to <dataDir>/media/<id>/<file_name>
-- and imported by a `repo.import-iso` job (job_id). Local to this Striker: the file is on its disk.

CREATE TABLE media_uploads (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  file_name      text NOT NULL CHECK (file_name ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$'),
  size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
  received_bytes bigint NOT NULL DEFAULT 0 CHECK (received_bytes >= 0 AND received_bytes <= size_bytes),
  state          text NOT NULL DEFAULT 'receiving' CHECK (state IN ('receiving', 'complete', 'failed', 'cancelled')),
  -- Hex SHA-256 of the whole file, recorded once the server computed it and it matched the browser's.
  sha256         text CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
  error          text,
  job_id         uuid REFERENCES jobs (id) ON DELETE SET NULL,
  created_by     uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (state <> 'complete' OR (received_bytes = size_bytes AND sha256 IS NOT NULL))
);
CREATE INDEX media_uploads_open ON media_uploads (file_name, size_bytes) WHERE state = 'receiving';
-- Every chunk moves received_bytes: history keeps the state changes, not every chunk.
SELECT striker_track('media_uploads', ARRAY['received_bytes']);
