/**
 * The servers API on a real database: a 400 naming every bad field with nothing written, a created
 * server listed with its provisioning job, the `server.create` job following its host jobs to the
 * end (and rolling the other node back when one fails), and actions as host jobs.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../striker/agent/index.js';
import { catalogOf } from '../../striker/jobs/job-kind.js';
import type { JobContext } from '../../striker/jobs/job-kind.js';
import { claimJobs, finishJob, getJob } from '../../striker/jobs/job-store.js';
import { hostIdOfMachine, manifestSchema, sampleManifest } from '../../striker/manifest/index.js';
import { splitSecrets } from '../../striker/manifest/manifest-secrets.js';
import { insertManifest } from '../../striker/manifest/manifest-store.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { recordMigration } from './actions.js';
import { serverCreateJobKind } from './provision-job.js';
import { parseServersConfig } from './servers-config.js';
import { serversRoutes, type ServerJobResponse, type ServerListResponse } from './servers-routes.js';
import { getServer, updateRunState } from './servers-store.js';

let t: TestApp;
let operator: Login;
let viewer: Login;
let node1: string;
let node2: string;
const config = parseServersConfig({ pollSeconds: 0.05, volumeGroup: 'vg0' });
let kind: ReturnType<typeof serverCreateJobKind>;

beforeAll(async () => {
  const database = await createTestDatabase();
  kind = serverCreateJobKind({ db: database.db, config });
  const catalog = catalogOf([kind]);
  t = await createTestApp({ catalog, plugins: [(app) => serversRoutes(app, { db: database.db, catalog })] }, database);
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [operator, viewer] = [await loginAs(t, 'oli'), await loginAs(t, 'vic')];
  const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
  await insertManifest(database.db, { name: 'an-anvil-01', sequence: 1, document });
  node1 = hostIdOfMachine(document.hosts.node1.machine);
  node2 = hostIdOfMachine(document.hosts.node2.machine);
  for (const id of [node1, node2]) await database.db.tx((tx) => issueCredentialAtRegistration(tx, id, '127.0.0.1'));
});
afterAll(async () => t.close());

const request = (over: Record<string, unknown> = {}) => ({
  name: 'srv01', anvil: 'an-anvil-01', vcpus: 2, memoryMiB: 2048, diskGiB: 20, installIso: '/mnt/shared/files/rhel.iso',
  osVariant: 'rhel9.4', networks: [{ network: 'ifn1' }, { network: 'bcn1' }], ...over,
});

function jobContext(jobId: string, name: string) {
  const ctx: JobContext<{ name: string }> = {
    job: { id: jobId } as JobContext<{ name: string }>['job'], payload: { name }, signal: new AbortController().signal, logger: pino({ level: 'silent' }),
    progress: async () => undefined, nothingChanged: () => undefined, note: async () => undefined, checkpoint: () => undefined,
  };
  return ctx;
}

/** What an agent does: claims its host's server.provision job and ends it. */
async function agentFinishes(hostId: string, outcome: 'succeeded' | 'failed', kinds = ['server.provision']) {
  for (let i = 0; i < 200; i++) {
    const [job] = await claimJobs(t.t.db, { workerId: `agent-${hostId}`, kinds, targetHost: hostId, limit: 1 });
    if (job !== undefined) {
      await finishJob(t.t.db, job.id, `agent-${hostId}`, outcome === 'succeeded' ? { kind: 'succeeded' } : { kind: 'failed', error: 'lvcreate: Volume group "vg0" not found', retryAfterSeconds: null });
      return job;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no job for ${hostId}`);
}

describe('servers API', () => {
  it('refuses a bad request with a 400 naming every field, and writes nothing', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/servers', headers: operator.headers,
      payload: request({ name: '1 bad', anvil: 'an-anvil-07', vcpus: 0, memoryMiB: 'lots', osVariant: 'beos', installIso: 'rhel.iso' }),
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json() as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path).sort();
    expect(paths).toEqual(['body.anvil', 'body.installIso', 'body.memoryMiB', 'body.name', 'body.osVariant', 'body.vcpus']);
    const bridges = await t.app.inject({ method: 'POST', url: '/api/servers', headers: operator.headers, payload: request({ networks: [{ network: 'ifn7' }] }) });
    expect(bridges.statusCode).toBe(400);
    expect(bridges.json().error.details.problems).toEqual([{ path: 'body.networks.0.network', message: expect.stringContaining('is not a network of an-anvil-01') }]);
    expect(((await t.app.inject({ method: 'GET', url: '/api/servers', headers: viewer.headers })).json() as ServerListResponse).servers).toEqual([]);
  });

  it('a viewer may not create', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/servers', headers: viewer.headers, payload: request() })).statusCode).toBe(403);
  });

  it('creates a server: allocated, stored, listed with its provisioning job; the job provisions node2, then node1', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/servers', headers: operator.headers, payload: request() });
    expect(res.statusCode).toBe(202);
    const { server, jobId } = res.json() as ServerJobResponse;
    expect(server).toMatchObject({ name: 'srv01', anvil: 'an-anvil-01', drbdMinor: 0, drbdPort: 7788, state: 'provisioning', provisionStep: 'allocated', provisionJob: jobId });
    expect((await getJob(t.t.db, jobId)).kind).toBe('server.create');
    const list = (await t.app.inject({ method: 'GET', url: '/api/servers', headers: viewer.headers })).json() as ServerListResponse;
    expect(list.servers.map((s) => [s.name, s.provisionJob])).toEqual([['srv01', jobId]]);

    const again = await t.app.inject({ method: 'POST', url: '/api/servers', headers: operator.headers, payload: request({ name: 'SRV01' }) });
    expect(again.json().error.details.problems).toEqual([{ path: 'body.name', message: 'is already used by server srv01' }]);

    const run = kind.run(jobContext(jobId, 'srv01'));
    const second = await agentFinishes(node2, 'succeeded');
    expect(second.payload).toMatchObject({ server: 'srv01', action: 'create', role: 'node2', storage: { kind: 'lvm', volumeGroup: 'vg0' } });
    expect((second.payload as { drbdResource: string }).drbdResource).toContain('address ipv4 10.101.10.2:7788;');
    const first = await agentFinishes(node1, 'succeeded');
    expect(first.waitsFor).toEqual([second.id]);
    // The sample pair has no MN: no migration addresses, the agent reaches the peer by its name.
    expect(first.payload).toMatchObject({ role: 'node1', pacemaker: { liveMigration: true, preferredNode: 'an-a01n01', migrationHosts: [] } });
    await run;
    expect(await getServer(t.t.db, 'srv01')).toMatchObject({ provisionStep: 'done', state: 'starting', provisionHostJobs: { node1: first.id, node2: second.id } });
    // A second run finds it done.
    await kind.run(jobContext(jobId, 'srv01'));
  });

  it('a failure on node1 removes what node2 made, and the server says it was rolled back', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/servers', headers: operator.headers, payload: request({ name: 'srv02' }) });
    const { server, jobId } = res.json() as ServerJobResponse;
    expect([server.drbdMinor, server.drbdPort]).toEqual([1, 7791]);
    const run = kind.run(jobContext(jobId, 'srv02'));
    const failing = expect(run).rejects.toThrow('provisioning failed on an-a01n01: lvcreate: Volume group "vg0" not found; rolled back on an-a01n01 (by its own job) and an-a01n02');
    await agentFinishes(node2, 'succeeded');
    await agentFinishes(node1, 'failed');
    const removal = await agentFinishes(node2, 'succeeded');
    expect(removal.payload).toMatchObject({ server: 'srv02', action: 'remove', role: 'node2' });
    await failing;
    expect(await getServer(t.t.db, 'srv02')).toMatchObject({ state: 'provision-failed', provisionStep: 'rolled-back', provisionError: expect.stringContaining('rolled back') });
  });

  it('actions: migrate to the peer and stop as host jobs on the node it runs on; start on the preferred node', async () => {
    const notYet = await t.app.inject({ method: 'POST', url: '/api/servers/srv02/actions', headers: operator.headers, payload: { action: 'start' } });
    expect(notYet.statusCode).toBe(409);
    const bad = await t.app.inject({ method: 'POST', url: '/api/servers/srv01/actions', headers: operator.headers, payload: { action: 'dance' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.problems[0].path).toBe('body.action');
    const start = await t.app.inject({ method: 'POST', url: '/api/servers/srv01/actions', headers: operator.headers, payload: { action: 'start' } });
    expect(start.statusCode).toBe(202);
    const startJob = await getJob(t.t.db, (start.json() as ServerJobResponse).jobId);
    expect([startJob.kind, startJob.targetHost, startJob.payload]).toEqual(['servers.start', node1, { servers: ['srv01'] }]);

    await updateRunState(t.t.db, 'srv01', 'running', 'an-a01n01');
    const wrongNode = await t.app.inject({ method: 'POST', url: '/api/servers/srv01/actions', headers: operator.headers, payload: { action: 'migrate', to: 'an-a09n01' } });
    expect(wrongNode.statusCode).toBe(400);
    expect(wrongNode.json().error.details.problems[0].path).toBe('body.to');
    const migrate = await t.app.inject({ method: 'POST', url: '/api/servers/srv01/actions', headers: operator.headers, payload: { action: 'migrate' } });
    expect(migrate.statusCode).toBe(202);
    const migrateJob = await getJob(t.t.db, (migrate.json() as ServerJobResponse).jobId);
    expect([migrateJob.kind, migrateJob.targetHost, migrateJob.payload]).toEqual(['servers.migrate', node1, { servers: ['srv01'], to: 'an-a01n02' }]);
    expect((migrate.json() as ServerJobResponse).server.state).toBe('migrating');

    const stop = await t.app.inject({ method: 'POST', url: '/api/servers/srv01/actions', headers: operator.headers, payload: { action: 'stop', reason: 'maintenance' } });
    const stopJob = await getJob(t.t.db, (stop.json() as ServerJobResponse).jobId);
    expect([stopJob.kind, stopJob.targetHost, stopJob.payload]).toEqual(['servers.stop', node1, { servers: ['srv01'], reason: 'maintenance' }]);
    const one = await t.app.inject({ method: 'GET', url: '/api/servers/srv01', headers: viewer.headers });
    expect(one.json()).toMatchObject({ server: { name: 'srv01', state: 'stopping', runningOn: 'an-a01n01' }, migrations: [] });
    expect((await t.app.inject({ method: 'GET', url: '/api/servers/nope', headers: viewer.headers })).statusCode).toBe(404);
  });

  it('records a migration a node of the pair reports; refuses another host and a bad report', async () => {
    const report = { fromNode: 'an-a01n01', toNode: 'an-a01n02', kind: 'live', outcome: 'succeeded', startedAt: '2026-12-06T15:00:00Z', durationMs: 2100, downtimeMs: 240 };
    await expect(recordMigration(t.t.db, '52-54-00-99-99-99', 'srv01', report)).rejects.toThrow('host 52-54-00-99-99-99 is not a node of an-anvil-01');
    await expect(recordMigration(t.t.db, node2, 'srv01', { ...report, durationMs: -1 })).rejects.toThrow(/body\.durationMs/);
    await recordMigration(t.t.db, node2, 'srv01', report);
    const one = await t.app.inject({ method: 'GET', url: '/api/servers/srv01', headers: viewer.headers });
    expect(one.json().migrations).toMatchObject([{ fromNode: 'an-a01n01', toNode: 'an-a01n02', kind: 'live', durationMs: 2100, downtimeMs: 240 }]);
  });
});
