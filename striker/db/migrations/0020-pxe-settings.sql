-- PXE settings made in the UI (PUT /api/settings/pxe): whether PXE is on, the interface it answers
-- on, this Striker's address there, the subnet and DHCP mode and range. When the row holds them
-- they override the configuration file's `pxe:` section; `striker serve` restarts its PXE services
-- in process when they change. One row per Striker: each serves its own back-channel interface.

CREATE TABLE pxe_settings (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  singleton   boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
  enabled     boolean NOT NULL,
  interface   text NOT NULL CHECK (interface ~ '^[A-Za-z0-9_.:@-]{1,15}$'),
  address     inet NOT NULL CHECK (family(address) = 4 AND masklen(address) = 32),
  subnet      cidr NOT NULL CHECK (family(subnet) = 4),
  mode        text NOT NULL CHECK (mode IN ('full', 'proxy')),
  -- The DHCP pool (full mode); NULL in proxy mode.
  range_start inet CHECK (range_start IS NULL OR family(range_start) = 4),
  range_end   inet CHECK (range_end IS NULL OR family(range_end) = 4),
  modified_by uuid REFERENCES users (id) ON DELETE SET NULL,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((range_start IS NULL) = (range_end IS NULL))
);
SELECT striker_track('pxe_settings');

-- What the kickstart settings page sets besides the root password: more SSH public keys root
-- trusts on every installed host (beside the Striker's own), and extra kernel arguments for the
-- installer it boots.
ALTER TABLE kickstart_settings ADD COLUMN root_ssh_keys text[] NOT NULL DEFAULT '{}';
ALTER TABLE history.kickstart_settings ADD COLUMN root_ssh_keys text[];
ALTER TABLE kickstart_settings ADD COLUMN kernel_args text[] NOT NULL DEFAULT '{}';
ALTER TABLE history.kickstart_settings ADD COLUMN kernel_args text[];
