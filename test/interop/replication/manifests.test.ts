/**
 * Manifests on two replicating Strikers sharing the site keyring: a manifest made on one is read on
 * the other with its sealed secrets, which open there; a replacement made on the second reaches
 * the first; deleting it removes the manifest and its secrets everywhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../../striker/audit/audit-store.js';
import { siteKeys, type SiteKeys } from '../../../striker/core/secrets/index.js';
import type { Database } from '../../../striker/db/database.js';
import { createManifest, openManifestSecrets, removeManifest, replaceManifest, sampleMachines, sampleManifest, type ManifestDeps } from '../../../striker/manifest/index.js';
import { converged, joinMesh, startPeer, type Peer } from '../../support/replication-peers.js';

let a: Peer;
let b: Peer;
let dir: string;
let keys: SiteKeys;
const deps = (db: Database): ManifestDeps => ({ db, keys, machines: async () => sampleMachines });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-manifest-replication-'));
  keys = siteKeys(dir);
  [a, b] = await Promise.all([startPeer('striker_ma'), startPeer('striker_mb')]);
  await joinMesh([a, b]);
}, 180_000);
afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
  rmSync(dir, { recursive: true, force: true });
});

async function state(db: Database): Promise<{ description: string | null; sealed: boolean } | null> {
  const { rows } = await db.query<{ description: string | null; sealed: boolean }>(
    `SELECT m.document->'pair'->>'description' AS description, s.secrets IS NOT NULL AS sealed FROM manifests m LEFT JOIN manifest_secrets s ON s.id = m.id`,
  );
  return rows[0] ?? null;
}

describe('manifests between two Strikers', () => {
  it('replicates a manifest and its sealed secrets both ways, and its deletion', async () => {
    const row = await createManifest(deps(a.db), systemActor, sampleManifest());
    expect(await converged([a, b], state, 30_000, (v) => v?.sealed === true)).toEqual({ description: 'First pair', sealed: true });
    expect((await openManifestSecrets(deps(b.db), row.id)).get('hosts.node1.ipmi')).toBe('bmc-secret-1');

    await replaceManifest(deps(b.db), systemActor, row.id, { ...row.document, pair: { ...row.document.pair, description: 'edited on b' }, clusterPassword: 'changed-on-b' });
    expect(await converged([a, b], state, 30_000, (v) => v?.description === 'edited on b')).toEqual({ description: 'edited on b', sealed: true });
    await converged([a, b], async (db) => (await openManifestSecrets(deps(db), row.id)).get('clusterPassword'), 30_000, (v) => v === 'changed-on-b');

    await removeManifest(deps(a.db), systemActor, row.id);
    expect(await converged([a, b], async (db) => [await state(db), (await db.query('SELECT 1 FROM manifest_secrets')).rowCount], 30_000, (v) => v[0] === null && v[1] === 0)).toEqual([null, 0]);
  }, 180_000);
});
