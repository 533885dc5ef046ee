-- The checks of `jobs` as one CHECK constraint (striker/db/replication/README.md, "What an applied
-- row costs"). An apply worker builds a new result relation for every row it applies, and
-- PostgreSQL then reads every CHECK constraint of the table back from its stored expression tree
-- and prepares it again, for that one row: jobs had eight, and reading them was a large part of
-- applying a peer's job. One constraint calling public.jobs_valid_row() is one small tree to read.
--
-- The rows accepted and refused are the same, and a refused row is reported as before: SQLSTATE
-- 23514 (check_violation), the constraint named as it was (the first that fails, in name order, as
-- PostgreSQL checks them), `new row for relation "jobs" violates check constraint "<name>"`. As
-- with a CHECK, a condition that is NULL passes (NOT NULL columns are checked before).

CREATE FUNCTION public.jobs_valid_row(kind text, status text, progress smallint, max_attempts integer, held_reason text, no_change text)
RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  failed text;
BEGIN
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
  ELSIF (status = ANY (ARRAY['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'])) IS FALSE THEN
    failed := 'jobs_status_check';
  ELSE
    RETURN true;
  END IF;
  RAISE EXCEPTION 'new row for relation "jobs" violates check constraint "%"', failed
    USING ERRCODE = 'check_violation', CONSTRAINT = failed, TABLE = 'jobs', SCHEMA = 'public';
END $$;

ALTER TABLE public.jobs
  DROP CONSTRAINT jobs_check,
  DROP CONSTRAINT jobs_check1,
  DROP CONSTRAINT jobs_held_reason_check,
  DROP CONSTRAINT jobs_kind_check,
  DROP CONSTRAINT jobs_max_attempts_check,
  DROP CONSTRAINT jobs_no_change_succeeded,
  DROP CONSTRAINT jobs_progress_check,
  DROP CONSTRAINT jobs_status_check,
  ADD CONSTRAINT jobs_valid CHECK (public.jobs_valid_row(kind, status, progress, max_attempts, held_reason, no_change));
