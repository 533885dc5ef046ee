-- Logical replication between Strikers (striker/db/replication/README.md). Each Striker publishes
-- its replicated tables and subscribes to every peer's (origin = none). This migration holds the
-- machinery; which tables replicate is decided in striker/db/replication/table-classification.ts,
-- and `striker_replicate(table, mode)` (called at every start for each replicated table) attaches it.
--
-- Apply workers run with session_replication_role = replica and an empty search_path: only
-- ENABLE ALWAYS triggers fire there, and every function below is schema-qualified and pinned to
-- search_path = '' so an unqualified name fails in every session, not only in apply workers.

-- This Striker's name among its peers: it names subscriptions and replication slots, and the
-- origins recorded with each conflict. Local: every Striker has its own.
CREATE TABLE replication_node (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  singleton   boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton),
  name        text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,23}$'),
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO replication_node (name) VALUES ('s' || substr(md5(gen_random_uuid()::text), 1, 12));

-- Every version a conflict rule discarded, and which version was kept (NULL: the row was deleted).
-- Replicated. The id is derived from the table, the key and both versions, so the same conflict
-- seen by both Strikers involved is one row.
CREATE TABLE conflicts (
  id               uuid PRIMARY KEY,
  table_name       text NOT NULL,
  row_id           uuid NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('update', 'insert', 'delete')),
  kept             jsonb,
  discarded        jsonb NOT NULL,
  kept_origin      text NOT NULL,
  discarded_origin text NOT NULL,
  detected_on      text NOT NULL,
  detected_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  resolved_at      timestamptz,
  resolved_by      text,
  resolution       text CHECK (resolution IN ('kept', 'restored-discarded')),
  modified_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX conflicts_unresolved ON conflicts (detected_at DESC) WHERE resolved_at IS NULL;
SELECT striker_track('conflicts');

