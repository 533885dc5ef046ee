-- Conflict rules split by who writes (striker/db/replication/README.md, "What an applied row
-- costs"). A peer's changes are applied one row at a time by one apply worker per peer, so what
-- its row triggers do per row bounds lag and catch-up.
--
-- The conflict rule of a replicated table was one BEFORE INSERT OR UPDATE OR DELETE trigger,
-- ENABLE ALWAYS, whose function asked for every row whether it ran in an apply worker
-- (session_replication_role) and whether it was its own nested write (striker.resolving), read
-- its mode from TG_ARGV, and reached the local row through dynamic SQL on some paths. Now:
--
--   <table>_replication         BEFORE INSERT [OR DELETE], ENABLE REPLICA: a peer's insert (and,
--                                in `record` mode, delete), public.striker_resolve_<table>();
--   <table>_replication_update  BEFORE UPDATE, ENABLE REPLICA, with a WHEN clause: fires only for
--                                a peer's update that was not made from the version held here (the
--                                common update, made from our version or a later one, is applied
--                                without a call);
--   <table>_replication_local   BEFORE UPDATE OR DELETE (`plain`: INSERT OR UPDATE), ENABLE
--                                (fires in ordinary sessions, not in apply workers):
--                                public.striker_local_write(), the local-write rules.
--
-- ENABLE REPLICA triggers fire only where session_replication_role = replica (apply workers),
-- ordinary ones only where it is not: each trigger knows where it runs. The function's own nested
-- writes (striker.resolving on: the overwrite of a winning insert, the delete of a losing row) are
-- let through as they are.
--
-- public.striker_resolve_<table>() is generated per table by striker_resolve_function(table, mode,
-- settled_column) with the table's mode written in and static SQL only: the key lookup of an
-- insert (one index probe when the key is new), the local row's xmin, the overwrite of a winning
-- insert (columns named from NEW) and, on tables with another unique key (machines.mac,
-- users.username), one static lookup per such key instead of striker_resolve_unique's catalog
-- query and dynamic SQL. The decisions are those of migration 0030, unchanged.
--
-- The generated history functions (0038) send their live and feed announcements with an
-- assignment instead of PERFORM: PL/pgSQL evaluates an assignment's expression directly, while a
-- PERFORM starts the executor for a SELECT each time.

-- The local-write rules of every replicated table (fired only outside apply workers).
CREATE FUNCTION public.striker_local_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Later than the version it replaces (also when this Striker's clock is behind a peer's).
    NEW.modified_at := GREATEST(NEW.modified_at, OLD.modified_at + interval '1 microsecond');
    NEW.previous_modified_at := OLD.modified_at;
    RETURN NEW;
  ELSIF TG_OP = 'DELETE' THEN
    -- `record` tables only (their trigger is the one with DELETE): which version was deleted, by whom.
    INSERT INTO public.row_deletions (table_name, row_id, deleted_modified_at, deleted_by)
    VALUES (TG_TABLE_NAME, OLD.id, OLD.modified_at, public.striker_node_name());
    RETURN OLD;
  END IF;
  -- INSERT, `plain` tables only: concurrent inserts of one key wait for each other.
  PERFORM public.striker_lock_key(TG_TABLE_NAME, NEW.id);
  RETURN NEW;
END $$;

DROP FUNCTION public.striker_resolve_function(text, text);

-- Writes public.striker_resolve_<tbl>(), the rule for a peer's inserts, updates and deletes.
CREATE FUNCTION public.striker_resolve_function(tbl text, mode text, settled_column text DEFAULT NULL) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $gen$
DECLARE
  rel regclass := pg_catalog.format('public.%I', tbl)::regclass;
  cols text;
  new_vals text;
  unique_checks text := '';
  settled text := '';
  settled_end text := '';
  idx record;
