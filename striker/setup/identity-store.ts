/**
 * Storing the Striker's identity (one row plus one per network) and the plans made from it.
 */
import type { DbReader, DbTx, DbWriter } from '../db/database.js';
import { networkNames, type Identity, type NetworkName } from './identity-schema.js';
import type { NetworkPlan } from './network-plan.js';

export interface StoredIdentity {
  id: string;
  identity: Identity;
  modifiedAt: Date;
}

export interface StoredPlan {
  id: string;
  jobId: string | null;
  applied: boolean;
  plan: NetworkPlan;
  createdAt: Date;
}

/** Replaces the identity (there is one) and its networks; returns its id. */
export async function saveIdentity(q: DbTx, identity: Identity, userId: string | null): Promise<string> {
  const { rows } = await q.write<{ id: string }>(
    `INSERT INTO striker_identity (host_name, prefix, sequence, domain, dns, ntp, mtu, configured_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (singleton) DO UPDATE SET host_name = EXCLUDED.host_name, prefix = EXCLUDED.prefix, sequence = EXCLUDED.sequence,
       domain = EXCLUDED.domain, dns = EXCLUDED.dns, ntp = EXCLUDED.ntp, mtu = EXCLUDED.mtu, configured_by = EXCLUDED.configured_by
     RETURNING id`,
    [identity.hostName, identity.prefix, identity.sequence, identity.domain, identity.dns, identity.ntp, identity.mtu, userId],
  );
  const id = rows[0]!.id;
  for (const name of networkNames) {
    const net = identity.networks[name];
    await q.write(
      `INSERT INTO striker_networks (identity_id, name, subnet, address, gateway) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (identity_id, name) DO UPDATE SET subnet = EXCLUDED.subnet, address = EXCLUDED.address, gateway = EXCLUDED.gateway`,
      [id, name, net.subnet, net.address, 'gateway' in net ? net.gateway : null],
    );
  }
  return id;
}

export async function loadIdentity(q: DbReader): Promise<StoredIdentity | undefined> {
  const { rows } = await q.query<{ id: string; host_name: string; prefix: string; sequence: number; domain: string; dns: string[]; ntp: string[]; mtu: number; modified_at: Date }>(
    'SELECT id, host_name, prefix, sequence, domain, dns, ntp, mtu, modified_at FROM striker_identity',
  );
  const r = rows[0];
  if (!r) return undefined;
  const nets = await q.query<{ name: NetworkName; subnet: string; address: string; gateway: string | null }>(
    'SELECT name, subnet::text, host(address) AS address, host(gateway) AS gateway FROM striker_networks WHERE identity_id = $1',
    [r.id],
  );
  const byName = new Map(nets.rows.map((n) => [n.name, n]));
  const net = (name: NetworkName) => {
    const n = byName.get(name);
    if (!n) throw new Error(`striker_networks has no ${name} row for identity ${r.id}`);
    return { subnet: n.subnet, address: n.address };
  };
  return {
    id: r.id,
    modifiedAt: r.modified_at,
    identity: {
      hostName: r.host_name,
      prefix: r.prefix,
      sequence: r.sequence,
      domain: r.domain,
      networks: { bcn: net('bcn'), sn: net('sn'), ifn: { ...net('ifn'), gateway: byName.get('ifn')?.gateway ?? '' }, mn: net('mn') },
      dns: r.dns,
      ntp: r.ntp,
      mtu: r.mtu,
    },
  };
}

export async function savePlan(q: DbWriter, identityId: string, jobId: string | null, plan: NetworkPlan, applied: boolean): Promise<string> {
  const { rows } = await q.write<{ id: string }>(
    'INSERT INTO striker_apply_plans (identity_id, job_id, applied, plan) VALUES ($1, $2, $3, $4) RETURNING id',
    [identityId, jobId, applied, JSON.stringify(plan)],
  );
  return rows[0]!.id;
}

export async function latestPlan(q: DbReader): Promise<StoredPlan | undefined> {
  const { rows } = await q.query<StoredPlan>(
    `SELECT id, job_id AS "jobId", applied, plan, created_at AS "createdAt" FROM striker_apply_plans ORDER BY created_at DESC LIMIT 1`,
  );
  return rows[0];
}
