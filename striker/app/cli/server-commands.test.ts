/**
 * `striker servers …` calls the same actions as the API: a refused create names its fields, a
 * created server is listed and shown with its provisioning job, and an action before provisioning
 * finished is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema, sampleManifest } from '../../manifest/index.js';
import { splitSecrets } from '../../manifest/manifest-secrets.js';
import { insertManifest } from '../../manifest/manifest-store.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../../test/support/test-database.js';
import { ValidationError } from '../../core/errors/index.js';
import { buildProgram } from './program.js';
import { getServer, recordRenderedDefinition, renderDomainXml, reportDefinition } from '../../../cluster/servers/index.js';
import { issueCredentialAtRegistration } from '../../agent/index.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-servers-cli-'));
let t: TestDatabase;

async function striker(...args: string[]): Promise<{ out: string; exit: number }> {
  const out: string[] = [];
  let exit = 0;
  const program = buildProgram(
    {
      env: { STRIKER_DATABASE__URLS: JSON.stringify([t.url]), STRIKER_DATA_DIR: join(dir, 'var') },
      stdout: (s) => void out.push(s),
      stderr: (s) => void out.push(s),
      readStdin: async () => '',
      makeLogger: () => quietLogger,
      runServe: async () => 0,
      runAgent: async () => 0,
    },
    (code) => (exit = code),
  );
  await program.parseAsync(['node', 'striker', '--json', ...args]);
  return { out: out.join(''), exit };
}

beforeAll(async () => {
  t = await createTestDatabase();
  await striker('servers', 'list');
  const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
  await insertManifest(t.db, { name: 'an-anvil-01', sequence: 1, document });
});
afterAll(async () => {
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('striker servers', () => {
  it('refuses a bad create naming each field, creates a good one, lists and shows it, refuses an early action', async () => {
    const bad = await striker('servers', 'create', 'srv 1', '--anvil', 'an-anvil-01', '--vcpus', '0', '--memory', '2048', '--disk', '10', '--network', 'sn1').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(((bad as ValidationError).details['problems'] as { path: string }[]).map((p) => p.path).sort()).toEqual(['name', 'networks.0.network', 'vcpus']);

    const made = await striker('servers', 'create', 'srv01', '--anvil', 'an-anvil-01', '--vcpus', '2', '--memory', '2048', '--disk', '10', '--network', 'ifn1', 'bcn1', '--os-variant', 'rhel9.4', '--no-live-migration');
    expect(made.exit, made.out).toBe(0);
    const created = JSON.parse(made.out) as { server: { name: string; drbdMinor: number; liveMigration: boolean }; job: { id: string; kind: string } };
    expect(created.server).toMatchObject({ name: 'srv01', drbdMinor: 0, liveMigration: false });
    expect(created.job.kind).toBe('server.create');

    const list = JSON.parse((await striker('servers', 'list')).out) as { servers: { name: string; provisionJob: string }[] };
    expect(list.servers.map((s) => [s.name, s.provisionJob])).toEqual([['srv01', created.job.id]]);
    const show = JSON.parse((await striker('servers', 'show', 'srv01')).out) as { server: { networks: { network: string }[] } };
    expect(show.server.networks).toEqual([{ network: 'ifn1' }, { network: 'bcn1' }]);

    await expect(striker('servers', 'migrate', 'srv01')).rejects.toThrow('server srv01 is not provisioned (step allocated); it cannot migrate yet');
  });

  it('shows the definition and an open conflict between two nodes, and settles it by the side chosen', async () => {
    const server = await getServer(t.db, 'srv01');
    const [n1, n2] = [server.hosts.find((h) => h.key === 'node1')!, server.hosts.find((h) => h.key === 'node2')!];
    for (const h of [n1, n2]) await t.db.tx((tx) => issueCredentialAtRegistration(tx, h.hostId, '127.0.0.1'));
    const xml = renderDomainXml({ name: 'srv01', uuid: server.id, vcpus: 2, memoryMiB: 2048, disk: '/dev/drbd0' });
    await t.db.tx((tx) => recordRenderedDefinition(tx, 'srv01', xml));
    await reportDefinition(t.db, n1.hostId, 'srv01', { baseVersion: 1, xml: xml.replace('>2</vcpu>', '>4</vcpu>') });
    await reportDefinition(t.db, n2.hostId, 'srv01', { baseVersion: 1, xml: xml.replace('>2</vcpu>', '>6</vcpu>') });
    const show = JSON.parse((await striker('servers', 'show', 'srv01')).out) as { definition: { version: number; conflicts: { id: string; state: string; keptBy: string; otherBy: string }[] } };
    expect(show.definition.version).toBe(2);
    expect(show.definition.conflicts).toEqual([expect.objectContaining({ state: 'open', keptBy: n1.name, otherBy: n2.name })]);
    await expect(striker('servers', 'settle-definition', 'srv01', show.definition.conflicts[0]!.id, '--choose', 'neither')).rejects.toBeInstanceOf(ValidationError);
    const settled = JSON.parse((await striker('servers', 'settle-definition', 'srv01', show.definition.conflicts[0]!.id, '--choose', 'other')).out) as { definition: { version: number }; jobIds: string[] };
    expect(settled.definition.version).toBe(3);
    expect(settled.jobIds).toHaveLength(2);
    const after = JSON.parse((await striker('servers', 'show', 'srv01')).out) as { definition: { version: number; source: string; conflicts: { state: string; chosen: string }[] } };
    expect(after.definition).toMatchObject({ version: 3, source: 'settled', conflicts: [{ state: 'settled', chosen: 'other' }] });
  });
});
