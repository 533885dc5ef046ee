import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-store.js';
import { ConflictError, StrikerError, ValidationError } from '../core/errors/index.js';
import { siteKeys, type SiteKeys } from '../core/secrets/index.js';
import { describeMachine } from '../machines/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { checkManifest, createManifest, openManifestSecrets, removeManifest, replaceManifest, type ManifestDeps } from './actions.js';
import { getManifest, listManifests } from './manifest-store.js';
import { sampleMachines, sampleManifest } from './sample-manifest.js';

const plaintexts = ['cluster-secret', 'bmc-secret-1', 'bmc-secret-2', 'pdu-secret', 'ups-secret'];

let t: TestDatabase;
const dirs: string[] = [];
function keysIn(): SiteKeys {
  const dir = mkdtempSync(join(tmpdir(), 'striker-manifest-'));
  dirs.push(dir);
  return siteKeys(dir);
}
let deps: ManifestDeps;

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, keys: keysIn(), machines: async () => sampleMachines };
});
afterAll(async () => {
  await t.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every text of the manifest tables and their history, to search for a plaintext. */
async function storedText(): Promise<string> {
  const { rows } = await t.db.query<{ text: string }>(
    `SELECT coalesce((SELECT string_agg(m::text, ' ') FROM manifests m), '') || coalesce((SELECT string_agg(h::text, ' ') FROM history.manifests h), '')
         || coalesce((SELECT string_agg(s::text, ' ') FROM manifest_secrets s), '') || coalesce((SELECT string_agg(a::text, ' ') FROM audit_log a), '') AS text`,
  );
  return rows[0]!.text;
}

describe('manifest actions', () => {
  it('stores a valid manifest under its Anvil! name with every secret sealed, never in clear', async () => {
    const row = await createManifest(deps, systemActor, sampleManifest());
    expect(row.name).toBe('an-anvil-01');
    expect(row.document.clusterPassword).toEqual({ set: true });
    expect(row.document.hosts.node1.ipmi!.password).toEqual({ set: true });
    expect(row.document.fenceDevices[0]!.password).toEqual({ set: true });
    const text = await storedText();
    expect(text).toContain('an-anvil-01');
    for (const p of plaintexts) expect(text).not.toContain(p);
    const secrets = await openManifestSecrets(deps, row.id);
    expect(Object.fromEntries(secrets)).toEqual({
      clusterPassword: 'cluster-secret',
      'hosts.node1.ipmi': 'bmc-secret-1',
      'hosts.node2.ipmi': 'bmc-secret-2',
      'fenceDevices.pdu1': 'pdu-secret',
      'upses.ups1': 'ups-secret',
    });
    await removeManifest(deps, systemActor, row.id);
  });

  it('keeps stored secrets for {set: true}, replaces typed ones and drops cleared ones', async () => {
    const row = await createManifest(deps, systemActor, sampleManifest());
    const next = { ...structuredClone(row.document), pair: { ...row.document.pair, description: 'renamed' } } as Record<string, unknown> & typeof row.document;
    next.hosts.node2.ipmi!.password = 'bmc-new' as never;
    next.upses[0]!.password = { set: false };
    const replaced = await replaceManifest(deps, systemActor, row.id, next);
    expect(replaced.document.pair.description).toBe('renamed');
    expect(replaced.document.upses[0]!.password).toEqual({ set: false });
    expect(Object.fromEntries(await openManifestSecrets(deps, row.id))).toEqual({
      clusterPassword: 'cluster-secret',
      'hosts.node1.ipmi': 'bmc-secret-1',
      'hosts.node2.ipmi': 'bmc-new',
      'fenceDevices.pdu1': 'pdu-secret',
    });
    const { rows } = await t.db.query<{ history_op: string }>('SELECT history_op FROM history.manifests WHERE id = $1 ORDER BY history_id', [row.id]);
    expect(rows.map((r) => r.history_op)).toEqual(['INSERT', 'UPDATE']);
    expect(await storedText()).not.toContain('bmc-new');
    await removeManifest(deps, systemActor, row.id);
  });

  it('stores nothing when the manifest has problems, and lists them all', async () => {
    const bad = sampleManifest();
    bad.hosts.node1.addresses.bcn1 = '10.9.9.9';
    bad.clusterPassword = { set: true };
    const error = await createManifest(deps, systemActor, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual(['hosts.node1.addresses.bcn1', 'clusterPassword']);
    expect(await listManifests(t.db)).toEqual([]);
  });

  it('refuses a second pair with the same sequence, and validates an edit against the others only', async () => {
    const first = await createManifest(deps, systemActor, sampleManifest());
    const again = await createManifest(deps, systemActor, { ...sampleManifest(), pair: { prefix: 'xx', sequence: 1, domain: 'example.lan' } }).catch((e: unknown) => e);
    expect((again as ValidationError).problems).toContainEqual({ path: 'pair.sequence', message: 'pair 1 is already an-anvil-01: each pair needs its own sequence number' });
    const edit = await checkManifest(deps, { ...first.document }, { id: first.id });
    expect(edit).toEqual({ ok: true, problems: [] });
    const step = await checkManifest(deps, { pair: { prefix: 'an', sequence: 1, domain: 'x.lan' }, clusterPassword: 'x' }, { step: 'pair' });
    expect(step.problems.map((p) => p.path)).toEqual(['pair.sequence']);
    await removeManifest(deps, systemActor, first.id);
  });

  it('binds hosts to the machines table by default', async () => {
    const own: ManifestDeps = { db: t.db, keys: deps.keys };
    const before = await checkManifest(own, sampleManifest());
    expect(before.problems.map((p) => p.path)).toEqual(['hosts.node1.machine', 'hosts.node2.machine', 'hosts.dr.machine']);
    for (const m of sampleMachines) await describeMachine(t.db, systemActor, m.mac, { role: m.role });
    expect(await checkManifest(own, sampleManifest())).toEqual({ ok: true, problems: [] });
  });

  it('refuses clearly to keep secrets a keyring without their key cannot open', async () => {
    const row = await createManifest(deps, systemActor, sampleManifest());
    const stranger: ManifestDeps = { ...deps, keys: keysIn() };
    const opened = await openManifestSecrets(stranger, row.id).catch((e: unknown) => e);
    expect(opened).toBeInstanceOf(StrikerError);
    expect((opened as StrikerError).code).toBe('SECRET_UNREADABLE');
    expect((opened as Error).message).toMatch(/cannot be opened: it was sealed with key k[0-9a-f]{12}, which this Striker does not hold/);
    const keep = await replaceManifest(stranger, systemActor, row.id, row.document).catch((e: unknown) => e);
    expect(keep).toBeInstanceOf(ConflictError);
    expect((keep as Error).message).toMatch(/the stored passwords of an-anvil-01 cannot be opened with this Striker's site keyring .* type every password again/);
    // Typing every password again replaces them under the new keyring.
    const retyped = sampleManifest();
    const replaced = await replaceManifest(stranger, systemActor, row.id, retyped);
    expect((await openManifestSecrets(stranger, replaced.id)).get('clusterPassword')).toBe('cluster-secret');
    expect((await getManifest(t.db, row.id)).name).toBe('an-anvil-01');
    await removeManifest(deps, systemActor, row.id);
  });
});
