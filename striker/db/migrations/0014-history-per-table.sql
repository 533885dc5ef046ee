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

-- The conflict rules (0013, striker_replication_resolve) as before, as a function per replicated
-- table, public.striker_resolve_<table>(), written by public.striker_resolve_function(table) when
-- striker_replicate attaches it, with less work on the common path of an applied change:
-- - an applied insert looks for the key's local row with a plain SELECT of the table (a plan
--   PL/pgSQL keeps), not dynamic SQL;
-- - the incoming row becomes jsonb only when a version of it is already here (a possible conflict);
-- - an insert of a new key looks for another unique key's holder only when the table has such an
--   index.
-- The commit-origin lookups (striker_xid_origin) run only on a conflict, as before. The function
-- names no column, so a migration that adds one needs nothing rewritten.
CREATE OR REPLACE FUNCTION public.striker_resolve_unique(rel oid, sch text, tbl text, mode text, new_row anyelement, incoming jsonb) RETURNS anyelement
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  idx record;
  local_row jsonb;
  local_xmin xid;
  incoming_wins boolean;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                  WHERE i.indrelid = rel AND i.indisunique AND NOT i.indisprimary AND i.indexprs IS NULL) THEN
    RETURN new_row;
  END IF;
  IF incoming IS NULL THEN
    incoming := pg_catalog.to_jsonb(new_row);
  END IF;
  FOR idx IN
    SELECT pg_catalog.string_agg('t.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord) AS lhs,
           pg_catalog.string_agg('r.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord) AS rhs
      FROM pg_catalog.pg_index i
      CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = rel AND i.indisunique AND NOT i.indisprimary AND i.indexprs IS NULL
     GROUP BY i.indexrelid
  LOOP
    EXECUTE pg_catalog.format('SELECT pg_catalog.to_jsonb(t), t.xmin FROM %I.%I t WHERE (%s) = (SELECT %s FROM pg_catalog.jsonb_populate_record(NULL::%I.%I, $1) r) LIMIT 1',
                              sch, tbl, idx.lhs, idx.rhs, sch, tbl)
      INTO local_row, local_xmin USING incoming;
    CONTINUE WHEN local_row IS NULL;
    incoming_wins := (incoming->>'modified_at')::timestamptz > (local_row->>'modified_at')::timestamptz
      OR ((incoming->>'modified_at')::timestamptz = (local_row->>'modified_at')::timestamptz
          AND pg_catalog.md5(incoming::text) > pg_catalog.md5(local_row::text));
    IF incoming_wins THEN
      IF mode = 'record' THEN
        PERFORM public.striker_record_conflict(tbl, (local_row->>'id')::uuid, 'insert', incoming, local_row,
                                               public.striker_apply_origin(), public.striker_xid_origin(local_xmin));
      END IF;
      PERFORM pg_catalog.set_config('striker.resolving', 'on', true);
      EXECUTE pg_catalog.format('DELETE FROM %I.%I t WHERE t.id = $1', sch, tbl) USING (local_row->>'id')::uuid;
      PERFORM pg_catalog.set_config('striker.resolving', 'off', true);
    ELSE
      IF mode = 'record' THEN
        PERFORM public.striker_record_conflict(tbl, (incoming->>'id')::uuid, 'insert', local_row, incoming,
                                               public.striker_xid_origin(local_xmin), public.striker_apply_origin());
      END IF;
      RETURN NULL;
    END IF;
  END LOOP;
  RETURN new_row;
END $$;

CREATE FUNCTION public.striker_resolve_function(tbl text) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $gen$
BEGIN
  EXECUTE pg_catalog.replace(pg_catalog.replace($body$
CREATE OR REPLACE FUNCTION public.__FUNCTION__() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $f$
DECLARE
  mode text := coalesce(TG_ARGV[0], 'record');
  local_row jsonb;
  local_xmin xid;
  local_mod timestamptz;
  local_prev timestamptz;
  incoming jsonb;
  incoming_wins boolean;
  del_mod timestamptz;
  del_by text;
  cols text;
  rcols text;
BEGIN
  IF pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
    IF TG_OP = 'UPDATE' THEN
      NEW.modified_at := GREATEST(NEW.modified_at, OLD.modified_at + interval '1 microsecond');
      NEW.previous_modified_at := OLD.modified_at;
      RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
      IF mode = 'record' THEN
        INSERT INTO public.row_deletions (table_name, row_id, deleted_modified_at, deleted_by)
        VALUES (TG_TABLE_NAME, OLD.id, OLD.modified_at, public.striker_node_name());
      END IF;
      RETURN OLD;
    END IF;
    IF mode = 'plain' THEN
      PERFORM public.striker_lock_key(TG_TABLE_NAME, NEW.id);
    END IF;
    RETURN NEW;
  END IF;

  -- The update this function itself makes below, to turn an insert into an update.
  IF pg_catalog.current_setting('striker.resolving', true) = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;

  IF TG_OP = 'DELETE' THEN
    IF mode <> 'record' THEN RETURN OLD; END IF;
    SELECT d.deleted_modified_at, d.deleted_by INTO del_mod, del_by FROM public.row_deletions d
     WHERE d.table_name = TG_TABLE_NAME AND d.row_id = OLD.id ORDER BY d.deleted_at DESC LIMIT 1;
    IF FOUND AND del_mod < OLD.modified_at THEN
      EXECUTE pg_catalog.format('SELECT t.xmin FROM %I.%I t WHERE t.id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO local_xmin USING OLD.id;
      PERFORM public.striker_record_conflict(TG_TABLE_NAME, OLD.id, 'delete', NULL, pg_catalog.to_jsonb(OLD),
                                             coalesce(del_by, public.striker_apply_origin()), public.striker_xid_origin(local_xmin));
    END IF;
    RETURN OLD;
  END IF;

  IF TG_OP = 'INSERT' AND mode = 'plain' THEN
    PERFORM public.striker_lock_key(TG_TABLE_NAME, NEW.id);
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.previous_modified_at IS NOT DISTINCT FROM OLD.modified_at OR NEW.previous_modified_at > OLD.modified_at THEN
      RETURN NEW;
    END IF;
    IF OLD.previous_modified_at IS NOT DISTINCT FROM NEW.modified_at THEN
      RETURN NULL;
    END IF;
    local_row := pg_catalog.to_jsonb(OLD);
    incoming := pg_catalog.to_jsonb(NEW);
    local_mod := OLD.modified_at;
    EXECUTE pg_catalog.format('SELECT t.xmin FROM %I.%I t WHERE t.id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO local_xmin USING OLD.id;
  ELSE
    SELECT pg_catalog.to_jsonb(t), t.xmin, t.modified_at, t.previous_modified_at INTO local_row, local_xmin, local_mod, local_prev
      FROM public.__TABLE__ t WHERE t.id = NEW.id;
    IF local_row IS NULL THEN
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                      WHERE i.indrelid = TG_RELID AND i.indisunique AND NOT i.indisprimary AND i.indexprs IS NULL) THEN
        RETURN NEW;
      END IF;
      RETURN public.striker_resolve_unique(TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME, mode, NEW, NULL);
    END IF;
    incoming := pg_catalog.to_jsonb(NEW);
    IF local_row = incoming OR local_prev IS NOT DISTINCT FROM NEW.modified_at THEN
      RETURN NULL;
    END IF;
  END IF;

  IF local_row = incoming THEN
    RETURN NEW;
  END IF;
  incoming_wins := NEW.modified_at > local_mod
    OR (NEW.modified_at = local_mod AND pg_catalog.md5(incoming::text) > pg_catalog.md5(local_row::text));
  IF TG_OP = 'INSERT' AND NEW.previous_modified_at IS NOT DISTINCT FROM local_mod AND local_mod IS NOT NULL THEN
    incoming_wins := true;
  ELSIF mode = 'record' THEN
    IF incoming_wins THEN
      PERFORM public.striker_record_conflict(TG_TABLE_NAME, NEW.id, pg_catalog.lower(TG_OP), incoming, local_row,
                                             public.striker_apply_origin(), public.striker_xid_origin(local_xmin));
    ELSE
      PERFORM public.striker_record_conflict(TG_TABLE_NAME, NEW.id, pg_catalog.lower(TG_OP), local_row, incoming,
                                             public.striker_xid_origin(local_xmin), public.striker_apply_origin());
    END IF;
  END IF;
  IF NOT incoming_wins THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    RETURN NEW;
  END IF;
  -- An insert whose key exists and that wins: overwrite the row, as an update would.
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
         pg_catalog.string_agg('r.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
    INTO cols, rcols
    FROM pg_catalog.pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
  PERFORM pg_catalog.set_config('striker.resolving', 'on', true);
  EXECUTE pg_catalog.format('UPDATE %I.%I t SET (%s) = (SELECT %s FROM pg_catalog.jsonb_populate_record(NULL::%I.%I, $1) r) WHERE t.id = $2',
                            TG_TABLE_SCHEMA, TG_TABLE_NAME, cols, rcols, TG_TABLE_SCHEMA, TG_TABLE_NAME)
    USING incoming, NEW.id;
  PERFORM pg_catalog.set_config('striker.resolving', 'off', true);
  RETURN NULL;
END $f$
$body$, '__FUNCTION__', pg_catalog.quote_ident('striker_resolve_' || tbl)), '__TABLE__', pg_catalog.quote_ident(tbl));
END $gen$;

-- striker_replicate (0013) as before, but the history function is rewritten after it adds
-- previous_modified_at, and the conflict-rule trigger runs the table's own function.
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
  PERFORM public.striker_resolve_function(tbl);
  EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.%I(%L)',
                            tbl || '_replication', tbl, 'striker_resolve_' || tbl, mode);
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', tbl, tbl || '_replication');
END $$;

-- The tables replicated so far move to their own conflict-rule function now (prepareReplication
-- does the same at every start).
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname::text AS tbl, pg_catalog.encode(g.tgargs, 'escape') AS args
      FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
     WHERE g.tgfoid = 'public.striker_replication_resolve'::regproc
  LOOP
    PERFORM public.striker_replicate(t.tbl, CASE WHEN t.args LIKE 'plain%' THEN 'plain' ELSE 'record' END);
  END LOOP;
END $$;
DROP FUNCTION public.striker_replication_resolve();
