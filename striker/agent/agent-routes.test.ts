/**
 * The agent API and the hosts API on a real database: every refusal answers a clear error,
 * leaves an audit row and changes nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-store.js';
import { createApiToken } from '../auth/actions.js';
import { findUserByName } from '../auth/user-store.js';
import { JobEvents } from '../events/job-events.js';
import { claimJobs, getJob, insertJob, reapStaleJobs, requestCancel } from '../jobs/job-store.js';
import { addUser, createTestApp, type TestApp } from '../../test/support/test-app.js';
import { quietLogger } from '../../test/support/test-database.js';
import { enqueueHostJob } from './actions.js';
import { agentArea, type AgentArea } from './agent-area.js';
import type { Inventory } from './inventory-schema.js';

const hostA = '52-54-00-00-0a-01';
const hostB = '52-54-00-00-0a-02';
const instance = 'inst-aaaa-0001';

let t: TestApp;
let area: AgentArea;
let events: JobEvents;
let credA: string;
let credB: string;
let adminToken: string;

const inventory: Inventory = {
  systemUuid: '4c4c4544-0034-3510-8052-b4c04f4e4d32',
  hostName: 'an-a01n01',
  cpu: { model: 'AMD EPYC', count: 2 },
  memoryBytes: 8 * 2 ** 30,
  disks: [{ name: 'vda', path: '/dev/vda', type: 'disk', sizeBytes: 2 ** 34, model: null, serial: null, rotational: true, removable: false, children: [] }],
  nics: [{ name: 'eth0', mac: '52:54:00:00:0a:01', operstate: 'up', speedMbps: 1000, kind: 'physical', master: null, members: [] }],
};

const call = (cred: string | undefined, url: string, payload?: unknown, method: 'POST' | 'GET' = 'POST') =>
  t.app.inject({ method, url, headers: cred === undefined ? {} : { authorization: `Bearer ${cred}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

/** A host's registration as kickstart makes it: the credential issued in a transaction. */
const register = (hostId: string, peerIp: string) => t.t.db.tx((tx) => area.onRegistered(tx, hostId, peerIp));

async function auditRows(action: string): Promise<{ target_id: string; details: Record<string, unknown> }[]> {
  return (await t.t.db.query<{ target_id: string; details: Record<string, unknown> }>(`SELECT target_id, details FROM audit_log WHERE action = $1 ORDER BY at`, [action])).rows;
}

beforeAll(async () => {
  const database = await (await import('../../test/support/test-database.js')).createTestDatabase();
  events = new JobEvents(database.db, quietLogger);
  await events.start();
  area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  t = await createTestApp({ agentCredentials: area.credentialCheck, hostJobKinds: area.hostJobKinds, events, plugins: [(app) => area.plugin(app, events)] }, database);
  credA = (await register(hostA, '10.201.10.1')).credential;
  credB = (await register(hostB, '10.201.10.2')).credential;
  await addUser(t, 'admin', 'admin');
  const admin = (await findUserByName(t.t.db, 'admin'))!;
  adminToken = (await createApiToken(t.t.db, systemActor, admin.id, { name: 'test' })).token;
  for (const cred of [credA, credB]) expect((await call(cred, '/api/agent/hello', { instanceId: instance, version: '0.1.0', strikerUrl: 'http://s1' })).statusCode).toBe(200);
});

afterAll(async () => {
  await events.close();
  await t.close();
});

