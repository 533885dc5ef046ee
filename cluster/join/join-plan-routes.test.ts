/**
 * `GET /api/agent/cluster/join-plan/:jobId` on a real database, after a real manifest run: node1's
 * agent gets corosync.conf, the pair's authkey and the fencing CIB with the manifest's passwords;
 * node2's gets the same conf and key without the CIB; the key is made once and stored sealed; any
 * other host is refused with an audit row, and a job that is not running gets no plan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentArea } from '../../striker/agent/index.js';
import { systemActor } from '../../striker/audit/audit-store.js';
import { siteKeys } from '../../striker/core/secrets/index.js';
import { claimJobs } from '../../striker/jobs/job-store.js';
import { createManifest, runManifest, sampleMachines, sampleManifest, type ManifestDeps, type RunManifestResponse } from '../../striker/manifest/index.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { joinPlanSchema, type JoinPlan } from './join-plan-schema.js';
import { joinPlanRoutes } from './join-plan-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'join-plan-'));
const keys = siteKeys(dir);
let t: TestApp;
let run: RunManifestResponse;
const credentials = new Map<string, string>();
const hostOf = (mac: string) => mac.replaceAll(':', '-');
const [node1, node2, dr] = sampleMachines.map((m) => hostOf(m.mac));

const get = (jobId: string, hostId: string) =>
  t.app.inject({ method: 'GET', url: `/api/agent/cluster/join-plan/${jobId}`, headers: { authorization: `Bearer ${credentials.get(hostId)}` } });
const jobOf = (key: string) => run.jobs.find((j) => j.key === key)!.jobId;

/** Claims the host's queued jobs of `kind` as its agent would, so they run. */
async function start(hostId: string, kind: string): Promise<void> {
  await claimJobs(t.t.db, { workerId: `agent:${hostId}:test`, kinds: [kind], targetHost: hostId, limit: 5 });
}

beforeAll(async () => {
  const database = await createTestDatabase();
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  t = await createTestApp({ agentCredentials: area.credentialCheck, plugins: [(app) => area.plugin(app, undefined), (app) => joinPlanRoutes(app, { db: database.db, keys })] }, database);
  for (const hostId of [node1!, node2!, dr!]) credentials.set(hostId, (await database.db.tx((tx) => area.onRegistered(tx, hostId, '127.0.0.1'))).credential);
  const deps: ManifestDeps = { db: database.db, keys, machines: async () => sampleMachines };
  await createManifest(deps, systemActor, sampleManifest());
  run = await runManifest({ db: database.db }, systemActor, 'an-anvil-01');
  // The joins wait for the check and the networks: let those succeed.
  await database.db.write(`UPDATE jobs SET status = 'succeeded', finished_at = now(), progress = 100 WHERE kind IN ('manifest.check', 'host.configure-network')`);
});

afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the join plan', () => {
  it('is not handed out for a job that is not running', async () => {
    const r = await get(jobOf('node2:cluster.join'), node2!);
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toMatch(/is queued: a join plan is handed out only while its cluster.join job runs/);
  });

  it("gives node1's agent corosync.conf, the authkey and the fencing CIB with the manifest's passwords", async () => {
    await start(node1!, 'cluster.join');
    const r = await get(jobOf('node1:cluster.join'), node1!);
    expect(r.statusCode).toBe(200);
    const plan = joinPlanSchema.parse(r.json()) as JoinPlan;
    expect(plan).toMatchObject({ anvilName: 'an-anvil-01', role: 'node1', nodeName: 'an-a01n01', pairNodes: ['an-a01n01', 'an-a01n02'] });
    expect(plan.corosyncConf).toContain('cluster_name: an-anvil-01');
    expect(plan.corosyncConf).toMatch(/ring0_addr: 10\.201\.10\.1\n\s+ring1_addr: 10\.101\.10\.1\n\s+name: an-a01n01/);
    expect(Buffer.from(plan.authkey, 'base64')).toHaveLength(256);
    const ipmi = plan.cib!.devices.find((d) => d.id === 'fence-an-a01n02-ipmi')!;
    expect(ipmi.params).toMatchObject({ ip: '10.201.11.2', password: 'bmc-secret-2', pcmk_host_list: 'an-a01n02' });
    expect(plan.cib!.devices.find((d) => d.id === 'fence-an-a01n01-pdu1')!.params['password']).toBe('pdu-secret');
    expect(plan.cib!.levels.filter((l) => l.target === 'an-a01n01').map((l) => l.devices)).toEqual([['fence-an-a01n01-ipmi'], ['fence-an-a01n01-pdu1'], ['fence-an-a01n01-delay']]);
  });

  it("gives node2's agent the same conf and key, no CIB; the key is made once and stored sealed", async () => {
    await start(node2!, 'cluster.join');
    const first = joinPlanSchema.parse((await get(jobOf('node1:cluster.join'), node1!)).json());
    const r = await get(jobOf('node2:cluster.join'), node2!);
    expect(r.statusCode).toBe(200);
    const plan = joinPlanSchema.parse(r.json());
    expect(plan.role).toBe('node2');
    expect(plan.nodeName).toBe('an-a01n02');
    expect(plan.cib).toBeUndefined();
    expect(plan.corosyncConf).toBe(first.corosyncConf);
    expect(plan.authkey).toBe(first.authkey);
    const { rows } = await t.t.db.query<{ authkey: string }>('SELECT authkey FROM cluster_pair_keys WHERE anvil_name = $1', ['an-anvil-01']);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.authkey).not.toContain(plan.authkey);
    // Nothing secret lands in a job or the audit trail.
    const dump = JSON.stringify((await t.t.db.query('SELECT payload, message, message_vars FROM jobs')).rows) + JSON.stringify((await t.t.db.query('SELECT details FROM audit_log')).rows);
    for (const secret of [plan.authkey, 'bmc-secret-1', 'bmc-secret-2', 'pdu-secret']) expect(dump).not.toContain(secret);
    const audited = await t.t.db.query<{ details: { role: string } }>(`SELECT details FROM audit_log WHERE action = 'cluster.join-plan'`);
    expect(audited.rows.map((a) => a.details.role).sort()).toEqual(['node1', 'node1', 'node2']);
  });

  it("refuses another host's agent (403, audited) and names what is wrong with a bad job id", async () => {
    const other = await get(jobOf('node1:cluster.join'), dr!);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.message).toContain('is not a cluster.join job of this host');
    expect(other.body).not.toContain('bmc-secret');
    const { rows } = await t.t.db.query<{ details: { refusal: string; jobId: string } }>(`SELECT details FROM audit_log WHERE action = 'agent.refused'`);
    expect(rows.map((r) => r.details)).toContainEqual(expect.objectContaining({ refusal: 'other-host-job', jobId: jobOf('node1:cluster.join') }));
    // A job of the host that is not a join (its network job) gets no plan either.
    expect((await get(jobOf('node1:host.configure-network'), node1!)).statusCode).toBe(403);
    const bad = await get('not-a-job', node1!);
    expect(bad.statusCode).toBe(404);
    const none = await t.app.inject({ method: 'GET', url: `/api/agent/cluster/join-plan/${jobOf('node1:cluster.join')}` });
    expect(none.statusCode).toBe(401);
  });
});
