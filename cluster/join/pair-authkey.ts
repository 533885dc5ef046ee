/**
 * The corosync authkey of a node pair: made once (`generateCorosyncAuthkey`, 256 random bytes) the
 * first time it is asked for, sealed with the site key and kept in `cluster_pair_keys`; every later
 * request — from either subnode, through any Striker of the site — opens the same key. It leaves
 * Striker only in a join plan, to the agent of one of the pair's subnodes (join-plan-actions.ts).
 */
import { columnContext } from '../../striker/core/secrets/index.js';
import type { Database } from '../../striker/db/database.js';
import type { SecretSealer } from '../../striker/manifest/index.js';
import { generateCorosyncAuthkey } from '../corosync-plan.js';
import { insertPairKey, pairKeysTable, sealedPairKey } from './pair-key-store.js';

const CONTEXT = columnContext(pairKeysTable.table, pairKeysTable.columns[0]!);

export interface PairKeyDeps {
  db: Database;
  keys: SecretSealer;
}

/** The pair's authkey, made and stored on first use. */
export async function pairAuthkey(deps: PairKeyDeps, anvilName: string): Promise<Buffer> {
  let sealed = await sealedPairKey(deps.db, anvilName);
  if (sealed === undefined) {
    // Two subnodes asking at once: the first insert wins and both read the stored key.
    await insertPairKey(deps.db, anvilName, deps.keys.encrypt(generateCorosyncAuthkey().toString('base64'), CONTEXT));
    sealed = await sealedPairKey(deps.db, anvilName);
    if (sealed === undefined) throw new Error(`the authkey of ${anvilName} was stored but cannot be read back`);
  }
  return Buffer.from(deps.keys.decrypt(sealed, CONTEXT), 'base64');
}
