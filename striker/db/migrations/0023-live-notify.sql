-- The live channel's source: a change to a row a live page shows is announced on the NOTIFY
-- channel `striker_live` as {"topic": ..., "key": ...}; the live-events listener fans it out to
-- the browsers subscribed to that topic (server-sent events), which fetch what changed. The
-- payload names what changed, never its content (NOTIFY payloads are capped at 8000 bytes).
--
-- A table joins the channel with a trigger:
--   CREATE TRIGGER <table>_live AFTER INSERT OR UPDATE OR DELETE ON <table>
--     FOR EACH ROW EXECUTE FUNCTION striker_live_trigger('<topic>', '<key column>');
-- and a store that knows better calls striker_notify_live(topic, key) itself.

CREATE FUNCTION striker_notify_live(topic text, key text) RETURNS void LANGUAGE sql AS $$
  SELECT pg_notify('striker_live', json_build_object('topic', topic, 'key', key)::text);
$$;

CREATE FUNCTION striker_live_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_json jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  PERFORM striker_notify_live(TG_ARGV[0], COALESCE(row_json ->> TG_ARGV[1], ''));
  RETURN NULL;
END $$;
