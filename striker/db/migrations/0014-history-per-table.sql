-- History by a trigger function per tracked table, with the table's columns written into it.
-- Until here one function (striker_record_history) served every table and, for each row, read the
-- table's columns from pg_attribute and ran the INSERT as dynamic SQL: a catalog query, a parse
-- and a plan per row, in local writes and in replication apply workers alike. Now
-- public.striker_history_function(table) (re)writes public.striker_history_<table>(), a plain
-- INSERT naming the columns; PL/pgSQL keeps its plan.
--
-- The column list must follow the table. It is rewritten:
-- - by the event trigger striker_history_columns after every ALTER TABLE of a tracked table or of
--   its history table (made where the migrating role may create event triggers: a superuser,
--   as the embedded PostgreSQL's role is);
-- - by striker/db/migrate.ts after every migration, for every tracked table
--   (public.striker_history_refresh(); this covers a role without event triggers);
-- - by striker_replicate (migration 0013), which adds previous_modified_at.
-- So adding a column to a tracked table still takes the two statements of migration 0009:
--   ALTER TABLE <table> ADD COLUMN <name> <type>;
--   ALTER TABLE history.<table> ADD COLUMN <name> <type>;
--
-- The generated function names every object with its schema (it runs in apply workers with an
-- empty search_path) and has no SET search_path clause, which would cost a configuration save and
-- restore on every row. An update whose only changes are in modified_at, previous_modified_at and
-- the table's quiet columns (the trigger's argument) still makes no history row.

CREATE FUNCTION public.striker_history_function(tbl text) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $gen$
DECLARE
  cols text;
  old_vals text;
  new_vals text;
BEGIN
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
         pg_catalog.string_agg('OLD.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
         pg_catalog.string_agg('NEW.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
    INTO cols, old_vals, new_vals
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = pg_catalog.format('public.%I', tbl)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
  EXECUTE pg_catalog.format($body$
CREATE OR REPLACE FUNCTION public.%I() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  ignored text[] := COALESCE(TG_ARGV[0]::text[], ARRAY[]::text[]) || ARRAY['modified_at', 'previous_modified_at'];
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO history.%I (%s, history_op, history_at) VALUES (%s, 'DELETE', pg_catalog.clock_timestamp());
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) ignored) = (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) ignored) THEN
    RETURN NEW;
  END IF;
  INSERT INTO history.%I (%s, history_op, history_at) VALUES (%s, TG_OP, pg_catalog.clock_timestamp());
  RETURN NEW;
END $f$
$body$, 'striker_history_' || tbl, tbl, cols, old_vals, tbl, cols, new_vals);
END $gen$;

-- Every tracked table: a table of public with a history table of the same name.
CREATE FUNCTION public.striker_tracked_tables() RETURNS SETOF text LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT p.tablename::text FROM pg_catalog.pg_tables p
    JOIN pg_catalog.pg_tables h ON h.schemaname = 'history' AND h.tablename = p.tablename
   WHERE p.schemaname = 'public' ORDER BY 1
$$;

CREATE FUNCTION public.striker_history_refresh() RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  tbl text;
BEGIN
  FOR tbl IN SELECT public.striker_tracked_tables() LOOP
    PERFORM public.striker_history_function(tbl);
  END LOOP;
END $$;

-- New tracked tables get their own function from the start.
CREATE OR REPLACE FUNCTION striker_track(tbl text, quiet_columns text[] DEFAULT ARRAY[]::text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE history.%I (LIKE public.%I)', tbl, tbl);
  EXECUTE format('ALTER TABLE history.%I ADD COLUMN history_op text NOT NULL, ADD COLUMN history_at timestamptz NOT NULL, '
                 'ADD COLUMN history_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY', tbl);
  EXECUTE format('CREATE INDEX ON history.%I (id, history_at)', tbl);
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION striker_touch_modified_at()',
                 tbl || '_modified_at', tbl);
  PERFORM public.striker_history_function(tbl);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.%I(%L)',
                 tbl || '_history', tbl, 'striker_history_' || tbl, quiet_columns::text);
END $$;

-- The tables tracked so far: the same trigger (name, events, quiet columns, ENABLE ALWAYS where it
-- was) on the table's own function.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname::text AS tbl, g.tgname::text AS tgname, g.tgenabled, pg_catalog.pg_get_triggerdef(g.oid) AS def
      FROM pg_catalog.pg_trigger g
      JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     WHERE g.tgfoid = 'striker_record_history'::regproc
  LOOP
    PERFORM public.striker_history_function(t.tbl);
    EXECUTE format('DROP TRIGGER %I ON public.%I', t.tgname, t.tbl);
    EXECUTE regexp_replace(t.def, 'EXECUTE FUNCTION (public\.)?striker_record_history\(',
                           format('EXECUTE FUNCTION public.%I(', 'striker_history_' || t.tbl));
    IF t.tgenabled = 'A' THEN
      EXECUTE format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
    END IF;
  END LOOP;
END $$;
DROP FUNCTION striker_record_history();

-- striker_replicate (0013) as before, and the history function rewritten after it adds
-- previous_modified_at.
CREATE OR REPLACE FUNCTION public.striker_replicate(tbl text, mode text) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF mode NOT IN ('record', 'plain') THEN
    RAISE EXCEPTION 'striker_replicate: mode must be record or plain, got %', mode;
  END IF;
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ADD COLUMN IF NOT EXISTS previous_modified_at timestamptz', tbl);
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_tables t WHERE t.schemaname = 'history' AND t.tablename = tbl) THEN
    EXECUTE pg_catalog.format('ALTER TABLE history.%I ADD COLUMN IF NOT EXISTS previous_modified_at timestamptz', tbl);
    PERFORM public.striker_history_function(tbl);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = pg_catalog.format('public.%I', tbl)::regclass AND g.tgname = tbl || '_history') THEN
    EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', tbl, tbl || '_history');
  END IF;
  EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.striker_replication_resolve(%L)',
                            tbl || '_replication', tbl, mode);
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', tbl, tbl || '_replication');
END $$;

-- After an ALTER TABLE of a tracked table (public.<t>) or of its history table (history.<t>).
CREATE FUNCTION public.striker_history_columns_changed() RETURNS event_trigger LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  tbl text;
BEGIN
  FOR tbl IN
    SELECT DISTINCT c.relname::text
      FROM pg_catalog.pg_event_trigger_ddl_commands() d
      JOIN pg_catalog.pg_class c ON c.oid = d.objid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0 AND n.nspname IN ('public', 'history')
  LOOP
    IF tbl IN (SELECT public.striker_tracked_tables()) THEN
      PERFORM public.striker_history_function(tbl);
    END IF;
  END LOOP;
END $$;

DO $$
BEGIN
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
    CREATE EVENT TRIGGER striker_history_columns ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
      EXECUTE FUNCTION public.striker_history_columns_changed();
  END IF;
END $$;