-- Conflicts as an apply worker records them. An apply worker's own writes carry its replication
-- origin and so never reach peers (origin = none); `shareConflicts` moves these rows into
-- `conflicts` from an ordinary session, which does replicate. Local.
CREATE TABLE conflict_inbox (LIKE conflicts INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE conflict_inbox ADD PRIMARY KEY (id);

-- One row per delete of a replicated row: which version was deleted, by whom. Written in the
-- deleting transaction just before the delete, so a peer applying the delete can tell a delete of
-- the version it holds from a delete of an older one (a delete against a concurrent update).
-- Replicated; purged by age.
CREATE TABLE row_deletions (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  table_name          text NOT NULL,
  row_id              uuid NOT NULL,
  deleted_modified_at timestamptz NOT NULL,
  deleted_by          text NOT NULL,
  deleted_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  modified_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX row_deletions_row ON row_deletions (table_name, row_id, deleted_at DESC);

-- The migrations each Striker has applied: one row per Striker, written at every start after
-- migrating. Replicated, so a Striker sees when a peer's schema is ahead of its own.
CREATE TABLE striker_schema_versions (
  id             uuid PRIMARY KEY,
  node_name      text NOT NULL UNIQUE,
  schema_version integer NOT NULL,
  modified_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION public.striker_node_name() RETURNS text LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT n.name FROM public.replication_node n
$$;

-- The Striker a subscription applies changes from: subscriptions are named striker_sub_<peer>.
CREATE FUNCTION public.striker_subscription_peer(subname text) RETURNS text LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
  SELECT pg_catalog.regexp_replace(subname, '^striker_sub_', '')
$$;

-- The Striker whose change this apply worker (or table-sync worker) is applying.
CREATE FUNCTION public.striker_apply_origin() RETURNS text LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT coalesce((SELECT public.striker_subscription_peer(s.subname::text) FROM pg_catalog.pg_stat_subscription s
                    WHERE s.pid = pg_catalog.pg_backend_pid() LIMIT 1), 'unknown')
$$;

-- The Striker that made the last change of a row, from the commit timestamp's origin of its xmin.
CREATE FUNCTION public.striker_xid_origin(x xid) RETURNS text LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT CASE
    WHEN c.roident IS NULL THEN 'unknown'
    WHEN c.roident = 0 THEN public.striker_node_name()
    ELSE coalesce((SELECT public.striker_subscription_peer(s.subname::text)
                     FROM pg_catalog.pg_replication_origin o
                     JOIN pg_catalog.pg_subscription s ON o.roname = 'pg_' || s.oid::text
                    WHERE o.roident = c.roident), 'unknown')
  END
  FROM (SELECT (pg_catalog.pg_xact_commit_timestamp_origin(x)).roident) AS c(roident)
$$;

CREATE FUNCTION public.striker_record_conflict(tbl text, key uuid, kind text, kept jsonb, discarded jsonb,
                                               kept_origin text, discarded_origin text) RETURNS void
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  INSERT INTO public.conflict_inbox (id, table_name, row_id, kind, kept, discarded, kept_origin, discarded_origin, detected_on)
  VALUES (pg_catalog.md5(tbl || '/' || key::text || '/' || discarded::text || '/' || coalesce(kept::text, 'deleted'))::uuid,
          tbl, key, kind, kept, discarded, kept_origin, discarded_origin, public.striker_node_name())
  ON CONFLICT (id) DO NOTHING;
  PERFORM pg_catalog.pg_notify('striker_replication', 'conflict');
END $$;

-- The machinery's tables have keys derived from their content (the same conflict seen on two
-- Strikers is one id), so a local insert and an applied insert of one key can run at the same
-- moment; both take this lock first, so the later one sees the earlier row. Application tables
-- have random keys and skip it (a lock per inserted row would fill the lock table on bulk writes).
CREATE FUNCTION public.striker_lock_key(tbl text, key uuid) RETURNS void LANGUAGE sql SET search_path = '' AS $$
  SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(tbl || '/' || key::text, 0))
$$;

-- An insert from a peer whose id is new here but whose other unique key (machines.mac,
-- users.username, ...) a different local row holds: the two rows were made apart for one thing.
-- The same decision as for one key (newer modified_at, then md5) keeps one of them on both
-- Strikers: when the incoming row wins, the local one is deleted here (as the peer never had it);
-- the loser is recorded. Rows that referenced the loser keep its id (foreign keys are not enforced
-- in apply workers), as on the peer. Returns the row to insert, or NULL.
CREATE FUNCTION public.striker_resolve_unique(rel oid, sch text, tbl text, mode text, new_row anyelement, incoming jsonb) RETURNS anyelement
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  idx record;
  local_row jsonb;
  local_xmin xid;
  incoming_wins boolean;
BEGIN
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

-- The conflict rules, as one BEFORE INSERT OR UPDATE OR DELETE row trigger (ENABLE ALWAYS) on
-- every replicated table. TG_ARGV[0]: 'record' (application tables: conflicts are recorded,
-- deletes logged) or 'plain' (the replication machinery's own tables: newest wins, silently).
--
-- On this Striker's own writes: an update gets a modified_at later than the version it replaces
-- (even with the clock behind a peer's) and remembers that version in previous_modified_at; a
-- delete is logged in row_deletions.
--
-- On a change applied from a peer (the version here is "local", the peer's is "incoming"):
-- - update: incoming replaces local when it was made from it (previous_modified_at = local's
--   modified_at) or from a later version still on its way; incoming is dropped when it is local's
--   own predecessor; otherwise both were made apart: a conflict.
-- - insert of a key that exists: identical rows are nothing; otherwise the same decision as update.
-- - conflict: the newer modified_at wins; on a tie, the version whose md5 of its jsonb is greater.
--   Both Strikers compare the same two versions, so both keep the same one. The other is recorded.
-- - delete: when the version deleted on the peer is older than local (local was updated meanwhile),
--   the delete still wins (a peer that deleted the row never gets it back) and local's version
--   is recorded as a 'delete' conflict, so an admin can restore it.
CREATE FUNCTION public.striker_replication_resolve() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
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

  incoming := pg_catalog.to_jsonb(NEW);
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
    local_mod := OLD.modified_at;
    EXECUTE pg_catalog.format('SELECT t.xmin FROM %I.%I t WHERE t.id = $1', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO local_xmin USING OLD.id;
  ELSE
    EXECUTE pg_catalog.format('SELECT pg_catalog.to_jsonb(t), t.xmin, t.modified_at, t.previous_modified_at FROM %I.%I t WHERE t.id = $1',
                              TG_TABLE_SCHEMA, TG_TABLE_NAME)
       INTO local_row, local_xmin, local_mod, local_prev USING NEW.id;
    IF local_row IS NULL THEN
      RETURN public.striker_resolve_unique(TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME, mode, NEW, incoming);
    END IF;
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
END $$;

-- A peer whose schema is ahead: its version row is refused by raising, so the apply worker stops
-- with this message (and retries) before any row of a shape this Striker cannot hold arrives,
-- instead of failing later on a missing column or table. Applying the missing migrations here
-- lets the next retry through.
CREATE FUNCTION public.striker_schema_version_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  mine integer;
BEGIN
  IF pg_catalog.current_setting('session_replication_role') <> 'replica' THEN
    RETURN NEW;
  END IF;
  SELECT coalesce(max(m.version), 0) INTO mine FROM public.schema_migrations m;
  IF NEW.schema_version > mine THEN
    RAISE EXCEPTION 'schema behind: Striker % is at migration %, this Striker (%) only at %; upgrade this Striker to resume replication from %',
      NEW.node_name, NEW.schema_version, public.striker_node_name(), mine, NEW.node_name
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER striker_schema_versions_guard BEFORE INSERT OR UPDATE ON striker_schema_versions
  FOR EACH ROW EXECUTE FUNCTION public.striker_schema_version_guard();
ALTER TABLE striker_schema_versions ENABLE ALWAYS TRIGGER striker_schema_versions_guard;

-- History rows are written where a change is applied: on replicated tables the history trigger
-- fires in apply workers too (striker_replicate sets it ENABLE ALWAYS), so every Striker records
-- each change it holds once, and history tables stay local. previous_modified_at changes with
-- every update and so, like modified_at, does not by itself make a history row.
CREATE OR REPLACE FUNCTION striker_record_history() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  ignored text[] := COALESCE(TG_ARGV[0]::text[], ARRAY[]::text[]) || ARRAY['modified_at', 'previous_modified_at'];
  columns text;
BEGIN
  IF TG_OP = 'UPDATE' AND (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) ignored) = (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) ignored) THEN
    RETURN NEW;
  END IF;
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
    FROM pg_catalog.pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
  IF TG_OP = 'DELETE' THEN
    EXECUTE pg_catalog.format('INSERT INTO history.%I (%s, history_op, history_at) SELECT ($1).*, %L, pg_catalog.clock_timestamp()', TG_TABLE_NAME, columns, TG_OP) USING OLD;
    RETURN OLD;
  END IF;
  EXECUTE pg_catalog.format('INSERT INTO history.%I (%s, history_op, history_at) SELECT ($1).*, %L, pg_catalog.clock_timestamp()', TG_TABLE_NAME, columns, TG_OP) USING NEW;
  RETURN NEW;
END $$;

-- Attaches the replication machinery to a table (idempotent): the previous_modified_at column
-- (and in its history table), the conflict-rule trigger, and the history trigger made ENABLE ALWAYS.
CREATE FUNCTION public.striker_replicate(tbl text, mode text) RETURNS void LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF mode NOT IN ('record', 'plain') THEN
    RAISE EXCEPTION 'striker_replicate: mode must be record or plain, got %', mode;
  END IF;
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ADD COLUMN IF NOT EXISTS previous_modified_at timestamptz', tbl);
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_tables t WHERE t.schemaname = 'history' AND t.tablename = tbl) THEN
    EXECUTE pg_catalog.format('ALTER TABLE history.%I ADD COLUMN IF NOT EXISTS previous_modified_at timestamptz', tbl);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = pg_catalog.format('public.%I', tbl)::regclass AND g.tgname = tbl || '_history') THEN
    EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', tbl, tbl || '_history');
  END IF;
  EXECUTE pg_catalog.format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.striker_replication_resolve(%L)',
                            tbl || '_replication', tbl, mode);
  EXECUTE pg_catalog.format('ALTER TABLE public.%I ENABLE ALWAYS TRIGGER %I', tbl, tbl || '_replication');
END $$;
