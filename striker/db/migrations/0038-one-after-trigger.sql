-- One AFTER row trigger per replicated table (striker/db/replication/README.md, "What an applied
-- row costs"). A peer's changes are applied one row at a time by a single apply worker, and each
-- ENABLE ALWAYS row trigger of the table is a call of its own for every row (a PL/pgSQL frame, the
-- row handed over, a function's set-up). A replicated table had up to three AFTER row triggers:
-- its history (0014), its live-channel announcement (`<table>_live`, 0028) and, on jobs, the job
-- feed (`jobs_notify`, 0003). Here they become one: the table's generated history function,
-- public.striker_history_<table>(), also announces the row on the live channel and the job feed.
--
-- What the one function does is held in the arguments of the `<table>_history` trigger, so every
-- rewrite of the function (after each migration, after an ALTER TABLE, by striker_replicate) keeps
-- it:
--   1 quiet columns (text[]): changes to these alone make no history row (as before);
--   2 live topic, 3 live key column, 4 live events ('I', 'U', 'D'), 5 live update columns (text[]:
--     an update announces only when one of them changed; empty: every update);
--   6 feed channel, 7 feed payload columns (text[]), 8 feed quiet columns (text[]).
-- The function is written per table with the table's columns named; an update compares the columns
-- that matter directly (`(NEW.a, NEW.b) IS DISTINCT FROM (OLD.a, OLD.b)`) instead of turning both
-- rows into jsonb.
--
-- public.striker_merge_row_triggers(table), called by striker_replicate (at every start, for each
-- replicated table), folds into the history trigger a live trigger that is ENABLE ALWAYS (a plain
-- row trigger of public.striker_live_trigger, no WHEN clause) and, on jobs, jobs_notify, then drops
-- them. A live trigger a later migration adds is folded in at the next start. Tables that are not
-- replicated keep their triggers as they are.
--
-- Payloads are those of the triggers folded in: {"topic" : ..., "key" : ...} on striker_live and
-- {"id" : ..., "status" : ..., "progress" : ...} on striker_jobs. Two differences, both fewer
-- NOTIFYs: a live trigger declared `UPDATE OF <columns>` fired when a column was named in the
-- UPDATE (an apply worker names every column), the folded one when one of them changed; and the job
-- feed, meant to stay quiet on heartbeats, also ignores previous_modified_at (which every update
-- sets, 0013).

-- The arguments of a trigger, as text.
CREATE FUNCTION public.striker_trigger_args(nargs smallint, args bytea) RETURNS text[] LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
  SELECT CASE WHEN nargs = 0 THEN ARRAY[]::text[]
              ELSE (pg_catalog.string_to_array(pg_catalog.encode(args, 'escape'), E'\\000'))[1:nargs] END
$$;

-- The history function of a table, with the live announcement and the feed its trigger names.
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
  PERFORM pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(NEW.%I::text, ''))::text);$s$, live_topic, live_key);
    END IF;
    IF pg_catalog.strpos(live_events, 'D') > 0 THEN
      live_delete := pg_catalog.format($s$
    PERFORM pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(OLD.%I::text, ''))::text);$s$, live_topic, live_key);
    END IF;
    IF pg_catalog.strpos(live_events, 'U') > 0 AND pg_catalog.cardinality(live_new) = 0 THEN
      live_update := pg_catalog.format($s$
    PERFORM pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(NEW.%I::text, ''))::text);$s$,
        live_topic, live_key);
    ELSIF pg_catalog.strpos(live_events, 'U') > 0 THEN
      live_update := pg_catalog.format($s$
    IF ROW(%s) IS DISTINCT FROM ROW(%s) THEN
      PERFORM pg_catalog.pg_notify('striker_live', pg_catalog.json_build_object('topic', %L::text, 'key', COALESCE(NEW.%I::text, ''))::text);
    END IF;$s$,
        pg_catalog.array_to_string(live_new, ', '), pg_catalog.array_to_string(live_old, ', '), live_topic, live_key);
    END IF;
  END IF;

  IF feed IS NOT NULL AND pg_catalog.cardinality(feed_cols) > 0 THEN
    feed_insert := pg_catalog.format($s$
  PERFORM pg_catalog.pg_notify(%L, pg_catalog.json_build_object(%s)::text);$s$, feed,
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

-- Folds the table's ENABLE ALWAYS live trigger and, on jobs, jobs_notify into its history trigger
-- (see above). Idempotent; true when a trigger was folded in now.
CREATE FUNCTION public.striker_merge_row_triggers(tbl text) RETURNS boolean LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  rel regclass := pg_catalog.format('public.%I', tbl)::regclass;
  args text[];
  live record;
  live_args text[];
  merged boolean := false;
BEGIN
  SELECT public.striker_trigger_args(g.tgnargs, g.tgargs) INTO args
    FROM pg_catalog.pg_trigger g WHERE g.tgrelid = rel AND g.tgname = tbl || '_history';
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  args := args || pg_catalog.array_fill(''::text, ARRAY[GREATEST(0, 8 - pg_catalog.cardinality(args))]);
  IF args[1] = '' THEN
    args[1] := '{}';
  END IF;

  -- tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 64 instead of.
  SELECT g.tgnargs, g.tgargs, g.tgtype, g.tgattr INTO live
    FROM pg_catalog.pg_trigger g
   WHERE g.tgrelid = rel AND g.tgname = tbl || '_live' AND g.tgfoid = 'public.striker_live_trigger()'::regprocedure
     AND g.tgenabled = 'A' AND g.tgqual IS NULL AND g.tgnargs = 2 AND (g.tgtype & 1) = 1 AND (g.tgtype & 66) = 0;
  IF FOUND THEN
    live_args := public.striker_trigger_args(live.tgnargs, live.tgargs);
    args[2] := live_args[1];
    args[3] := live_args[2];
    args[4] := CASE WHEN (live.tgtype & 4) <> 0 THEN 'I' ELSE '' END
            || CASE WHEN (live.tgtype & 16) <> 0 THEN 'U' ELSE '' END
            || CASE WHEN (live.tgtype & 8) <> 0 THEN 'D' ELSE '' END;
    args[5] := (SELECT COALESCE(pg_catalog.array_agg(att.attname::text ORDER BY att.attnum), ARRAY[]::text[])
                  FROM pg_catalog.pg_attribute att
                 WHERE att.attrelid = rel AND att.attnum = ANY (live.tgattr::int2[]))::text;
    EXECUTE pg_catalog.format('DROP TRIGGER %I ON public.%I', tbl || '_live', tbl);
    merged := true;
  END IF;

  -- The job feed (0003): every visible change of a job, heartbeats alone not.
  IF tbl = 'jobs' AND EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                               WHERE g.tgrelid = rel AND g.tgname = 'jobs_notify' AND g.tgfoid = 'public.jobs_notify()'::regprocedure AND g.tgenabled <> 'D') THEN
    args[6] := 'striker_jobs';
    args[7] := '{id,status,progress}';
    args[8] := '{heartbeat_at}';
    DROP TRIGGER jobs_notify ON public.jobs;
    merged := true;
  END IF;

  IF merged THEN
    EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.%I(%L, %L, %L, %L, %L, %L, %L, %L)',
                              tbl || '_history', tbl, 'striker_history_' || tbl, args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8]);
    EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', tbl, tbl || '_history');
    PERFORM public.striker_history_function(tbl);
  END IF;
  RETURN merged;
