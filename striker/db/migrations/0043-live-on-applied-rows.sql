-- A peer's changes reach this Striker's live pages (the live channel, striker/events/live-*.ts). An apply worker
-- runs with session_replication_role = replica, where a plain trigger does not fire: only an
-- ENABLE ALWAYS one does. The live triggers of the tables added after 0028 (cluster reports,
-- servers and their migrations and definitions, files, DR) were plain, so a server started, a
-- file uploaded or a DR link made through another Striker never moved this Striker's pages.
-- Every live trigger is made ENABLE ALWAYS here; on a replicated table the next start folds it
-- into the table's one AFTER trigger (0038). A table's new live trigger must be made ENABLE ALWAYS
-- by its own migration (striker/db/replication/classification.test.ts checks it).
DO $$
DECLARE
  g record;
BEGIN
  FOR g IN
    SELECT c.relname, t.tgname
      FROM pg_catalog.pg_trigger t
      JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     WHERE t.tgfoid = 'public.striker_live_trigger()'::pg_catalog.regprocedure AND t.tgenabled <> 'A'
  LOOP
    EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', g.relname, g.tgname);
  END LOOP;
END $$;
