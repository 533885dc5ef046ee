-- What an applied row costs (striker/db/replication/README.md): two parts of it made cheaper.
--
-- 1. Announcements without an executor per NOTIFY. The generated history function of a replicated table (0038) sends the live
-- channel's and the job feed's NOTIFYs. It sent each with PERFORM, which PL/pgSQL runs as a query:
-- the query's executor is started and ended again for every NOTIFY (twice for each job a peer's
-- apply worker inserts). Here each NOTIFY is the value of an assignment, which PL/pgSQL evaluates
-- as a simple expression, without an executor. Channels, payloads and when they are sent are
-- unchanged. The payloads are written by concatenation, text for text as json_build_object wrote
-- them. The history functions are written again at the end of this migration (and, as before,
-- after every migration and at every start).
--
-- 2. jobs_valid_row (0044), jobs' one CHECK, tests its eight conditions as one expression first and
-- returns true when none is false. PL/pgSQL prepares each expression of a function again in every
-- transaction that calls it, and an apply worker applies a peer's transactions one by one, so a
-- valid row (nearly every row) cost eight expressions prepared; now one. A row that fails is
-- refused as before, naming the first check it fails, in name order.

-- The JSON text of a value as json_build_object writes it, for a generated function: a uuid's or
-- an integer's text needs no escaping; any other type is written by to_json. `val` is SQL.
CREATE FUNCTION public.striker_json_expr(val text, typ text) RETURNS text LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
  SELECT CASE WHEN typ = 'uuid' THEN pg_catalog.format($f$('"' || %s::text || '"')$f$, val)
              WHEN typ IN ('smallint', 'integer', 'bigint') THEN pg_catalog.format('%s::text', val)
              ELSE pg_catalog.format('pg_catalog.to_json(%s)::text', val) END
$$;

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
  col_names text[] := ARRAY[]::text[];
  col_types text[] := ARRAY[]::text[];
  live_new_payload text;
  live_old_payload text;
  feed_payload text;
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
    col_names := col_names || a.name;
    col_types := col_types || a.typ;
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
    -- {"topic" : <topic>, "key" : <the key column's text, '' when NULL>}, as json_build_object wrote it.
    live_new_payload := pg_catalog.format('%L || %s || %L', '{"topic" : ' || pg_catalog.to_json(live_topic)::text || ', "key" : ',
      public.striker_json_expr(pg_catalog.format('COALESCE(NEW.%I::text, %L)', live_key, ''),
                               CASE WHEN col_types[pg_catalog.array_position(col_names, live_key)] = 'uuid' THEN 'uuid' ELSE 'text' END), '}');
    live_old_payload := pg_catalog.replace(live_new_payload, 'COALESCE(NEW.', 'COALESCE(OLD.');
    IF pg_catalog.strpos(live_events, 'I') > 0 THEN
      live_insert := pg_catalog.format($s$
  notified := pg_catalog.pg_notify('striker_live', %s) IS NULL;$s$, live_new_payload);
    END IF;
    IF pg_catalog.strpos(live_events, 'D') > 0 THEN
      live_delete := pg_catalog.format($s$
    notified := pg_catalog.pg_notify('striker_live', %s) IS NULL;$s$, live_old_payload);
    END IF;
    IF pg_catalog.strpos(live_events, 'U') > 0 AND pg_catalog.cardinality(live_new) = 0 THEN
      live_update := pg_catalog.format($s$
    notified := pg_catalog.pg_notify('striker_live', %s) IS NULL;$s$, live_new_payload);
    ELSIF pg_catalog.strpos(live_events, 'U') > 0 THEN
      live_update := pg_catalog.format($s$
    IF ROW(%s) IS DISTINCT FROM ROW(%s) THEN
      notified := pg_catalog.pg_notify('striker_live', %s) IS NULL;
    END IF;$s$,
        pg_catalog.array_to_string(live_new, ', '), pg_catalog.array_to_string(live_old, ', '), live_new_payload);
    END IF;
  END IF;

  IF feed IS NOT NULL AND pg_catalog.cardinality(feed_cols) > 0 THEN
    -- {"<column>" : <value>, ...}, as json_build_object wrote it (null for NULL).
    SELECT pg_catalog.format('%L || %s || %L', '{',
             pg_catalog.string_agg(pg_catalog.format('%L || COALESCE(%s, %L)', pg_catalog.to_json(c)::text || ' : ',
                                     public.striker_json_expr('NEW.' || pg_catalog.quote_ident(c), col_types[pg_catalog.array_position(col_names, c)]), 'null'),
                                   $s$ || ', ' || $s$ ORDER BY o),
             '}')
      INTO feed_payload FROM pg_catalog.unnest(feed_cols) WITH ORDINALITY AS f(c, o);
    feed_insert := pg_catalog.format($s$
  notified := pg_catalog.pg_notify(%L, %s) IS NULL;$s$, feed, feed_payload);
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
  notified boolean;
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

-- 2. jobs' CHECK: one expression for a valid row, the eight in turn only to name the failed one.
CREATE OR REPLACE FUNCTION public.jobs_valid_row(kind text, status text, progress smallint, max_attempts integer, held_reason text, no_change text)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  failed text;
BEGIN
  IF (progress < 100 OR status = 'succeeded') IS NOT FALSE
     AND (status <> 'succeeded' OR progress = 100) IS NOT FALSE
     AND (held_reason IS NULL OR (pg_catalog.length(held_reason) >= 1 AND pg_catalog.length(held_reason) <= 300)) IS NOT FALSE
     AND (kind ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$') IS NOT FALSE
     AND (max_attempts >= 1) IS NOT FALSE
     AND (no_change IS NULL OR status = 'succeeded') IS NOT FALSE
     AND (progress >= 0 AND progress <= 100) IS NOT FALSE
     AND (status = ANY (ARRAY['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'])) IS NOT FALSE THEN
    RETURN true;
  END IF;
  IF (progress < 100 OR status = 'succeeded') IS FALSE THEN
    failed := 'jobs_check';
  ELSIF (status <> 'succeeded' OR progress = 100) IS FALSE THEN
    failed := 'jobs_check1';
  ELSIF (held_reason IS NULL OR (pg_catalog.length(held_reason) >= 1 AND pg_catalog.length(held_reason) <= 300)) IS FALSE THEN
    failed := 'jobs_held_reason_check';
  ELSIF (kind ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$') IS FALSE THEN
    failed := 'jobs_kind_check';
  ELSIF (max_attempts >= 1) IS FALSE THEN
    failed := 'jobs_max_attempts_check';
  ELSIF (no_change IS NULL OR status = 'succeeded') IS FALSE THEN
    failed := 'jobs_no_change_succeeded';
  ELSIF (progress >= 0 AND progress <= 100) IS FALSE THEN
    failed := 'jobs_progress_check';
  ELSE
    failed := 'jobs_status_check';
  END IF;
  RAISE EXCEPTION 'new row for relation "jobs" violates check constraint "%"', failed
    USING ERRCODE = 'check_violation', CONSTRAINT = failed, TABLE = 'jobs', SCHEMA = 'public';
END $$;
