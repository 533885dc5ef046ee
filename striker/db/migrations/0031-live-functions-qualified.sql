-- The live channel's functions (0023, 0028) again, with every name inside them schema-qualified:
-- a trigger of a replicated table also fires in the apply worker, whose search_path is empty
-- (0013), and in functions that set it empty (0030's jobs_end_dependants); an unqualified call of
-- striker_notify_live there fails the statement — the job's update, or the apply worker's change.

CREATE OR REPLACE FUNCTION public.striker_live_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_json jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  PERFORM public.striker_notify_live(TG_ARGV[0], COALESCE(row_json ->> TG_ARGV[1], ''));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION public.striker_live_statement_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k text;
BEGIN
  FOR k IN EXECUTE format('SELECT DISTINCT %I::text FROM changed', TG_ARGV[1]) LOOP
    PERFORM public.striker_notify_live(TG_ARGV[0], COALESCE(k, ''));
  END LOOP;
  RETURN NULL;
END $$;
