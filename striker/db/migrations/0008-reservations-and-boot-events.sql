-- Reserved addresses an admin confirmed: a request from a machine's reserved address alone is
-- trusted with that machine's kickstart (which carries secrets) only while the reservation is the
-- address an admin set or confirmed. A reservation changed by anyone else no longer matches its
-- confirmation until an admin sets it again.
CREATE TABLE reservation_confirmations (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mac          text NOT NULL UNIQUE REFERENCES machines (mac) ON DELETE CASCADE ON UPDATE CASCADE,
  ip           inet NOT NULL,
  confirmed_by text NOT NULL,
  confirmed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
SELECT striker_track('reservation_confirmations');

-- Boot events are an append-only log, capped per machine when written and purged by age; a
-- history of rows that never change would only double what a flood of requests writes.
DROP TRIGGER boot_events_history ON boot_events;
DROP TABLE history.boot_events;