describe('credentials', () => {
  it('registration answers the content of agent-credentials.json and a new registration revokes the old credential', async () => {
    const first = await register('52-54-00-00-0a-09', '10.201.10.9');
    expect(Object.keys(first).sort()).toEqual(['credential', 'credentialId', 'hostId', 'issuedAt']);
    expect(first.credential).toMatch(/^sta_[A-Za-z0-9_-]{43}$/);
    const stored = await t.t.db.query<{ secret_hash: string }>(`SELECT secret_hash FROM agent_credentials WHERE id = $1`, [first.credentialId]);
    expect(stored.rows[0]!.secret_hash).not.toContain(first.credential.slice(4));
    const second = await register('52-54-00-00-0a-09', '10.201.10.9');
    const old = await call(first.credential, '/api/agent/hello', { instanceId: instance, version: '1', strikerUrl: 'http://s1' });
    expect(old.statusCode).toBe(401);
    expect(old.json().error.message).toBe('the agent credential is unknown or revoked; register the host again');
    expect((await call(second.credential, '/api/agent/hello', { instanceId: instance, version: '1', strikerUrl: 'http://s1' })).statusCode).toBe(200);
    const issued = (await auditRows('agent.credential.issue')).filter((r) => r.target_id === '52-54-00-00-0a-09');
    expect(issued).toHaveLength(2);
    const revoked = (await auditRows('agent.credential.revoke')).filter((r) => r.target_id === '52-54-00-00-0a-09');
    expect(revoked.map((r) => r.details)).toEqual([{ credentialId: first.credentialId, reason: 'registration' }]);
  });

  it('refuses a forged credential with 401 and an audit row', async () => {
    const before = (await auditRows('agent.refused')).length;
    const res = await call(`sta_${'Z'.repeat(43)}`, '/api/agent/heartbeat', { instanceId: instance, strikerUrl: 'x', jobIds: [] });
    expect(res.statusCode).toBe(401);
    const rows = await auditRows('agent.refused');
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.details).toMatchObject({ refusal: 'unknown-credential', route: '/api/agent/heartbeat' });
  });

  it('lets an agent credential call /api/agent/* only, and no user credential call those', async () => {
    const res = await call(credA, '/api/jobs', undefined, 'GET');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toBe('an agent credential may only call /api/agent/* routes');
    expect((await auditRows('agent.refused')).at(-1)!.details).toMatchObject({ refusal: 'not-agent-route', route: '/api/jobs' });
    const user = await call(adminToken, '/api/agent/hello', { instanceId: instance, version: '1', strikerUrl: 'x' });
    expect(user.statusCode).toBe(403);
    expect((await call(undefined, '/api/agent/hello', {})).statusCode).toBe(401);
  });

  it('revokes and rotates from the hosts API (admins), with audit rows', async () => {
    const host = '52-54-00-00-0a-07';
    const issued = await register(host, '10.201.10.7');
    const rotated = await call(adminToken, `/api/hosts/${host}/rotate`);
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json() as { credential: string; hostId: string };
    expect(fresh.hostId).toBe(host);
    expect((await call(issued.credential, '/api/agent/hello', { instanceId: instance, version: '1', strikerUrl: 'x' })).statusCode).toBe(401);
    expect((await call(fresh.credential, '/api/agent/hello', { instanceId: instance, version: '1', strikerUrl: 'x' })).statusCode).toBe(200);
    expect((await call(adminToken, `/api/hosts/${host}/revoke`)).statusCode).toBe(200);
    expect((await call(fresh.credential, '/api/agent/hello', { instanceId: instance, version: '1', strikerUrl: 'x' })).statusCode).toBe(401);
    expect((await auditRows('agent.credential.rotate')).filter((r) => r.target_id === host)).toHaveLength(1);
    expect((await auditRows('agent.credential.revoke')).filter((r) => r.target_id === host).map((r) => r.details.reason)).toEqual(['rotation', 'revoked']);
    const again = await call(adminToken, `/api/hosts/${host}/revoke`);
    expect(again.statusCode).toBe(404);
  });
});

