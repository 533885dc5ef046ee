-- History rows are written by column name, not by position. A column a later migration adds to a
-- tracked table lands after history_op, history_at and history_id in history.<table> (ALTER TABLE
-- appends), so copying a row by position (`SELECT ($1).*` into the history table) would put its
-- values into the wrong columns. The trigger now names the tracked table's own columns, in their
-- order, so adding a column takes two statements and nothing else:
--   ALTER TABLE <table> ADD COLUMN <name> <type>;
--   ALTER TABLE history.<table> ADD COLUMN <name> <type>;

CREATE OR REPLACE FUNCTION striker_record_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ignored text[] := COALESCE(TG_ARGV[0]::text[], ARRAY[]::text[]) || ARRAY['modified_at'];
  columns text;
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - ignored) = (to_jsonb(OLD) - ignored) THEN
    RETURN NEW;
  END IF;
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
    FROM pg_attribute WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped;
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO history.%I (%s, history_op, history_at) SELECT ($1).*, %L, clock_timestamp()', TG_TABLE_NAME, columns, TG_OP) USING OLD;
    RETURN OLD;
  END IF;
  EXECUTE format('INSERT INTO history.%I (%s, history_op, history_at) SELECT ($1).*, %L, clock_timestamp()', TG_TABLE_NAME, columns, TG_OP) USING NEW;
  RETURN NEW;
END $$;
