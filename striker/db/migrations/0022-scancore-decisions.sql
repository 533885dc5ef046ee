-- ScanCore's decision round (cluster/scancore/scancore-service.ts).
--
-- scancore_memory: the decision engine's memory per node pair (when a score gap, a battery run or
-- a hot spell began; which nodes it powered off and why), so a restart or a failover to another
-- Striker does not forget a grace period already running or the nodes it must boot again. The
-- pair belongs to the Striker that first ran a round for it (owner_node, stamped at insert like a
-- job's owner, migration 0015): only that Striker decides and acts for the pair. `maintenance`
-- stops ScanCore acting for the pair: it still reads and decides, and records why it did not act.
--
-- scancore_decisions: every decision with its reasons and what became of it: the jobs that carry
-- it out, or why it was not acted on.

CREATE TABLE scancore_memory (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pair_id     text NOT NULL UNIQUE CHECK (pair_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  owner_node  text DEFAULT public.striker_node_name(),
  memory      jsonb NOT NULL DEFAULT '{}'::jsonb,
  maintenance boolean NOT NULL DEFAULT false,
  modified_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- The memory changes with the engine's timers; its history would be a row per change of a timer.
SELECT striker_track('scancore_memory', ARRAY['memory']);

CREATE TABLE scancore_decisions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  pair_id        text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('migrate-servers', 'withdraw-node', 'shutdown', 'boot-nodes')),
  cause          text NOT NULL CHECK (cause IN ('health', 'power', 'thermal')),
  -- The decision as the engine returned it (nodes, servers, target).
  decision       jsonb NOT NULL,
  reasons        jsonb NOT NULL,
  decided_at     timestamptz NOT NULL,
  decided_by     text NOT NULL DEFAULT public.striker_node_name(),
  -- 'acted' (job_ids carry it out) or 'not-acted' (not_acted_reason says why).
  outcome        text NOT NULL CHECK (outcome IN ('acted', 'not-acted')),
  not_acted_reason text,
  job_ids        uuid[] NOT NULL DEFAULT '{}',
  modified_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((outcome = 'not-acted') = (not_acted_reason IS NOT NULL))
);
CREATE INDEX scancore_decisions_recent ON scancore_decisions (decided_at DESC, id DESC);
CREATE INDEX scancore_decisions_pair ON scancore_decisions (pair_id, decided_at DESC);
SELECT striker_track('scancore_decisions');
