-- Replication apply cost (striker/db/replication/README.md): a peer's changes are applied one row
-- at a time by a single apply worker, and every ENABLE ALWAYS row trigger of the table runs for
-- each of them, so their cost per row bounds lag and catch-up.
--
-- The live channel's row trigger (0023, 0031) turned the whole row into jsonb to read its key
-- column by name. Most tables on the channel are keyed by `id` (jobs among them, the busiest):
-- for those the key is read from the row directly; another key column is still read through
-- jsonb. The payload is the same: {"topic": ..., "key": ...} on `striker_live`.

CREATE OR REPLACE FUNCTION public.striker_live_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k text;
BEGIN
  IF TG_ARGV[1] = 'id' THEN
    IF TG_OP = 'DELETE' THEN
      k := OLD.id::text;
    ELSE
      k := NEW.id::text;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    k := pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.->>) TG_ARGV[1];
  ELSE
    k := pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.->>) TG_ARGV[1];
  END IF;
  PERFORM public.striker_notify_live(TG_ARGV[0], COALESCE(k, ''));
  RETURN NULL;
END $$;

-- jobs_claimable (0003) indexed the queued jobs by run_after; jobs_claimable_by_owner (0015)
-- indexes the same rows (status = 'queued') by (owner_node, run_after) and serves every query the
-- first one could. Each inserted job, local or applied from a peer, no longer updates both.
DROP INDEX public.jobs_claimable;