describe('host jobs', () => {
  it('an agent claims only its own host\'s jobs, and Striker\'s runner never claims a host job', async () => {
    const a = await enqueueHostJob(t.t.db, systemActor, { hostId: hostA, kind: 'host.run-checks', payload: {} });
    const b = await enqueueHostJob(t.t.db, systemActor, { hostId: hostB, kind: 'host.run-checks', payload: {} });
    expect(await claimJobs(t.t.db, { workerId: 'striker', kinds: ['host.run-checks'], targetHost: null, limit: 10 })).toEqual([]);
    const claimed = await call(credA, '/api/agent/jobs/claim', { instanceId: instance, limit: 5, waitSeconds: 0 });
    expect(claimed.json().jobs.map((j: { id: string }) => j.id)).toEqual([a.id]);
    expect((await getJob(t.t.db, b.id)).status).toBe('queued');

    // Reporting on another host's job is refused, audited, and leaves the job as it was.
    const progress = await call(credA, `/api/agent/jobs/${b.id}/progress`, { instanceId: instance, progress: 50 });
    expect(progress.statusCode).toBe(403);
    expect(progress.json().error.message).toBe(`job ${b.id} is not addressed to this host (${hostA})`);
    const finish = await call(credA, `/api/agent/jobs/${b.id}/finish`, { instanceId: instance, outcome: { kind: 'succeeded' } });
    expect(finish.statusCode).toBe(403);
    const hb = await call(credA, '/api/agent/heartbeat', { instanceId: instance, strikerUrl: 'x', jobIds: [b.id] });
    expect(hb.statusCode).toBe(403);
    expect((await auditRows('agent.refused')).filter((r) => r.details.refusal === 'other-host-job' && r.details.jobId === b.id)).toHaveLength(3);
    const after = await getJob(t.t.db, b.id);
    expect([after.status, after.progress, after.workerId]).toEqual(['queued', 0, null]);

    // The claimed job: progress never goes backwards, and it finishes.
    expect((await call(credA, `/api/agent/jobs/${a.id}/progress`, { instanceId: instance, progress: 60, message: 'half' })).json()).toEqual({ held: true });
    await call(credA, `/api/agent/jobs/${a.id}/progress`, { instanceId: instance, progress: 20 });
    expect((await getJob(t.t.db, a.id)).progress).toBe(60);
    expect((await call(credA, `/api/agent/jobs/${a.id}/progress`, { instanceId: instance, progress: 100 })).statusCode).toBe(400);
    expect((await call(credA, `/api/agent/jobs/${a.id}/finish`, { instanceId: instance, outcome: { kind: 'succeeded' } })).json()).toEqual({ held: true });
    expect((await getJob(t.t.db, a.id)).status).toBe('succeeded');
    // Striker's runner takes B's job off nobody: it is still there for B's agent.
    const forB = await call(credB, '/api/agent/jobs/claim', { instanceId: instance, waitSeconds: 0 });
    expect(forB.json().jobs.map((j: { id: string }) => j.id)).toEqual([b.id]);
    await call(credB, `/api/agent/jobs/${b.id}/finish`, { instanceId: instance, outcome: { kind: 'succeeded' } });
  });

  it('never hands an agent a job with no target host (Striker\'s), whatever its kind', async () => {
    const strikers = await insertJob(t.t.db, { kind: 'host.inventory', payload: {}, maxAttempts: 1, retryOnStale: false });
    const res = await call(credA, '/api/agent/jobs/claim', { instanceId: instance, waitSeconds: 0, limit: 16 });
    expect(res.json().jobs).toEqual([]);
    expect((await getJob(t.t.db, strikers.id)).status).toBe('queued');
    await t.t.db.write(`DELETE FROM jobs WHERE id = $1`, [strikers.id]);
  });

  it('answers a held claim as soon as a job for the host is queued', async () => {
    const pending = call(credA, '/api/agent/jobs/claim', { instanceId: instance, waitSeconds: 30 });
    // The claim is held: nothing queued for host A. Queue one for B first (it must not wake A with B's job).
    await new Promise((r) => setTimeout(r, 300));
    await enqueueHostJob(t.t.db, systemActor, { hostId: hostB, kind: 'host.inventory', payload: {} });
    const job = await enqueueHostJob(t.t.db, systemActor, { hostId: hostA, kind: 'host.inventory', payload: {} });
    const res = await pending;
    expect(res.json().jobs.map((j: { id: string }) => j.id)).toEqual([job.id]);
    await call(credA, `/api/agent/jobs/${job.id}/finish`, { instanceId: instance, outcome: { kind: 'succeeded' } });
    const forB = await call(credB, '/api/agent/jobs/claim', { instanceId: instance, waitSeconds: 0 });
    for (const j of forB.json().jobs as { id: string }[]) await call(credB, `/api/agent/jobs/${j.id}/finish`, { instanceId: instance, outcome: { kind: 'succeeded' } });
  });

  it('answers a held claim 401 as soon as its credential is revoked', async () => {
    const host = '52-54-00-00-0a-0b';
    const issued = await register(host, '10.201.10.11');
    expect((await call(issued.credential, '/api/agent/hello', { instanceId: instance, version: '1', strikerUrl: 'x' })).statusCode).toBe(200);
    const pending = call(issued.credential, '/api/agent/jobs/claim', { instanceId: instance, waitSeconds: 60 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await call(adminToken, `/api/hosts/${host}/revoke`)).statusCode).toBe(200);
    const res = await pending;
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('the agent credential was revoked; register the host again');
  });

  it('tells the agent through its heartbeat that a job was cancelled, and a reaped job is no longer the old run\'s', async () => {
    const job = await enqueueHostJob(t.t.db, systemActor, { hostId: hostA, kind: 'host.inventory', payload: {} });
    await call(credA, '/api/agent/jobs/claim', { instanceId: instance, waitSeconds: 0 });
    await requestCancel(t.t.db, job.id);
    const hb = await call(credA, '/api/agent/heartbeat', { instanceId: instance, strikerUrl: 'http://s2', jobIds: [job.id] });
    expect(hb.json()).toEqual({ jobs: [{ id: job.id, held: true, cancelRequested: true }] });
    await call(credA, `/api/agent/jobs/${job.id}/finish`, { instanceId: instance, outcome: { kind: 'cancelled' } });
    expect((await getJob(t.t.db, job.id)).status).toBe('cancelled');

    const stale = await enqueueHostJob(t.t.db, systemActor, { hostId: hostA, kind: 'host.inventory', payload: {} });
    await call(credA, '/api/agent/jobs/claim', { instanceId: instance, waitSeconds: 0 });
    await t.t.db.write(`UPDATE jobs SET heartbeat_at = heartbeat_at - interval '1 hour' WHERE id = $1`, [stale.id]);
    await reapStaleJobs(t.t.db, 30);
    expect((await getJob(t.t.db, stale.id)).status).toBe('queued');
    expect((await call(credA, `/api/agent/jobs/${stale.id}/finish`, { instanceId: instance, outcome: { kind: 'succeeded' } })).json()).toEqual({ held: false });
    const next = await call(credA, '/api/agent/jobs/claim', { instanceId: 'inst-aaaa-0002', waitSeconds: 0 });
    expect(next.json().jobs).toMatchObject([{ id: stale.id, attempts: 2 }]);
    await call(credA, `/api/agent/jobs/${stale.id}/finish`, { instanceId: 'inst-aaaa-0002', outcome: { kind: 'succeeded' } });
  });

  it('refuses a host job whose payload is invalid, naming the field, with an audit row and no job', async () => {
    const count = async () => Number((await t.t.db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs`)).rows[0]!.n);
    const before = await count();
    const res = await call(adminToken, `/api/hosts/${hostA}/jobs`, { kind: 'host.reboot', payload: { reason: 'x'.repeat(300), force: true } });
    expect(res.statusCode).toBe(400);
    const problems = res.json().error.details.problems as { path: string }[];
    expect(problems.map((p) => p.path).sort()).toEqual(['body.payload.force', 'body.payload.reason']);
    const unknown = await call(adminToken, `/api/hosts/${hostA}/jobs`, { kind: 'host.format-disks' });
    expect(unknown.json().error.details.problems[0].path).toBe('body.kind');
    expect(await count()).toBe(before);
    expect((await auditRows('job.enqueue.refused')).filter((r) => r.target_id === hostA)).toHaveLength(2);
    const ok = await call(adminToken, `/api/hosts/${hostA}/jobs`, { kind: 'host.reboot', payload: { reason: 'maintenance' } });
    expect(ok.json().job).toMatchObject({ kind: 'host.reboot', targetHost: hostA, status: 'queued' });
    await t.t.db.write(`DELETE FROM jobs WHERE id = $1`, [ok.json().job.id]);
  });

  it('refuses a host id that is not one (CR, odd UTF-8) with 400 naming params.hostId and the body\'s problems, audited as (invalid)', async () => {
    const before = (await auditRows('job.enqueue.refused')).length;
    const res = await call(adminToken, '/api/hosts/%0D%F4%8F%BF%BB/jobs', { kind: 7 });
    expect(res.statusCode).toBe(400);
    expect((res.json().error.details.problems as { path: string }[]).map((p) => p.path)).toEqual(['params.hostId', 'body.kind']);
    const validBody = await call(adminToken, '/api/hosts/%0D/jobs', { kind: 'host.inventory' });
    expect(validBody.statusCode).toBe(400);
    expect(validBody.json().error.details.problems).toEqual([{ path: 'params.hostId', message: "must be a host id like 52-54-00-12-34-56 — got '\r'" }]);
    expect((await auditRows('job.enqueue.refused')).slice(before).map((r) => r.target_id)).toEqual(['(invalid)', '(invalid)']);
  });
});

describe('host job kinds beside Striker\'s', () => {
  it('lists host kinds by title in /api/job-kinds and titles host jobs in the job list and a job\'s page', async () => {
    const kinds = (await call(adminToken, '/api/job-kinds', undefined, 'GET')).json().kinds as { kind: string; title: string; target: string }[];
    expect(kinds).toContainEqual({ kind: 'host.reboot', title: 'Reboot the host', maxAttempts: 1, onStale: 'fail', target: 'host' });
    expect(kinds.filter((k) => k.target === 'host').map((k) => k.kind).sort()).toEqual(['cluster.join', 'dr.link', 'dr.protect', 'dr.sync-wait', 'dr.unprotect', 'file.fetch', 'host.configure-network', 'host.inventory', 'host.poweroff', 'host.reboot', 'host.run-checks', 'node.join', 'node.standby', 'node.unstandby', 'node.withdraw', 'server.define', 'server.provision', 'servers.migrate', 'servers.start', 'servers.stop']);
    expect(kinds.some((k) => k.target === 'striker')).toBe(true);
    const job = (await call(adminToken, `/api/hosts/${hostA}/jobs`, { kind: 'host.run-checks' })).json().job as { id: string };
    const list = (await call(adminToken, '/api/jobs', undefined, 'GET')).json().jobs as { id: string; title: string }[];
    expect(list.find((j) => j.id === job.id)?.title).toBe('Check which cluster tools the host has');
    expect((await call(adminToken, `/api/jobs/${job.id}`, undefined, 'GET')).json().job.title).toBe('Check which cluster tools the host has');
    await t.t.db.write(`DELETE FROM jobs WHERE id = $1`, [job.id]);
  });
});

describe('inventory', () => {
  it('stores a valid inventory and shows it with the agent on the host page', async () => {
    expect((await call(credA, '/api/agent/inventory', { inventory })).statusCode).toBe(204);
    const page = await call(adminToken, `/api/hosts/${hostA}`, undefined, 'GET');
    expect(page.json().agent).toMatchObject({ hostId: hostA, version: '0.1.0', inventory });
    const list = await call(adminToken, '/api/hosts', undefined, 'GET');
    expect(list.json().hosts.find((h: { hostId: string }) => h.hostId === hostA)).toMatchObject({ hostName: 'an-a01n01', version: '0.1.0' });
  });

  it('refuses an oversized inventory with 413, an audit row, and keeps the one stored', async () => {
    const big = { ...inventory, disks: Array.from({ length: 100 }, (_, i) => ({ ...inventory.disks[0]!, name: `sd${i}`, model: 'M'.repeat(100) })) };
    const res = await call(credB, '/api/agent/inventory', { inventory: big });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toMatch(/^the inventory is \d+ bytes; Striker accepts at most 8192 \(agents.inventoryMaxBytes\)$/);
    expect((await auditRows('agent.refused')).filter((r) => r.target_id === hostB && r.details.refusal === 'oversized-inventory')).toHaveLength(1);
    const row = await t.t.db.query(`SELECT inventory FROM host_agents WHERE host_id = $1`, [hostB]);
    expect(row.rows[0]!.inventory).toBeNull();
  });

  it('refuses an invalid inventory naming each field, with an audit row, and writes nothing', async () => {
    const res = await call(credB, '/api/agent/inventory', { inventory: { ...inventory, memoryBytes: -1, nics: [{ name: 'eth0' }] } });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().error.details.problems as { path: string }[]).map((p) => p.path);
    expect(paths).toContain('body.inventory.memoryBytes');
    expect(paths).toContain('body.inventory.nics.0.mac');
    expect((await auditRows('agent.refused')).filter((r) => r.target_id === hostB && r.details.refusal === 'invalid-request')).toHaveLength(1);
    const row = await t.t.db.query(`SELECT inventory FROM host_agents WHERE host_id = $1`, [hostB]);
    expect(row.rows[0]!.inventory).toBeNull();
  });
});
