-- Every table has a uuid key and modified_at; history.<table> keeps every version of every row,
-- filled by a trigger. Call striker_track('table', ARRAY['column', ...]) after CREATE TABLE; the
-- array lists columns whose changes alone are not worth a history row (heartbeats, last-seen).
-- A later migration that adds a column to a tracked table must add it to history.<table> too.

CREATE SCHEMA IF NOT EXISTS history;

CREATE FUNCTION striker_touch_modified_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.modified_at := clock_timestamp();
  RETURN NEW;
END $$;

CREATE FUNCTION striker_record_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ignored text[] := COALESCE(TG_ARGV[0]::text[], ARRAY[]::text[]) || ARRAY['modified_at'];
BEGIN
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO history.%I SELECT ($1).*, %L, clock_timestamp()', TG_TABLE_NAME, TG_OP) USING OLD;
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ignored) = (to_jsonb(OLD) - ignored) THEN
    RETURN NEW;
  END IF;
  EXECUTE format('INSERT INTO history.%I SELECT ($1).*, %L, clock_timestamp()', TG_TABLE_NAME, TG_OP) USING NEW;
  RETURN NEW;
END $$;

CREATE FUNCTION striker_track(tbl text, quiet_columns text[] DEFAULT ARRAY[]::text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE history.%I (LIKE public.%I)', tbl, tbl);
  EXECUTE format('ALTER TABLE history.%I ADD COLUMN history_op text NOT NULL, ADD COLUMN history_at timestamptz NOT NULL, '
                 'ADD COLUMN history_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY', tbl);
  EXECUTE format('CREATE INDEX ON history.%I (id, history_at)', tbl);
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION striker_touch_modified_at()',
                 tbl || '_modified_at', tbl);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION striker_record_history(%L)',
                 tbl || '_history', tbl, quiet_columns::text);
END $$;