BEGIN
  IF mode NOT IN ('record', 'plain') THEN
    RAISE EXCEPTION 'striker_resolve_function: mode must be record or plain, got %', mode;
  END IF;
  IF settled_column IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = rel AND a.attname = settled_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
    RAISE EXCEPTION 'striker_resolve_function: %.% does not exist (the settled column)', tbl, settled_column;
  END IF;
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
         pg_catalog.string_agg('NEW.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
    INTO cols, new_vals
    FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';

  -- An insert whose id is new here but whose other unique key a different local row holds: the
  -- same decision between the two rows (striker_resolve_unique, 0014), one static lookup per key.
  FOR idx IN
    SELECT pg_catalog.string_agg('t.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord) AS lhs,
           pg_catalog.string_agg('NEW.' || pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord) AS rhs
      FROM pg_catalog.pg_index i
      CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = rel AND i.indisunique AND NOT i.indisprimary AND i.indexprs IS NULL
     GROUP BY i.indexrelid ORDER BY i.indexrelid
  LOOP
    unique_checks := unique_checks || pg_catalog.format($u$
    SELECT pg_catalog.to_jsonb(t), t.xmin INTO local_row, local_xmin FROM public.%1$I t WHERE ROW(%2$s) = ROW(%3$s) LIMIT 1;
    IF local_row IS NOT NULL THEN
      incoming := pg_catalog.to_jsonb(NEW);
      incoming_wins := (incoming OPERATOR(pg_catalog.->>) 'modified_at')::timestamptz > (local_row OPERATOR(pg_catalog.->>) 'modified_at')::timestamptz
        OR ((incoming OPERATOR(pg_catalog.->>) 'modified_at')::timestamptz = (local_row OPERATOR(pg_catalog.->>) 'modified_at')::timestamptz
            AND pg_catalog.md5(incoming::text) > pg_catalog.md5(local_row::text));
      IF incoming_wins THEN%4$s
        PERFORM pg_catalog.set_config('striker.resolving', 'on', true);
        DELETE FROM public.%1$I t WHERE t.id = (local_row OPERATOR(pg_catalog.->>) 'id')::uuid;
        PERFORM pg_catalog.set_config('striker.resolving', 'off', true);
      ELSE%5$s
        RETURN NULL;
      END IF;
    END IF;$u$, tbl, idx.lhs, idx.rhs,
      CASE WHEN mode = 'record' THEN $r$
        PERFORM public.striker_record_conflict(TG_TABLE_NAME, (local_row OPERATOR(pg_catalog.->>) 'id')::uuid, 'insert', incoming, local_row,
                                               public.striker_apply_origin(), public.striker_xid_origin(local_xmin));$r$ ELSE '' END,
      CASE WHEN mode = 'record' THEN $r$
        PERFORM public.striker_record_conflict(TG_TABLE_NAME, NEW.id, 'insert', local_row, incoming,
                                               public.striker_xid_origin(local_xmin), public.striker_apply_origin());$r$ ELSE '' END);
  END LOOP;

  IF settled_column IS NOT NULL THEN
    settled := pg_catalog.format('CASE WHEN (incoming OPERATOR(pg_catalog.->>) %1$L IS NULL) <> (local_row OPERATOR(pg_catalog.->>) %1$L IS NULL) THEN incoming OPERATOR(pg_catalog.->>) %1$L IS NOT NULL ELSE', settled_column);
    settled_end := 'END';
  END IF;

  EXECUTE pg_catalog.format($body$
CREATE OR REPLACE FUNCTION public.%1$I() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  local_row jsonb;
  local_xmin xid;
  local_mod timestamptz;
  local_prev timestamptz;
  incoming jsonb;
  incoming_wins boolean;
  del_mod timestamptz;
  del_by text;
BEGIN
  IF TG_OP = 'INSERT' THEN%3$s
    SELECT pg_catalog.to_jsonb(t), t.xmin, t.modified_at, t.previous_modified_at INTO local_row, local_xmin, local_mod, local_prev
      FROM public.%2$I t WHERE t.id = NEW.id;
    IF local_row IS NULL THEN%4$s
      RETURN NEW;
    END IF;
    incoming := pg_catalog.to_jsonb(NEW);
    IF local_row = incoming OR local_prev IS NOT DISTINCT FROM NEW.modified_at THEN
      RETURN NULL;
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    -- The trigger's WHEN clause lets through only an update not made from the version held here.
    IF NEW.previous_modified_at IS NOT DISTINCT FROM OLD.modified_at OR NEW.previous_modified_at > OLD.modified_at THEN
      RETURN NEW;
    END IF;
    IF OLD.previous_modified_at IS NOT DISTINCT FROM NEW.modified_at THEN
      RETURN NULL;
    END IF;
    local_row := pg_catalog.to_jsonb(OLD);
    incoming := pg_catalog.to_jsonb(NEW);
    local_mod := OLD.modified_at;
    SELECT t.xmin INTO local_xmin FROM public.%2$I t WHERE t.id = OLD.id;
  ELSE
    -- DELETE (`record` mode): a delete of a version older than ours is a delete conflict; the
    -- delete of a losing row by this function's unique-key rule is not.
    IF pg_catalog.current_setting('striker.resolving', true) = 'on' THEN
      RETURN OLD;
    END IF;
    SELECT d.deleted_modified_at, d.deleted_by INTO del_mod, del_by FROM public.row_deletions d
     WHERE d.table_name = TG_TABLE_NAME AND d.row_id = OLD.id ORDER BY d.deleted_at DESC LIMIT 1;
    IF FOUND AND del_mod < OLD.modified_at THEN
      SELECT t.xmin INTO local_xmin FROM public.%2$I t WHERE t.id = OLD.id;
      PERFORM public.striker_record_conflict(TG_TABLE_NAME, OLD.id, 'delete', NULL, pg_catalog.to_jsonb(OLD),
                                             coalesce(del_by, public.striker_apply_origin()), public.striker_xid_origin(local_xmin));
    END IF;
    RETURN OLD;
  END IF;

  IF local_row = incoming THEN
    RETURN NEW;
  END IF;
  incoming_wins := %5$s NEW.modified_at > local_mod
    OR (NEW.modified_at = local_mod AND pg_catalog.md5(incoming::text) > pg_catalog.md5(local_row::text)) %6$s;
  IF TG_OP = 'INSERT' AND NEW.previous_modified_at IS NOT DISTINCT FROM local_mod AND local_mod IS NOT NULL THEN
    incoming_wins := true;%7$s
  END IF;
  IF NOT incoming_wins THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    RETURN NEW;
  END IF;
  -- An insert whose key exists and that wins: overwrite the row, as an update would.
  PERFORM pg_catalog.set_config('striker.resolving', 'on', true);
  UPDATE public.%2$I t SET (%8$s) = ROW(%9$s) WHERE t.id = NEW.id;
  PERFORM pg_catalog.set_config('striker.resolving', 'off', true);
  RETURN NULL;
END $f$
$body$, 'striker_resolve_' || tbl, tbl,
    CASE WHEN mode = 'plain' THEN E'\n    PERFORM public.striker_lock_key(TG_TABLE_NAME, NEW.id);' ELSE '' END,
    unique_checks,
    settled, settled_end,
    CASE WHEN mode = 'record' THEN $r$
  ELSIF incoming_wins THEN
    PERFORM public.striker_record_conflict(TG_TABLE_NAME, NEW.id, pg_catalog.lower(TG_OP), incoming, local_row,
                                           public.striker_apply_origin(), public.striker_xid_origin(local_xmin));
  ELSE
    PERFORM public.striker_record_conflict(TG_TABLE_NAME, NEW.id, pg_catalog.lower(TG_OP), local_row, incoming,
                                           public.striker_xid_origin(local_xmin), public.striker_apply_origin());$r$ ELSE '' END,
    cols, new_vals);
END $gen$;

-- Writes the table's rule function and attaches its three triggers (idempotent). The mode and
-- the settled column are the arguments of <tbl>_replication, as striker_resolve_refresh reads them.
CREATE FUNCTION public.striker_resolve_attach(tbl text, mode text, settled_column text DEFAULT NULL) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  not_resolving text := $w$pg_catalog.current_setting('striker.resolving', true) IS DISTINCT FROM 'on'$w$;
BEGIN
  PERFORM public.striker_resolve_function(tbl, mode, settled_column);
  -- No WHEN clause: an apply worker prepares a trigger's WHEN clause again for every row, and
  -- every insert is looked up anyway.
  EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE %s ON public.%I FOR EACH ROW EXECUTE FUNCTION public.%I(%s)',
                            tbl || '_replication', CASE WHEN mode = 'record' THEN 'INSERT OR DELETE' ELSE 'INSERT' END, tbl,
                            'striker_resolve_' || tbl,
                            pg_catalog.quote_literal(mode) || COALESCE(', ' || pg_catalog.quote_literal(settled_column), ''));
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE REPLICA TRIGGER %I', tbl, tbl || '_replication');
  -- Not fired for an update made from the version held here or a later one (applied as it is).
  EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE UPDATE ON public.%I FOR EACH ROW WHEN (%s AND %s) EXECUTE FUNCTION public.%I()',
                            tbl || '_replication_update', tbl,
                            'NEW.previous_modified_at IS DISTINCT FROM OLD.modified_at AND (NEW.previous_modified_at > OLD.modified_at) IS NOT TRUE',
                            not_resolving, 'striker_resolve_' || tbl);
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE REPLICA TRIGGER %I', tbl, tbl || '_replication_update');
  EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE %s ON public.%I FOR EACH ROW EXECUTE FUNCTION public.striker_local_write()',
                            tbl || '_replication_local', CASE WHEN mode = 'record' THEN 'UPDATE OR DELETE' ELSE 'INSERT OR UPDATE' END, tbl);
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE TRIGGER %I', tbl, tbl || '_replication_local');
END $$;

