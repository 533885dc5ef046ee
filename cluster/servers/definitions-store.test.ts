/**
 * The version and conflict rules of server definitions on a real database: a node's change against
 * the version in force becomes the next version and is defined on the peer; a second, different
 * change from the same base is a conflict keeping both; a person settles it and the choice is
 * defined on both nodes; nothing is overwritten on the way.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../striker/agent/index.js';
import { systemActor, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, ValidationError } from '../../striker/core/errors/index.js';
import { jobsByIds } from '../../striker/jobs/job-store.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { definitionView, recordRenderedDefinition, reportDefinition, settleDefinitionConflict } from './definition-actions.js';
import { currentDefinition, definitionConflicts } from './definitions-store.js';
import { definitionHash } from './domain-definition.js';
import { renderDomainXml } from './domain-xml.js';
import { deleteServer, insertServer } from './servers-store.js';

const N1 = '52-54-00-00-00-01';
const N2 = '52-54-00-00-00-02';
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  for (const id of [N1, N2]) await t.db.tx((tx) => issueCredentialAtRegistration(tx, id, '127.0.0.1'));
});
afterAll(async () => t.drop());

const hosts = [
  { key: 'node1' as const, name: 'an-a01n01', hostId: N1, snAddress: '10.101.10.1' },
  { key: 'node2' as const, name: 'an-a01n02', hostId: N2, snAddress: '10.101.10.2' },
];
const operator: Actor = { userId: null, name: 'oli', role: 'operator', via: 'session' };

async function provisioned(name: string, minor: number) {
  const id = randomUUID();
  await insertServer(t.db, {
    id, name, anvil: 'an-anvil-01', vcpus: 2, memoryMiB: 1024, diskGiB: 10, installIso: null, driverIso: null, osVariant: 'generic',
    networks: [{ network: 'ifn1' }], hosts, drbdMinor: minor, drbdPort: 7788 + 3 * minor, preferredNode: 'node1', liveMigration: true,
  });
  const xml = renderDomainXml({ name, uuid: id, vcpus: 2, memoryMiB: 1024, disk: `/dev/drbd${minor}`, networks: [{ network: 'ifn1' }] });
  await t.db.tx((tx) => recordRenderedDefinition(tx, name, xml));
  return { id, xml };
}

const vcpus = (xml: string, n: number) => xml.replace(/<vcpu placement='static'>\d+<\/vcpu>/, `<vcpu placement='static'>${n}</vcpu>`);

async function defineJobs(ids: readonly string[]) {
  return (await jobsByIds(t.db, ids)).map((j) => ({ host: j.targetHost, kind: j.kind, payload: j.payload as { version: number; hash: string; replaces: string[] } }));
}

describe('server definition versions', () => {
  it('keeps the rendered XML as version 1, once', async () => {
    const { xml } = await provisioned('srv01', 0);
    const again = await t.db.tx((tx) => recordRenderedDefinition(tx, 'srv01', vcpus(xml, 8)));
    expect(again).toMatchObject({ version: 1, source: 'rendered', hash: definitionHash(xml) });
  });

  it("takes a node's change against the version in force as the next version and defines it on the peer only", async () => {
    const { xml } = await provisioned('srv02', 1);
    // libvirt's own form of the same definition is no change.
    expect(await reportDefinition(t.db, N1, 'srv02', { baseVersion: 1, xml: xml.replace("unit='MiB'>1024<", "unit='KiB'>1048576<") })).toEqual({ outcome: 'unchanged', version: 1 });
    const changed = vcpus(xml, 4);
    const answer = await reportDefinition(t.db, N1, 'srv02', { baseVersion: 1, xml: changed });
    expect(answer).toMatchObject({ outcome: 'accepted', version: 2 });
    const current = (await currentDefinition(t.db, 'srv02'))!;
    expect(current).toMatchObject({ version: 2, baseVersion: 1, source: 'node', reportedBy: 'an-a01n01', xml: changed, hash: definitionHash(changed) });
    const jobs = await defineJobs([(answer as { jobId: string }).jobId]);
    expect(jobs).toEqual([{ host: N2, kind: 'server.define', payload: expect.objectContaining({ server: 'srv02', version: 2, hash: definitionHash(changed), xml: changed, replaces: [definitionHash(xml)] }) }]);
    // The peer, once defined, reports the same definition: nothing changes.
    expect(await reportDefinition(t.db, N2, 'srv02', { baseVersion: 2, xml: changed })).toEqual({ outcome: 'unchanged', version: 2 });
    const audited = await t.db.query<{ action: string; details: { version: number } }>(`SELECT action, details FROM audit_log WHERE target_id = 'srv02' ORDER BY at`);
    expect(audited.rows.map((r) => [r.action, r.details.version])).toEqual([['server.definition.change', 2]]);
  });

  it('records two different changes from the same base as a conflict: the first kept, the second not applied', async () => {
    const { xml } = await provisioned('srv03', 2);
    const first = vcpus(xml, 4);
    const second = vcpus(xml, 6);
    expect(await reportDefinition(t.db, N1, 'srv03', { baseVersion: 1, xml: first })).toMatchObject({ outcome: 'accepted', version: 2 });
    const conflict = await reportDefinition(t.db, N2, 'srv03', { baseVersion: 1, xml: second });
    expect(conflict).toMatchObject({ outcome: 'conflict', version: 2 });
    expect((await currentDefinition(t.db, 'srv03'))!.xml).toBe(first);
    const [c] = await definitionConflicts(t.db, 'srv03');
    expect(c).toMatchObject({
      state: 'open', baseVersion: 1, keptVersion: 2, keptBy: 'an-a01n01', keptXml: first, otherBy: 'an-a01n02', otherXml: second, otherHash: definitionHash(second), chosen: null,
    });
    // Reported again, either side is the same conflict; a third change waits for the settlement.
    expect(await reportDefinition(t.db, N2, 'srv03', { baseVersion: 1, xml: second })).toEqual({ outcome: 'conflict', version: 2, conflictId: c!.id });
    await expect(reportDefinition(t.db, N1, 'srv03', { baseVersion: 2, xml: vcpus(xml, 8) })).rejects.toBeInstanceOf(ConflictError);
    expect((await definitionConflicts(t.db, 'srv03')).length).toBe(1);
    expect((await currentDefinition(t.db, 'srv03'))!.version).toBe(2);
  });

  it('settles a conflict with the side a person chose: a new version defined on both nodes, replacing either side, audited', async () => {
    const [open] = await definitionConflicts(t.db, 'srv03');
    const settled = await settleDefinitionConflict(t.db, operator, 'srv03', open!.id, { choose: 'other' });
    expect(settled.definition).toMatchObject({ version: 3, baseVersion: 2, source: 'settled', reportedBy: 'oli', xml: open!.otherXml });
    expect(settled.conflict).toMatchObject({ state: 'settled', chosen: 'other', settledVersion: 3 });
    const jobs = await defineJobs(settled.jobIds);
    expect(jobs.map((j) => [j.host, j.kind, j.payload.version, j.payload.hash, j.payload.replaces])).toEqual([
      [N1, 'server.define', 3, open!.otherHash, [open!.keptHash, open!.otherHash]],
      [N2, 'server.define', 3, open!.otherHash, [open!.keptHash, open!.otherHash]],
    ]);
    await expect(settleDefinitionConflict(t.db, operator, 'srv03', open!.id, { choose: 'kept' })).rejects.toBeInstanceOf(ConflictError);
    await expect(settleDefinitionConflict(t.db, operator, 'srv03', open!.id, { choose: 'both' })).rejects.toBeInstanceOf(ValidationError);
    const audited = await t.db.query<{ action: string; actor_name: string; details: { chosen?: string; version?: number } }>(
      `SELECT action, actor_name, details FROM audit_log WHERE target_id = 'srv03' ORDER BY at`,
    );
    expect(audited.rows.map((r) => [r.action, r.actor_name])).toEqual([['server.definition.change', 'system'], ['server.definition.conflict', 'system'], ['server.definition.settle', 'oli']]);
    expect(audited.rows[2]!.details).toMatchObject({ chosen: 'other', version: 3 });
    // After the settlement a change against version 3 is taken again.
    expect(await reportDefinition(t.db, N2, 'srv03', { baseVersion: 3, xml: vcpus(open!.otherXml, 3) })).toMatchObject({ outcome: 'accepted', version: 4 });
    const view = await definitionView(t.db, 'srv03');
    expect(view).toMatchObject({ version: 4, source: 'node', reportedBy: 'an-a01n02' });
    expect(view!.history.map((h) => h.version)).toEqual([4, 3, 2, 1]);
    expect(view!.conflicts.map((x) => x.state)).toEqual(['settled']);
  });

  it('keeping the version in force settles without a new version; it is still defined on both nodes', async () => {
    const { xml } = await provisioned('srv04', 3);
    await reportDefinition(t.db, N2, 'srv04', { baseVersion: 1, xml: vcpus(xml, 4) });
    const c = await reportDefinition(t.db, N1, 'srv04', { baseVersion: 1, xml: vcpus(xml, 6) });
    const settled = await settleDefinitionConflict(t.db, systemActor, 'srv04', (c as { conflictId: string }).conflictId, { choose: 'kept' });
    expect(settled.definition.version).toBe(2);
    expect((await defineJobs(settled.jobIds)).map((j) => [j.host, j.payload.version])).toEqual([[N1, 2], [N2, 2]]);
  });

  it('refuses a report from another host, a version ahead, another domain, and a server being deleted takes its definitions along', async () => {
    const { xml } = await provisioned('srv05', 4);
    await expect(reportDefinition(t.db, '52-54-00-00-00-09', 'srv05', { baseVersion: 1, xml: vcpus(xml, 4) })).rejects.toBeInstanceOf(ConflictError);
    await expect(reportDefinition(t.db, N1, 'srv05', { baseVersion: 7, xml: vcpus(xml, 4) })).rejects.toThrow(/ahead/);
    await expect(reportDefinition(t.db, N1, 'srv05', { baseVersion: 1, xml: xml.replace('<name>srv05</name>', '<name>srv01</name>') })).rejects.toThrow(/defines the domain 'srv01'/);
    await t.db.tx((tx) => deleteServer(tx, 'srv05'));
    expect(await currentDefinition(t.db, 'srv05')).toBeUndefined();
  });
});
