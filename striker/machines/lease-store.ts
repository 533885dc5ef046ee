/**
 * DHCP leases in PostgreSQL (`dhcp_leases`): the mirror's batched upsert and the leases as last
 * mirrored (for the CLI, which has no DHCP server in process).
 */
import type { DbReader, DbWriter } from '../db/database.js';
import { formatIpv4 } from '../core/net/ipv4.js';
import type { Lease, LeaseView } from '../../pxe/index.js';

/** One statement for a batch; NUL characters (which PostgreSQL's text refuses) are dropped. */
export async function upsertLeases(q: DbWriter, leases: readonly Lease[]): Promise<void> {
  await q.write(
    `INSERT INTO dhcp_leases (ip, mac, client_key, state, expires_at, hostname)
     SELECT * FROM unnest($1::inet[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
     ON CONFLICT (ip) DO UPDATE SET mac = EXCLUDED.mac, client_key = EXCLUDED.client_key, state = EXCLUDED.state,
       expires_at = EXCLUDED.expires_at, hostname = EXCLUDED.hostname`,
    [
      leases.map((l) => formatIpv4(l.ip)),
      leases.map((l) => l.mac),
      leases.map((l) => l.clientKey.replace(/\u0000/g, '')),
      leases.map((l) => l.state),
      leases.map((l) => new Date(l.expiresAt)),
      leases.map((l) => l.hostname?.replace(/\u0000/g, '') ?? null),
    ],
  );
}

/** Leases as the database last saw them. */
export async function storedLeases(q: DbReader): Promise<LeaseView[]> {
  const { rows } = await q.query<LeaseView>(
    `SELECT host(ip) AS ip, mac, client_key AS "clientKey", state, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt", hostname
       FROM dhcp_leases ORDER BY ip`,
  );
  return rows;
}
