-- A machine whose install failed: `failed`, with the reason (the installer's report, or "no report
-- from the installer in N minutes"). install_started_at is when the machine last fetched its
-- kickstart: the install timeout counts from it. Reinstall moves a failed machine back to
-- `assigned` and clears the reason.

ALTER TABLE machines DROP CONSTRAINT machines_state_check;
ALTER TABLE machines ADD CONSTRAINT machines_state_check CHECK (state IN ('discovered', 'assigned', 'installing', 'installed', 'failed'));
ALTER TABLE machines ADD COLUMN install_error text CHECK (install_error IS NULL OR char_length(install_error) BETWEEN 1 AND 2000);
ALTER TABLE history.machines ADD COLUMN install_error text;
ALTER TABLE machines ADD COLUMN install_started_at timestamptz;
ALTER TABLE history.machines ADD COLUMN install_started_at timestamptz;
CREATE INDEX machines_installing ON machines (install_started_at) WHERE state = 'installing';