-- striker_replicate (0038) attaches the rules through striker_resolve_attach.
CREATE OR REPLACE FUNCTION public.striker_replicate(tbl text, mode text, settled_column text DEFAULT NULL) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
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
    PERFORM public.striker_merge_row_triggers(tbl);
  END IF;
  PERFORM public.striker_resolve_attach(tbl, mode, settled_column);
END $$;

-- Every table with conflict rules attached gets its function written again (after every
-- migration: a unique key or a column may have been added), with the mode and settled column its
-- trigger names.
CREATE OR REPLACE FUNCTION public.striker_resolve_refresh() RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname::text AS tbl, public.striker_trigger_args(g.tgnargs, g.tgargs) AS args
      FROM pg_catalog.pg_trigger g
      JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     WHERE g.tgname = c.relname || '_replication'
  LOOP
    PERFORM public.striker_resolve_function(t.tbl, COALESCE(t.args[1], 'record'), t.args[2]);
  END LOOP;
END $$;

-- The tables with rules attached get the three triggers now.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname::text AS tbl, public.striker_trigger_args(g.tgnargs, g.tgargs) AS args
      FROM pg_catalog.pg_trigger g
      JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     WHERE g.tgname = c.relname || '_replication'
  LOOP
    PERFORM public.striker_resolve_attach(t.tbl, COALESCE(t.args[1], 'record'), t.args[2]);
  END LOOP;
