-- Version 1 of the definition of every server provisioned before migration 0041
-- (cluster/servers/definition-actions.ts): without it, a node's definition report had nothing to
-- be measured against and was refused (409).
--
-- Version 1 is the domain XML `server.create` rendered. The database still holds it where the
-- server's `server.provision` host job (action `create`, the server's name and uuid in the XML) has
-- not been purged: the job its row names first, else the newest. The row's id is derived from the
-- server's uuid, so every Striker migrating its own copy inserts the same row.
--
-- `hash` is meant to be the SHA-256 of the normalised XML (domain-definition.ts), which SQL cannot
-- compute: it is stored here as the SHA-256 of the text, and Striker replaces it with the
-- normalised one when it starts (normaliseVersionOneHashes). A server whose job is gone gets its
-- version 1 from its nodes instead: a node's first report carries the XML provisioning left on it
-- (`baseXml`), which becomes version 1 before the report is weighed.

INSERT INTO server_definitions (id, server_name, version, xml, hash, base_version, source, reported_by, created_at, modified_at)
SELECT md5('server-definition-1:' || s.id::text)::uuid, s.name, 1, p.xml, encode(sha256(convert_to(p.xml, 'UTF8')), 'hex'),
       NULL, 'rendered', NULL, p.created_at, p.created_at
  FROM servers s
  CROSS JOIN LATERAL (
    SELECT j.payload->>'domainXml' AS xml, j.created_at
      FROM jobs j
     WHERE j.kind = 'server.provision'
       AND j.payload->>'server' = s.name
       AND j.payload->>'action' = 'create'
       AND coalesce(j.payload->>'domainXml', '') <> ''
       AND position(lower(s.id::text) IN lower(j.payload->>'domainXml')) > 0
     ORDER BY j.id::text IN (coalesce(s.provision_host_jobs->>'node1', ''), coalesce(s.provision_host_jobs->>'node2', '')) DESC, j.created_at DESC
     LIMIT 1
  ) p
 WHERE NOT EXISTS (SELECT 1 FROM server_definitions d WHERE d.server_name = s.name);
