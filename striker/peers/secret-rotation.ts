/**
 * Rotating the site key so that no Striker ever holds a row it cannot open.
 *
 * The order (on the Striker where `striker secrets rotate` runs, "here"):
 * 1. A new key is made and added here, not yet current.
 * 2. It is offered to every peer over the peering channel; each adds it to its keyring, not yet
 *    current. If any peer cannot be reached the rotation stops here: nothing has been sealed with
 *    the new key, and the key left in the keyrings it reached is harmless (run it again later).
 * 3. Every peer is told to make it current and re-encrypt its own local encrypted columns; a peer
 *    failing this step only keeps sealing with an older key, which every Striker still holds.
 * 4. Here it becomes current and every envelope (replicated and local tables) sealed with another
 *    key is re-encrypted; the replicated ones reach the peers, which all hold the key since step 2.
 * Old keys are never dropped: history and conflict rows keep their old envelopes and still open,
 * and a peer that joins later receives the whole keyring.
 */
import { columnContext, decryptSecret, encryptSecret, generateKey, mergeKeys, withCurrent, type EncryptedColumnRegistry, type SiteKey, type SiteKeys } from '../core/secrets/index.js';
import { StrikerError } from '../core/errors/index.js';
import type { Database } from '../db/database.js';
import { replaceEnvelope, valuesNotSealedWith } from './secret-store.js';

/** How the new key reaches one peer (the peering channel, or a fake in tests). */
export interface KeyChannel {
  peers(): Promise<{ id: string; name: string }[]>;
  offerKey(peerId: string, key: SiteKey): Promise<void>;
  makeCurrent(peerId: string, key: SiteKey): Promise<void>;
}

export interface Reencrypted {
  table: string;
  rewritten: number;
}

export interface RotationResult {
  keyId: string;
  previousKeyId: string;
  peers: { id: string; name: string; current: boolean; error?: string }[];
  reencrypted: Reencrypted[];
}

/** Re-encrypts, with the current key, every envelope of the registry's tables in `scope`. */
export async function reencryptSecrets(db: Database, keys: SiteKeys, registry: EncryptedColumnRegistry, scope: 'all' | 'local'): Promise<Reencrypted[]> {
  const result: Reencrypted[] = [];
  for (const table of registry) {
    if (scope === 'local' && table.scope !== 'local') continue;
    const rewritten = await db.tx(async (t) => {
      const keyring = keys.keyring();
      let count = 0;
      for (const value of await valuesNotSealedWith(t, table, keyring.current)) {
        const context = columnContext(table.table, value.column);
        const plaintext = decryptSecret(keyring, value.envelope, context);
        if (await replaceEnvelope(t, table, value, encryptSecret(keyring, plaintext, context))) count++;
      }
      return count;
    });
    result.push({ table: table.table, rewritten });
  }
  return result;
}

export async function rotateSiteKey(deps: { db: Database; keys: SiteKeys; registry: EncryptedColumnRegistry; channel: KeyChannel; now: () => Date }): Promise<RotationResult> {
  const { db, keys, registry, channel } = deps;
  const previousKeyId = keys.keyring().current;
  const key = generateKey(deps.now());
  await keys.update((k) => mergeKeys(k, [key]));
  const peers = await channel.peers();
  const unreachable: string[] = [];
  for (const peer of peers) {
    try {
      await channel.offerKey(peer.id, key);
    } catch (error) {
      unreachable.push(`${peer.name}: ${(error as Error).message}`);
    }
  }
  if (unreachable.length > 0) {
    throw new StrikerError('PEER_UNREACHABLE', `the new key could not reach every peer, so nothing was re-encrypted and ${previousKeyId} stays current:\n  - ${unreachable.join('\n  - ')}`, {
      details: { keyId: key.id, unreachable },
    });
  }
  const reports: RotationResult['peers'] = [];
  for (const peer of peers) {
    try {
      await channel.makeCurrent(peer.id, key);
      reports.push({ ...peer, current: true });
    } catch (error) {
      reports.push({ ...peer, current: false, error: (error as Error).message });
    }
  }
  await keys.update((k) => withCurrent(k, key.id));
  const reencrypted = await reencryptSecrets(db, keys, registry, 'all');
  return { keyId: key.id, previousKeyId, peers: reports, reencrypted };
}

/** A peer's side of steps 2 and 3: add the key, and (when told) make it current and re-encrypt local tables. */
export async function acceptKey(deps: { db: Database; keys: SiteKeys; registry: EncryptedColumnRegistry }, key: SiteKey, makeCurrent: boolean): Promise<Reencrypted[]> {
  await deps.keys.update((k) => (makeCurrent ? withCurrent(mergeKeys(k, [key]), key.id) : mergeKeys(k, [key])));
  return makeCurrent ? reencryptSecrets(deps.db, deps.keys, deps.registry, 'local') : [];
}
