-- The corosync authkey of each node pair (cluster/join): made once per pair, the first time one of
-- its subnodes asks for its join plan, and sealed with the site key (striker/core/secrets/envelope.ts,
-- context cluster_pair_keys.authkey). Only the agents of the pair's two subnodes receive it.
--
-- Keyed by the pair's Anvil! name, not by its manifest: a manifest deleted and written again for the
-- same pair must not give a running cluster a new key. No history, as for manifest_secrets: a
-- history row would keep an envelope sealed with an old key out of reach of key rotation. The
-- table replicates, so every Striker hands out the same key.

CREATE TABLE cluster_pair_keys (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The pair's Anvil! name, <prefix>-anvil-<NN>.
  anvil_name  text NOT NULL UNIQUE CHECK (anvil_name ~ '^[a-z]{1,5}-anvil-[0-9]{2}$'),
  -- The 256-byte authkey in base64, sealed.
  authkey     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TRIGGER cluster_pair_keys_modified_at BEFORE UPDATE ON cluster_pair_keys
  FOR EACH ROW EXECUTE FUNCTION striker_touch_modified_at();
