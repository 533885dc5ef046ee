-- The disks a machine's OS install must use, in order, as kernel names (sda, nvme0n1). NULL lets
-- the kickstart's disk planner pick the machine's local disks itself. The table holds the same
-- rule as the machines action (striker/machines/install-disks.ts): 1 to 8 kernel disk names, each
-- named once.

CREATE FUNCTION machine_install_disks_valid(names text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_ndims(names), 0) = 1
     AND cardinality(names) BETWEEN 1 AND 8
     AND NOT EXISTS (SELECT 1 FROM unnest(names) AS n WHERE n IS NULL OR n !~ '^[a-z][a-z0-9]{0,31}$')
     AND (SELECT count(DISTINCT n) FROM unnest(names) AS n) = cardinality(names)
$$;

ALTER TABLE machines ADD COLUMN install_disks text[] CHECK (install_disks IS NULL OR machine_install_disks_valid(install_disks));
ALTER TABLE history.machines ADD COLUMN install_disks text[];
