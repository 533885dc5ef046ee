-- A peer's host name (the one its setup wizard stored), learned when the two Strikers peer: the
-- Strikers page names each peer by it, with its node name (striker_peers.id) as a detail. NULL
-- when the peer had no identity yet when it was peered.

ALTER TABLE striker_peers ADD COLUMN host_name text CHECK (host_name IS NULL OR length(host_name) BETWEEN 1 AND 253);
