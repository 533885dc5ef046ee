/**
 * The pairs' corosync authkeys in PostgreSQL (`cluster_pair_keys`, migration 0024): one sealed
 * envelope per pair, keyed by its Anvil! name. Sealing and opening is pair-authkey.ts's work; this
 * file moves rows.
 */
import type { EncryptedTable } from '../../striker/core/secrets/index.js';
import type { DbReader, DbWriter } from '../../striker/db/database.js';

/** The sealed column, declared for key rotation (striker/app/peering.ts gathers the registry). */
export const pairKeysTable: EncryptedTable = { table: 'cluster_pair_keys', key: 'id', columns: ['authkey'], scope: 'replicated' };

/** The pair's sealed authkey, or undefined when none was made yet. */
export async function sealedPairKey(q: DbReader, anvilName: string): Promise<string | undefined> {
  const { rows } = await q.query<{ authkey: string }>('SELECT authkey FROM cluster_pair_keys WHERE anvil_name = $1', [anvilName]);
  return rows[0]?.authkey;
}

/** Stores the pair's first authkey; a pair that has one keeps it (false: another request stored it first). */
export async function insertPairKey(q: DbWriter, anvilName: string, envelope: string): Promise<boolean> {
  const { rowCount } = await q.write('INSERT INTO cluster_pair_keys (anvil_name, authkey) VALUES ($1, $2) ON CONFLICT (anvil_name) DO NOTHING', [anvilName, envelope]);
  return (rowCount ?? 0) > 0;
}
