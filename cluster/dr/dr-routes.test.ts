/**
 * The DR API on a real database: 400s naming every bad field with nothing written, linking as a
 * `dr.link` job on the DR host, protection as `dr.protect` jobs on the three hosts (the DR host's
 * waiting for the subnodes') with the re-rendered resource file, unlink refused while a server is
 * protected, the DR host's reports, and a failed host job shown as a failed protection.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../striker/agent/index.js';
import { claimJobs, finishJob, getJob } from '../../striker/jobs/job-store.js';
import { hostIdOfMachine, manifestSchema, sampleManifest } from '../../striker/manifest/index.js';
import { splitSecrets } from '../../striker/manifest/manifest-secrets.js';
import { insertManifest } from '../../striker/manifest/manifest-store.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { getServer, parseServersConfig } from '../servers/index.js';
import { insertServer, updateProvisioning } from '../servers/servers-store.js';
import { recordLinked, recordProtectionDone } from './actions.js';
import { drRoutes, type DrProtectionResponse, type DrStatusResponse } from './dr-routes.js';

let t: TestApp;
let operator: Login;
let viewer: Login;
let node1: string;
let node2: string;
let dr: string;
const servers = parseServersConfig({ volumeGroup: 'vg0', drbdDryRun: true });

type Problems = { error: { details: { problems: { path: string; message: string }[] } } };
const paths = (body: unknown) => (body as Problems).error.details.problems.map((p) => p.path).sort();

async function addServer(name: string, minor: number, port: number) {
  await insertServer(t.t.db, {
    id: randomUUID(), name, anvil: 'an-anvil-01', vcpus: 1, memoryMiB: 512, diskGiB: 4, installIso: null, driverIso: null, osVariant: 'generic', networks: [],
    hosts: [{ key: 'node1', name: 'an-a01n01', hostId: node1, snAddress: '10.101.10.1' }, { key: 'node2', name: 'an-a01n02', hostId: node2, snAddress: '10.101.10.2' }],
    drbdMinor: minor, drbdPort: port, preferredNode: 'node1', liveMigration: true,
  });
  await updateProvisioning(t.t.db, name, { step: 'done', state: 'running' });
}

beforeAll(async () => {
  const database = await createTestDatabase();
  t = await createTestApp({ plugins: [(app) => drRoutes(app, { db: database.db, servers })] }, database);
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [operator, viewer] = [await loginAs(t, 'oli'), await loginAs(t, 'vic')];
  const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
  await insertManifest(database.db, { name: 'an-anvil-01', sequence: 1, document });
  node1 = hostIdOfMachine(document.hosts.node1.machine);
  node2 = hostIdOfMachine(document.hosts.node2.machine);
  dr = hostIdOfMachine(document.hosts.dr!.machine);
  for (const id of [node1, node2, dr]) await database.db.tx((tx) => issueCredentialAtRegistration(tx, id, '127.0.0.1'));
  await addServer('srv01', 0, 7788);
  await addServer('srv02', 1, 7791);
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, who: Login = operator) => t.app.inject({ method: 'POST', url, headers: who.headers, payload: payload as object });
const status = async () => (await t.app.inject({ method: 'GET', url: '/api/dr/status', headers: viewer.headers })).json() as DrStatusResponse;

async function agentRuns(hostId: string, kind: string, outcome: 'succeeded' | 'failed' = 'succeeded') {
  const [job] = await claimJobs(t.t.db, { workerId: `agent-${hostId}`, kinds: [kind], targetHost: hostId, limit: 1 });
  if (job === undefined) throw new Error(`no ${kind} job for ${hostId}`);
  await finishJob(t.t.db, job.id, `agent-${hostId}`, outcome === 'succeeded' ? { kind: 'succeeded' } : { kind: 'failed', error: 'drbdadm: metadata on /dev/vg0/srv02_0 is in use', retryAfterSeconds: null });
  return job;
}

describe('DR API', () => {
  it('refuses a bad link with a 400 naming every field, and writes nothing', async () => {
    const res = await post('/api/dr/link', { anvil: 'an-anvil-07', protocol: 'B', mode: 'boot-sync-shutdown', schedule: '61 * * * *' });
    expect(res.statusCode).toBe(400);
    expect(paths(res.json())).toEqual(['body.protocol', 'body.schedule']);
    const missing = await post('/api/dr/link', { anvil: 'an-anvil-01', protocol: 'A', mode: 'boot-sync-shutdown' });
    expect(missing.statusCode).toBe(400);
    expect(paths(missing.json())).toEqual(['body.schedule']);
    const noPair = await post('/api/dr/link', { anvil: 'an-anvil-07', protocol: 'A' });
    expect(noPair.statusCode).toBe(400);
    expect((noPair.json() as Problems).error.details.problems).toEqual([{ path: 'body.anvil', message: "names no pair: no install manifest is called 'an-anvil-07'" }]);
    expect((await post('/api/dr/link', { anvil: 'an-anvil-01', protocol: 'A' }, viewer)).statusCode).toBe(403);
    expect((await status()).links).toEqual([]);
    expect((await status()).unlinked).toEqual([{ anvil: 'an-anvil-01', drHost: 'an-a01dr01' }]);
  });

  it('refuses to protect a server of an unlinked pair (409), and a bad server name (400)', async () => {
    expect((await post('/api/dr/protect', { server: 'srv01' })).statusCode).toBe(409);
    const bad = await post('/api/dr/protect', { server: '1 bad', extra: true });
    expect(bad.statusCode).toBe(400);
    expect(paths(bad.json())).toEqual(['body.extra', 'body.server']);
    expect((await post('/api/dr/protect', { server: 'srv99' })).statusCode).toBe(404);
  });

  it('links the DR host through a dr.link job on it; the agent reports it linked', async () => {
    const res = await post('/api/dr/link', { anvil: 'an-anvil-01', protocol: 'A', mode: 'boot-sync-shutdown', schedule: '0 2 * * *' });
    expect(res.statusCode).toBe(202);
    const { jobId } = res.json() as { jobId: string };
    const job = await getJob(t.t.db, jobId);
    expect(job).toMatchObject({ kind: 'dr.link', targetHost: dr, status: 'queued', heldReason: null });
    expect(job.payload).toMatchObject({ anvilName: 'an-anvil-01', hostName: 'an-a01dr01', nodes: [{ hostName: 'an-a01n01' }, { hostName: 'an-a01n02' }] });
    expect((await status()).links[0]!.link).toMatchObject({ anvil: 'an-anvil-01', drHost: 'an-a01dr01', drSnAddress: '10.101.10.3', protocol: 'A', mode: 'boot-sync-shutdown', schedule: '0 2 * * *', state: 'linking' });
    expect((await post('/api/dr/link', { anvil: 'an-anvil-01', protocol: 'C' })).statusCode).toBe(409);
    await expect(recordLinked(t.t.db, node1, 'an-anvil-01')).rejects.toThrow(/is not the DR host of an-anvil-01/);
    await recordLinked(t.t.db, dr, 'an-anvil-01');
    expect((await status()).links[0]!.link.state).toBe('linked');
    expect((await status()).unlinked).toEqual([]);
  });

  it('protects a server: dr.protect on both subnodes, then on the DR host, with the resource re-rendered with the DR peer', async () => {
    const res = await post('/api/dr/protect', { server: 'srv01' });
    expect(res.statusCode).toBe(202);
    const { protection, jobs } = res.json() as DrProtectionResponse;
    expect(protection).toMatchObject({ serverName: 'srv01', state: 'protecting', protectedSince: null });
    const [j1, j2, jd] = await Promise.all([getJob(t.t.db, jobs.node1), getJob(t.t.db, jobs.node2), getJob(t.t.db, jobs.dr)]);
    expect([j1.targetHost, j2.targetHost, jd.targetHost]).toEqual([node1, node2, dr]);
    expect([j1.kind, j2.kind, jd.kind]).toEqual(['dr.protect', 'dr.protect', 'dr.protect']);
    expect([...jd.waitsFor].sort()).toEqual([jobs.node1, jobs.node2].sort());
    const file = (j1.payload as { drbdResource: string }).drbdResource;
    expect((j2.payload as { drbdResource: string }).drbdResource).toBe(file);
    expect(file).toContain('on an-a01dr01 { node-id 2; }');
    expect(file).toContain('host an-a01dr01 address ipv4 10.101.10.3:7789;');
    expect(file).toContain('host an-a01dr01 address ipv4 10.101.10.3:7790;');
    expect(file.match(/protocol A;/g)).toHaveLength(2);
    expect(file.match(/fencing dont-care;/g)).toHaveLength(2);
    expect(jd.payload).toMatchObject({ role: 'dr', hostName: 'an-a01dr01', drbdDryRun: true, volume: { diskGiB: 4, storage: { kind: 'lvm', volumeGroup: 'vg0' } } });
    expect((await getServer(t.t.db, 'srv01')).hosts.map((h) => h.name)).toEqual(['an-a01n01', 'an-a01n02', 'an-a01dr01']);
    expect((await post('/api/dr/protect', { server: 'srv01' })).statusCode).toBe(409);
    // The agents run them (the DR host's once both subnodes' are done), and the DR host's report ends it.
    for (const host of [node1, node2, dr]) await agentRuns(host, 'dr.protect');
    await recordProtectionDone(t.t.db, dr, 'srv01', 'protect');
    const p = (await status()).links[0]!.protections[0]!;
    expect(p.state).toBe('protected');
    expect(p.protectedSince).not.toBeNull();
  });

  it('refuses to unlink while a server is protected (409 naming it)', async () => {
    const res = await post('/api/dr/unlink', { anvil: 'an-anvil-01' });
    expect(res.statusCode).toBe(409);
    expect((res.json() as { error: { message: string } }).error.message).toContain('srv01 protected');
    expect((await status()).links).toHaveLength(1);
  });

  it('shows a protection whose host job failed as failed, with the reason', async () => {
    const { jobs } = (await post('/api/dr/protect', { server: 'srv02' })).json() as DrProtectionResponse;
    await agentRuns(node2, 'dr.protect', 'failed');
    const p = (await status()).links[0]!.protections.find((x) => x.serverName === 'srv02')!;
    expect(p.state).toBe('failed');
    // The DR host's job waited for node2's, so it ended with it.
    expect(p.error).toBe(`protecting failed: node2: drbdadm: metadata on /dev/vg0/srv02_0 is in use; dr: because job dr.protect ${jobs.node2} failed`);
  });

  it('unprotects: dr.unprotect with the pair-only file on the subnodes, then the DR host; unlink then succeeds', async () => {
    const res = await post('/api/dr/unprotect', { server: 'srv01' });
    expect(res.statusCode).toBe(202);
    const { jobs } = res.json() as DrProtectionResponse;
    const [j1, jd] = await Promise.all([getJob(t.t.db, jobs.node1), getJob(t.t.db, jobs.dr)]);
    expect(j1.kind).toBe('dr.unprotect');
    expect((j1.payload as { drbdResource: string }).drbdResource).not.toContain('an-a01dr01');
    expect(jd.payload).not.toHaveProperty('drbdResource');
    await recordProtectionDone(t.t.db, dr, 'srv01', 'unprotect');
    expect((await getServer(t.t.db, 'srv01')).hosts.map((h) => h.name)).toEqual(['an-a01n01', 'an-a01n02']);
    // srv02's failed protection still holds the link.
    expect((await post('/api/dr/unlink', { anvil: 'an-anvil-01' })).statusCode).toBe(409);
    const again = await post('/api/dr/unprotect', { server: 'srv02' });
    expect(again.statusCode).toBe(202);
    await recordProtectionDone(t.t.db, dr, 'srv02', 'unprotect');
    const ok = await post('/api/dr/unlink', { anvil: 'an-anvil-01' });
    expect(ok.statusCode).toBe(200);
    expect((await status()).links).toEqual([]);
  });
});