END $$;

-- No generated function calls it any more: each writes its unique-key lookups itself.
DROP FUNCTION public.striker_resolve_unique(oid, text, text, text, anyelement, jsonb);

-- The history function of a table (0038), its announcements sent by assignment.
CREATE OR REPLACE FUNCTION public.striker_history_function(tbl text) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $gen$
DECLARE
  rel regclass := pg_catalog.format('public.%I', tbl)::regclass;
  args text[];
  quiet text[];
  live_topic text;
  live_key text;
  live_events text;
  live_cols text[];
  feed text;
  feed_cols text[];
  feed_quiet text[];
  a record;
  comparable boolean;
  cols text;
  old_vals text;
  new_vals text;
  hist_new text[] := ARRAY[]::text[];
  hist_old text[] := ARRAY[]::text[];
  live_new text[] := ARRAY[]::text[];
  live_old text[] := ARRAY[]::text[];
  feed_new text[] := ARRAY[]::text[];
  feed_old text[] := ARRAY[]::text[];
  live_insert text := '';
  live_update text := '';
  live_delete text := '';
  feed_insert text := '';
  feed_update text := '';
  hist_update text;
BEGIN
  SELECT public.striker_trigger_args(g.tgnargs, g.tgargs) INTO args
    FROM pg_catalog.pg_trigger g WHERE g.tgrelid = rel AND g.tgname = tbl || '_history';
  args := COALESCE(args, ARRAY[]::text[]);
  quiet := COALESCE(NULLIF(args[1], '')::text[], ARRAY[]::text[]);
  live_topic := NULLIF(args[2], '');
  live_key := NULLIF(args[3], '');
  live_events := COALESCE(args[4], '');
  live_cols := COALESCE(NULLIF(args[5], '')::text[], ARRAY[]::text[]);
  feed := NULLIF(args[6], '');
  feed_cols := COALESCE(NULLIF(args[7], '')::text[], ARRAY[]::text[]);
  feed_quiet := COALESCE(NULLIF(args[8], '')::text[], ARRAY[]::text[]);

  FOR a IN
    SELECT att.attname::text AS name, pg_catalog.format_type(att.atttypid, att.atttypmod) AS typ
      FROM pg_catalog.pg_attribute att
     WHERE att.attrelid = rel AND att.attnum > 0 AND NOT att.attisdropped ORDER BY att.attnum
  LOOP
    cols := COALESCE(cols || ', ', '') || pg_catalog.quote_ident(a.name);
    old_vals := COALESCE(old_vals || ', ', '') || 'OLD.' || pg_catalog.quote_ident(a.name);
    new_vals := COALESCE(new_vals || ', ', '') || 'NEW.' || pg_catalog.quote_ident(a.name);
    -- A type without an equality operator (json, point) is compared by its text.
    BEGIN
      EXECUTE pg_catalog.format('SELECT NULL::%s IS DISTINCT FROM NULL::%s', a.typ, a.typ);
      comparable := true;
    EXCEPTION WHEN OTHERS THEN
      comparable := false;
    END;
    IF NOT (a.name = ANY (quiet || ARRAY['modified_at', 'previous_modified_at'])) THEN
      hist_new := hist_new || ('NEW.' || pg_catalog.quote_ident(a.name) || CASE WHEN comparable THEN '' ELSE '::text' END);
      hist_old := hist_old || ('OLD.' || pg_catalog.quote_ident(a.name) || CASE WHEN comparable THEN '' ELSE '::text' END);
    END IF;
    IF a.name = ANY (live_cols) THEN
      live_new := live_new || ('NEW.' || pg_catalog.quote_ident(a.name) || CASE WHEN comparable THEN '' ELSE '::text' END);
      live_old := live_old || ('OLD.' || pg_catalog.quote_ident(a.name) || CASE WHEN comparable THEN '' ELSE '::text' END);
    END IF;
    IF feed IS NOT NULL AND NOT (a.name = ANY (feed_quiet || ARRAY['modified_at', 'previous_modified_at'])) THEN
      feed_new := feed_new || ('NEW.' || pg_catalog.quote_ident(a.name) || CASE WHEN comparable THEN '' ELSE '::text' END);
      feed_old := feed_old || ('OLD.' || pg_catalog.quote_ident(a.name) || CASE WHEN comparable THEN '' ELSE '::text' END);
    END IF;
  END LOOP;

  -- ROW(...) IS DISTINCT FROM ROW(...), or false when no column counts.
  hist_update := CASE WHEN pg_catalog.cardinality(hist_new) = 0 THEN 'false'
    ELSE pg_catalog.format('ROW(%s) IS DISTINCT FROM ROW(%s)', pg_catalog.array_to_string(hist_new, ', '), pg_catalog.array_to_string(hist_old, ', ')) END;

  IF live_topic IS NOT NULL AND live_key IS NOT NULL THEN
    IF pg_catalog.strpos(live_events, 'I') > 0 THEN
      live_insert := pg_catalog.format($s$
  sent := pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(NEW.%I::text, ''))::text) IS NULL;$s$, live_topic, live_key);
    END IF;
    IF pg_catalog.strpos(live_events, 'D') > 0 THEN
      live_delete := pg_catalog.format($s$
    sent := pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(OLD.%I::text, ''))::text) IS NULL;$s$, live_topic, live_key);
    END IF;
    IF pg_catalog.strpos(live_events, 'U') > 0 AND pg_catalog.cardinality(live_new) = 0 THEN
      live_update := pg_catalog.format($s$
    sent := pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(NEW.%I::text, ''))::text) IS NULL;$s$,
        live_topic, live_key);
    ELSIF pg_catalog.strpos(live_events, 'U') > 0 THEN
      live_update := pg_catalog.format($s$
    IF ROW(%s) IS DISTINCT FROM ROW(%s) THEN
      sent := pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(NEW.%I::text, ''))::text) IS NULL;
    END IF;$s$,
        pg_catalog.array_to_string(live_new, ', '), pg_catalog.array_to_string(live_old, ', '), live_topic, live_key);
    END IF;
  END IF;

  IF feed IS NOT NULL AND pg_catalog.cardinality(feed_cols) > 0 THEN
    feed_insert := pg_catalog.format($s$
  sent := pg_catalog.pg_notify(%L, pg_catalog.json_build_object(%s)::text) IS NULL;$s$, feed,
      (SELECT pg_catalog.string_agg(pg_catalog.format('%L, NEW.%I', c, c), ', ') FROM pg_catalog.unnest(feed_cols) c));
    feed_update := pg_catalog.format($s$
    IF %s THEN%s
    END IF;$s$,
      CASE WHEN pg_catalog.cardinality(feed_new) = 0 THEN 'false'
           ELSE pg_catalog.format('ROW(%s) IS DISTINCT FROM ROW(%s)', pg_catalog.array_to_string(feed_new, ', '), pg_catalog.array_to_string(feed_old, ', ')) END,
      pg_catalog.replace(feed_insert, E'\n  ', E'\n      '));
  END IF;

  EXECUTE pg_catalog.format($body$
CREATE OR REPLACE FUNCTION public.%I() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  -- pg_notify's (void) result, assigned so that the call is a plain expression, not a SELECT.
  sent boolean;
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO history.%I (%s, history_op, history_at) VALUES (%s, 'DELETE', pg_catalog.clock_timestamp());%s
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF %s THEN
      INSERT INTO history.%I (%s, history_op, history_at) VALUES (%s, 'UPDATE', pg_catalog.clock_timestamp());
    END IF;%s%s
    RETURN NEW;
  END IF;
  INSERT INTO history.%I (%s, history_op, history_at) VALUES (%s, 'INSERT', pg_catalog.clock_timestamp());%s%s
  RETURN NEW;
END $f$
$body$, 'striker_history_' || tbl,
    tbl, cols, old_vals, live_delete,
    hist_update, tbl, cols, new_vals, live_update, feed_update,
    tbl, cols, new_vals, live_insert, feed_insert);
END $gen$;

SELECT public.striker_history_refresh();
