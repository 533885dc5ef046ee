-- Install manifests (striker/manifest): one row per node pair, its document as JSON with every
-- secret replaced by {"set": true|false}, and its secrets sealed with the site key in a table of
-- their own.
--
-- manifests has history like every site table. manifest_secrets has none on purpose: a history
-- row would keep an envelope sealed with an old key out of reach of key rotation (which
-- re-encrypts the live table only), and the document's history already shows when a secret was
-- set or cleared. Both tables replicate: a manifest is site-wide truth, and every Striker of the
-- site holds the same keyring.

CREATE TABLE manifests (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The Anvil! name of the pair, <prefix>-anvil-<NN>.
  name        text NOT NULL UNIQUE CHECK (name ~ '^[a-z]{1,5}-anvil-[0-9]{2}$'),
  -- The pair's sequence: one pair per sequence number on the site (its addresses follow from it).
  sequence    integer NOT NULL UNIQUE CHECK (sequence BETWEEN 1 AND 99),
  -- The manifest (schema v1) without secrets in clear.
  document    jsonb NOT NULL CHECK (jsonb_typeof(document) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('manifests');

CREATE TABLE manifest_secrets (
  -- The manifest's id.
  id          uuid PRIMARY KEY REFERENCES manifests (id) ON DELETE CASCADE,
  -- One envelope (striker/core/secrets/envelope.ts, context manifest_secrets.secrets) sealing a
  -- JSON object: secret slot (clusterPassword, hosts.node1.ipmi, fenceDevices.<name>, ...) → text.
  secrets     text NOT NULL,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TRIGGER manifest_secrets_modified_at BEFORE UPDATE ON manifest_secrets
  FOR EACH ROW EXECUTE FUNCTION striker_touch_modified_at();