END $$;

-- striker_replicate (0030) folds the table's AFTER row triggers into its history trigger.
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
  PERFORM public.striker_resolve_function(tbl, settled_column);
  IF settled_column IS NULL THEN
    EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.%I(%L)',
                              tbl || '_replication', tbl, 'striker_resolve_' || tbl, mode);
  ELSE
    EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.%I(%L, %L)',
                              tbl || '_replication', tbl, 'striker_resolve_' || tbl, mode, settled_column);
  END IF;
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', tbl, tbl || '_replication');
END $$;

-- striker_track (0014) writes the history function once the trigger, whose arguments it reads, exists.
CREATE OR REPLACE FUNCTION striker_track(tbl text, quiet_columns text[] DEFAULT ARRAY[]::text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE history.%I (LIKE public.%I)', tbl, tbl);
  EXECUTE format('ALTER TABLE history.%I ADD COLUMN history_op text NOT NULL, ADD COLUMN history_at timestamptz NOT NULL, '
                 'ADD COLUMN history_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY', tbl);
  EXECUTE format('CREATE INDEX ON history.%I (id, history_at)', tbl);
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION striker_touch_modified_at()',
                 tbl || '_modified_at', tbl);
  EXECUTE format('CREATE OR REPLACE FUNCTION public.%I() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NULL; END $f$', 'striker_history_' || tbl);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.%I(%L)',
                 tbl || '_history', tbl, 'striker_history_' || tbl, quiet_columns::text);
  PERFORM public.striker_history_function(tbl);
END $$;

SELECT public.striker_history_refresh();
