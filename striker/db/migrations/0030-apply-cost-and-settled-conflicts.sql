-- Replication apply cost, and conflicts that stay settled (striker/db/replication/README.md).
--
-- A peer's changes are applied one row at a time by a single apply worker, through the conflict
-- rules and the history trigger, so their cost per row bounds both replication lag and how fast a
-- Striker that was away catches up (test/bench/replication prints both). Here:
--
-- 1. The conflict-rule function of each table, public.striker_resolve_<table>(), is written again
--    by a new public.striker_resolve_function(table, settled_column):
--    - without a SET search_path clause (a configuration save and restore on every row): like the
--      history functions, it names every object with its schema, so it runs the same in apply
--      workers (empty search_path) and in ordinary sessions;
--    - whether the table has another unique key is decided when the function is written, not
--      asked of pg_index for every inserted row; the functions are rewritten after every
--      migration (public.striker_resolve_refresh(), called by striker/db/migrate.ts) and at every
--      start, so a unique key a migration adds is followed;
--    - a settled column (conflicts.resolved_at): of two versions of a row, one with the column set
--      wins over one without, before modified_at is compared. A conflict an admin settled on one
--      Striker stays settled when a peer whose apply worker was behind records and shares the same
--      conflict later (its unsettled copy is newer, and newest-wins would reopen it on both).
-- 2. History functions compute the list of quiet columns only for an update, where it is used.
-- 3. jobs_waits_for indexes only jobs that wait for another: a job that waits for none (nearly
--    all) no longer adds an entry to a GIN index, whose pending list a later insert or vacuum
--    must merge in one long step.

-- 2. History functions (0014), the quiet columns computed only for an update.
CREATE OR REPLACE FUNCTION public.striker_history_function(tbl text) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $gen$
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
  ignored text[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO history.%I (%s, history_op, history_at) VALUES (%s, 'DELETE', pg_catalog.clock_timestamp());
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    ignored := COALESCE(TG_ARGV[0]::text[], ARRAY[]::text[]) || ARRAY['modified_at', 'previous_modified_at'];
    IF (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) ignored) = (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) ignored) THEN
      RETURN NEW;
    END IF;
  END IF;
  INSERT INTO history.%I (%s, history_op, history_at) VALUES (%s, TG_OP, pg_catalog.clock_timestamp());
  RETURN NEW;
END $f$
$body$, 'striker_history_' || tbl, tbl, cols, old_vals, tbl, cols, new_vals);
END $gen$;

-- 1. Conflict-rule functions (0014) without SET search_path, the unique-key question answered
-- when written, and the settled column.
DROP FUNCTION public.striker_resolve_function(text);
CREATE FUNCTION public.striker_resolve_function(tbl text, settled_column text DEFAULT NULL) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $gen$
DECLARE
  other_unique boolean;
BEGIN
  IF settled_column IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = pg_catalog.format('public.%I', tbl)::regclass AND a.attname = settled_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
    RAISE EXCEPTION 'striker_resolve_function: %.% does not exist (the settled column)', tbl, settled_column;
  END IF;
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                  WHERE i.indrelid = pg_catalog.format('public.%I', tbl)::regclass AND i.indisunique AND NOT i.indisprimary AND i.indexprs IS NULL)
    INTO other_unique;
  EXECUTE pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace($body$
CREATE OR REPLACE FUNCTION public.__FUNCTION__() RETURNS trigger LANGUAGE plpgsql AS $f$
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
      __NEW_KEY__
    END IF;
    incoming := pg_catalog.to_jsonb(NEW);
    IF local_row = incoming OR local_prev IS NOT DISTINCT FROM NEW.modified_at THEN
      RETURN NULL;
    END IF;
  END IF;

  IF local_row = incoming THEN
    RETURN NEW;
  END IF;
  incoming_wins := __SETTLED__ NEW.modified_at > local_mod
    OR (NEW.modified_at = local_mod AND pg_catalog.md5(incoming::text) > pg_catalog.md5(local_row::text)) __SETTLED_END__;
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
$body$, '__FUNCTION__', pg_catalog.quote_ident('striker_resolve_' || tbl)), '__TABLE__', pg_catalog.quote_ident(tbl)),
    '__NEW_KEY__', CASE WHEN other_unique THEN 'RETURN public.striker_resolve_unique(TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME, mode, NEW, NULL);' ELSE 'RETURN NEW;' END),
    '__SETTLED__', CASE WHEN settled_column IS NULL THEN '' ELSE pg_catalog.format(
      'CASE WHEN (incoming OPERATOR(pg_catalog.->>) %1$L IS NULL) <> (local_row OPERATOR(pg_catalog.->>) %1$L IS NULL) THEN incoming OPERATOR(pg_catalog.->>) %1$L IS NOT NULL ELSE', settled_column) END),
    '__SETTLED_END__', CASE WHEN settled_column IS NULL THEN '' ELSE 'END' END);
END $gen$;

-- striker_replicate (0014) with the settled column: the trigger carries it as its second argument,
-- so striker_resolve_refresh can write the function again the same way.
DROP FUNCTION public.striker_replicate(text, text);
CREATE FUNCTION public.striker_replicate(tbl text, mode text, settled_column text DEFAULT NULL) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
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

-- Every table with conflict rules attached gets its function written again, with the settled
-- column its trigger names (after every migration: a unique key may have been added).
CREATE FUNCTION public.striker_resolve_refresh() RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT c.relname::text AS tbl, g.tgnargs, g.tgargs
      FROM pg_catalog.pg_trigger g
      JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
     WHERE g.tgname = c.relname || '_replication'
  LOOP
    PERFORM public.striker_resolve_function(t.tbl,
      CASE WHEN t.tgnargs >= 2 THEN pg_catalog.split_part(pg_catalog.encode(t.tgargs, 'escape'), E'\\000', 2) END);
  END LOOP;
END $$;

SELECT public.striker_resolve_refresh();
SELECT public.striker_history_refresh();

-- 3. The GIN index over the jobs that wait for others, and the one query that uses it.
DROP INDEX jobs_waits_for;
CREATE INDEX jobs_waits_for ON jobs USING gin (waits_for) WHERE status IN ('queued', 'interrupted') AND cardinality(waits_for) > 0;
CREATE OR REPLACE FUNCTION public.jobs_end_dependants() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  WITH ended AS (
    UPDATE public.jobs SET
      status = NEW.status,
      finished_at = pg_catalog.clock_timestamp(),
      worker_id = NULL,
      message = CASE NEW.status WHEN 'failed' THEN 'Not run: {dependency} failed' ELSE 'Not run: {dependency} was cancelled' END,
      message_vars = pg_catalog.jsonb_build_object('dependency', NEW.kind || ' ' || NEW.id),
      last_error = 'because job ' || NEW.kind || ' ' || NEW.id || CASE NEW.status WHEN 'failed' THEN ' failed' ELSE ' was cancelled' END
     WHERE status IN ('queued', 'interrupted') AND pg_catalog.cardinality(waits_for) > 0 AND waits_for @> ARRAY[NEW.id]
    RETURNING id, progress, message, message_vars)
  INSERT INTO public.job_messages (job_id, progress, message, vars, level)
    SELECT id, progress, message, message_vars, CASE NEW.status WHEN 'failed' THEN 'error' ELSE 'info' END FROM ended;
  RETURN NULL;
END $$;
