import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnContext, encryptedColumnRegistry, envelopeKeyId, siteKeys, type SiteKey, type SiteKeys } from '../core/secrets/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { acceptKey, rotateSiteKey, type KeyChannel } from './secret-rotation.js';

// A stand-in for a table a later area will add (BMC credentials): two sealed columns, replicated.
const registry = encryptedColumnRegistry([
  { table: 'secret_rotation_probe', key: 'id', columns: ['password', 'community'], scope: 'replicated' },
]);

let tdb: TestDatabase;
const dirs: string[] = [];
function keysIn(): SiteKeys {
  const dir = mkdtempSync(join(tmpdir(), 'striker-rotate-'));
  dirs.push(dir);
  return siteKeys(dir);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  await tdb.db.write(`CREATE TABLE secret_rotation_probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, password text, community text)`);
});
afterAll(async () => {
  await tdb.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function seed(keys: SiteKeys, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await tdb.db.write(`INSERT INTO secret_rotation_probe (name, password, community) VALUES ($1, $2, $3)`, [
      `bmc${i}`,
      keys.encrypt(`pw-${i}`, columnContext('secret_rotation_probe', 'password')),
      i % 2 === 0 ? keys.encrypt(`public-${i}`, columnContext('secret_rotation_probe', 'community')) : null,
    ]);
  }
}

async function rows(): Promise<{ name: string; password: string; community: string | null }[]> {
  return (await tdb.db.query<{ name: string; password: string; community: string | null }>('SELECT name, password, community FROM secret_rotation_probe ORDER BY name')).rows;
}

/** Peers that are SiteKeys of their own, reached in-process; records what each saw, in order. */
function fakeChannel(peers: Map<string, SiteKeys>, down = new Set<string>()): KeyChannel & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    peers: async () => [...peers.keys()].map((id) => ({ id, name: id })),
    async offerKey(id: string, key: SiteKey) {
      if (down.has(id)) throw new Error('connection refused');
      // At this point no row may be sealed with the new key yet.
      const sealedWithNew = (await rows()).filter((r) => envelopeKeyId(r.password) === key.id).length;
      log.push(`offer ${id} rows-with-new-key=${sealedWithNew}`);
      await acceptKey({ db: tdb.db, keys: peers.get(id)!, registry: encryptedColumnRegistry() }, key, false);
    },
    async makeCurrent(id: string, key: SiteKey) {
      log.push(`current ${id}`);
      await acceptKey({ db: tdb.db, keys: peers.get(id)!, registry: encryptedColumnRegistry() }, key, true);
    },
  };
}

describe('site key rotation', () => {
  it('hands the key to every peer before any row is sealed with it, then re-encrypts every registered column', async () => {
    const here = keysIn();
    const peerB = keysIn();
    const peerC = keysIn();
    // Peers of one site share the keyring (a peering hands it over).
    for (const p of [peerB, peerC]) await p.update(() => here.keyring());
    await seed(here, 6);
    const before = await rows();
    const channel = fakeChannel(new Map([['b', peerB], ['c', peerC]]));
    const result = await rotateSiteKey({ db: tdb.db, keys: here, registry, channel, now: () => new Date() });

    expect(channel.log).toEqual(['offer b rows-with-new-key=0', 'offer c rows-with-new-key=0', 'current b', 'current c']);
    expect(result.reencrypted).toEqual([{ table: 'secret_rotation_probe', rewritten: 9 }]);
    expect(result.previousKeyId).not.toBe(result.keyId);
    const after = await rows();
    for (const [i, r] of after.entries()) {
      expect(envelopeKeyId(r.password)).toBe(result.keyId);
      expect(r.password).not.toBe(before[i]!.password);
      // Every peer opens every re-encrypted row (it replicates to them).
      for (const keys of [here, peerB, peerC]) {
        expect(keys.decrypt(r.password, 'secret_rotation_probe.password')).toBe(before[i]!.name.replace('bmc', 'pw-'));
        if (r.community !== null) expect(keys.decrypt(r.community, 'secret_rotation_probe.community')).toMatch(/^public-\d$/);
      }
    }
    expect(peerB.keyring().current).toBe(result.keyId);
    expect(peerC.keyring().keys.map((k) => k.id)).toContain(result.previousKeyId);
  });

  it('stops before sealing anything when a peer cannot take the key', async () => {
    const here = keysIn();
    const peerB = keysIn();
    await peerB.update(() => here.keyring());
    await tdb.db.write('DELETE FROM secret_rotation_probe');
    await seed(here, 3);
    const before = await rows();
    const channel = fakeChannel(new Map([['b', peerB], ['down', keysIn()]]), new Set(['down']));
    await expect(rotateSiteKey({ db: tdb.db, keys: here, registry, channel, now: () => new Date() })).rejects.toThrow(/could not reach every peer.*\n.*down: connection refused/);
    expect(await rows()).toEqual(before);
    expect(here.keyring().current).toBe(envelopeKeyId(before[0]!.password));
    expect(channel.log.some((l) => l.startsWith('current'))).toBe(false);
  });
});
