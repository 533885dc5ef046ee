/**
 * Servers provisioned before migration 0041 (server definitions) get their version 1: from the
 * `server.provision` job the database still holds (migration 0047, hash normalised when Striker
 * starts), or, when that job is gone, from a node's first report carrying the XML it was
 * provisioned with. Then a node's report is weighed as usual instead of refused (409). On a
 * database migrated to 0040 with the server rows, then to head.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../striker/agent/index.js';
import { ConflictError, ValidationError } from '../../striker/core/errors/index.js';
import { migrate, readMigrations } from '../../striker/db/migrate.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { normaliseVersionOneHashes, reportDefinition } from './definition-actions.js';
import { currentDefinition, definitionVersion } from './definitions-store.js';
import { definitionHash } from './domain-definition.js';
import { renderDomainXml } from './domain-xml.js';

const N1 = '52-54-00-00-00-11';
const N2 = '52-54-00-00-00-12';
const hosts = [
  { key: 'node1', name: 'an-a01n01', hostId: N1, snAddress: '10.101.10.1' },
  { key: 'node2', name: 'an-a01n02', hostId: N2, snAddress: '10.101.10.2' },
];
const vcpus = (xml: string, n: number) => xml.replace(/<vcpu placement='static'>\d+<\/vcpu>/, `<vcpu placement='static'>${n}</vcpu>`);

let t: TestDatabase;
const withJob = { id: randomUUID(), name: 'srv-old', minor: 0 };
const jobGone = { id: randomUUID(), name: 'srv-purged', minor: 1 };
const xmlOf = (s: { id: string; name: string; minor: number }) =>
  renderDomainXml({ name: s.name, uuid: s.id, vcpus: 2, memoryMiB: 1024, disk: `/dev/drbd${s.minor}`, networks: [{ network: 'ifn1' }] });

beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
  await migrate(t.db, quietLogger, readMigrations().filter((m) => m.version <= 40));
  // Two servers provisioned under 0040: the first one's node1 job still holds the domain XML
  // (an older job of another server of the same name before it, not this uuid's), the second one's is purged.
  const provisionJob = randomUUID();
  for (const s of [withJob, jobGone]) {
    await t.db.write(
      `INSERT INTO servers (id, name, anvil, vcpus, memory_mib, disk_gib, os_variant, networks, hosts, drbd_minor, drbd_port, state, running_on, provision_step, provision_host_jobs)
       VALUES ($1, $2, 'an-anvil-01', 2, 1024, 10, 'generic', '[{"network":"ifn1"}]', $3, $4, $5, 'running', 'an-a01n01', 'done', $6)`,
      [s.id, s.name, JSON.stringify(hosts), s.minor, 7788 + 3 * s.minor, s === withJob ? JSON.stringify({ node1: provisionJob, node2: randomUUID() }) : null],
    );
  }
  const payload = (xml: string) => JSON.stringify({ server: withJob.name, action: 'create', role: 'node1', hostName: 'an-a01n01', diskGiB: 10, domainXml: xml, drbdResource: 'resource srv-old {}', drbdDryRun: false });
  await t.db.write(`INSERT INTO jobs (kind, payload, target_host, status, progress, created_at) VALUES ('server.provision', $1, $2, 'succeeded', 100, now() - interval '1 day')`,
    [payload(xmlOf({ ...withJob, id: randomUUID() })), N1]);
  await t.db.write(`INSERT INTO jobs (id, kind, payload, target_host, status, progress) VALUES ($1, 'server.provision', $2, $3, 'succeeded', 100)`, [provisionJob, payload(xmlOf(withJob)), N1]);
  await migrate(t.db, quietLogger);
  for (const id of [N1, N2]) await t.db.tx((tx) => issueCredentialAtRegistration(tx, id, '127.0.0.1'));
});
afterAll(async () => t?.drop());

describe('definitions of servers provisioned before 0041', () => {
  it("gives a server its provisioning job's XML as version 1, with the normalised hash once Striker starts", async () => {
    const xml = xmlOf(withJob);
    const recovered = await definitionVersion(t.db, withJob.name, 1);
    expect(recovered).toMatchObject({ version: 1, source: 'rendered', xml, baseVersion: null });
    expect(recovered!.hash).not.toBe(definitionHash(xml));
    expect(await normaliseVersionOneHashes(t.db)).toEqual([withJob.name]);
    expect((await currentDefinition(t.db, withJob.name))!.hash).toBe(definitionHash(xml));
    expect(await normaliseVersionOneHashes(t.db)).toEqual([]);
    // The server whose job is gone has none yet.
    expect(await currentDefinition(t.db, jobGone.name)).toBeUndefined();
  });

  it("weighs a node's report against the recovered version 1 instead of refusing it", async () => {
    const xml = xmlOf(withJob);
    expect(await reportDefinition(t.db, N2, withJob.name, { baseVersion: 1, xml: xml.replace("unit='MiB'>1024<", "unit='KiB'>1048576<"), baseXml: xml })).toEqual({ outcome: 'unchanged', version: 1 });
    expect(await reportDefinition(t.db, N1, withJob.name, { baseVersion: 1, xml: vcpus(xml, 4), baseXml: xml })).toMatchObject({ outcome: 'accepted', version: 2 });
  });

  it("records version 1 from a node's first report when the job is gone, and a different change from the same base is a conflict", async () => {
    const xml = xmlOf(jobGone);
    await expect(reportDefinition(t.db, N1, jobGone.name, { baseVersion: 1, xml: vcpus(xml, 4) })).rejects.toThrow(ConflictError);
    // Another server's XML as version 1: a 400 naming body.baseXml.
    const refused = await reportDefinition(t.db, N1, jobGone.name, { baseVersion: 1, xml: vcpus(xml, 4), baseXml: xmlOf(withJob) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).problems.map((p) => p.path)).toEqual(['body.baseXml', 'body.baseXml']);
    expect(await currentDefinition(t.db, jobGone.name)).toBeUndefined();
    expect(await reportDefinition(t.db, N1, jobGone.name, { baseVersion: 1, xml: vcpus(xml, 4), baseXml: xml })).toMatchObject({ outcome: 'accepted', version: 2 });
    expect(await definitionVersion(t.db, jobGone.name, 1)).toMatchObject({ xml, hash: definitionHash(xml), source: 'rendered', reportedBy: 'an-a01n01' });
    // The peer's own change from the same provisioned XML is not taken over the first.
    const answer = await reportDefinition(t.db, N2, jobGone.name, { baseVersion: 1, xml: vcpus(xml, 6), baseXml: xml });
    expect(answer).toMatchObject({ outcome: 'conflict', version: 2 });
    expect((await currentDefinition(t.db, jobGone.name))!.xml).toBe(vcpus(xml, 4));
    const audited = await t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY at`, [jobGone.name]);
    expect(audited.rows.map((r) => r.action)).toEqual(['server.definition.recover', 'server.definition.change', 'server.definition.conflict']);
  });
});
