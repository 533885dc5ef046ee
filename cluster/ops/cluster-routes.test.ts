/**
 * The cluster API on a real database: nodes' scan reports carrying their cluster state are kept per
 * pair and shown with their age; node actions are checked against that state (409 with the reason,
 * unless forced), queued as the right job and audited; bad input is a 400 naming the field.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentArea } from '../../striker/agent/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { parseScancoreConfig } from '../scancore/scancore-config.js';
import { scancoreAgentRoutes } from '../scancore/scancore-routes.js';
import { collectClusterReport } from './cluster-collector.js';
import { saveClusterReport } from './cluster-report-store.js';
import { clusterRoutes } from './cluster-routes.js';
import { nodePowerJobKind, type BmcLookup } from './node-power-job.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const hosts = { node1: '52-54-00-00-cf-01', node2: '52-54-00-00-cf-02' } as const;
const config = parseScancoreConfig({});
let now = Date.parse('2026-12-06T12:00:00Z');
let t: TestApp;
let database: TestDatabase;
const creds: Record<string, string> = {};
let operator: Login;
let viewer: Login;
const bmcOf: BmcLookup = async (anvil, node) => (anvil === 'labcl' && node === 'node1' ? { ipmi: { address: '198.18.1.254', port: 6231, username: 'admin', passwordRef: 'x' }, password: 'secret' } : undefined);

/** A node's report as its agent would collect it, crm_mon text given. */
async function report(node: 'node1' | 'node2', crmMon: string) {
  const run: CommandRunner = async (argv) => {
    const out: Record<string, string> = { crm_node: `${node}\n`, crm_mon: crmMon, 'corosync-cfgtool': fixture('corosync/cfgtool-links-up.txt'), stonith_admin: fixture('crm_mon/stonith-history-node1.xml'), cibadmin: '<cib><configuration><resources/></configuration></cib>' };
    return { argv, exitCode: 0, stdout: out[argv[0]!] ?? '', stderr: '', durationMs: 1 };
  };
  return collectClusterReport({ run, readFile: async () => 'totem {\n cluster_name: labcl\n}\n', hostName: node, timeoutMs: 1000 });
}

const scan = async (node: 'node1' | 'node2', crmMon: string) => {
  const r = await t.app.inject({ method: 'POST', url: '/api/agent/scan', headers: { authorization: `Bearer ${creds[node]}` }, payload: { readings: [], outcomes: [], cluster: await report(node, crmMon) } });
  expect(r.statusCode).toBe(200);
};
const act = (node: string, payload: unknown, who: Login = operator, anvil = 'labcl') =>
  t.app.inject({ method: 'POST', url: `/api/anvils/${anvil}/nodes/${node}/actions`, headers: who.headers, payload: payload as object });
const node2Standby = fixture('crm_mon/two-nodes-online.xml').replace('name="node2" id="2" online="true" standby="false"', 'name="node2" id="2" online="true" standby="true"');

beforeAll(async () => {
  database = await createTestDatabase();
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  const power = nodePowerJobKind({ bmcOf, run: async () => { throw new Error('not run in this test'); }, timeoutMs: 1000 });
  const deps = { db: database.db, catalog: () => new Map([[power.kind, power]]), bmcOf, now: () => now, staleAfterMs: 90_000 };
  t = await createTestApp({
    agentCredentials: area.credentialCheck,
    plugins: [
      (app) => area.plugin(app, undefined),
      (app) => scancoreAgentRoutes(app, { db: database.db, config, clock: () => new Date(now), logger: quietLogger, reportMaxBytes: 1_000_000, onClusterReport: saveClusterReport }),
      (app) => clusterRoutes(app, deps),
    ],
  }, database);
  for (const [node, hostId] of Object.entries(hosts)) creds[node] = (await database.db.tx((tx) => area.onRegistered(tx, hostId, '10.201.10.1'))).credential;
  await addUser(t, 'op', 'operator');
  await addUser(t, 'watcher', 'viewer');
  operator = await loginAs(t, 'op');
  viewer = await loginAs(t, 'watcher');
});

afterAll(async () => t.close());

describe('cluster state from the nodes\' scan reports', () => {
  it('keeps each node\'s report per pair and shows the pair with its age', async () => {
    await scan('node1', fixture('crm_mon/two-nodes-online.xml'));
    now += 10_000;
    await scan('node2', fixture('crm_mon/two-nodes-online.xml'));
    const list = await t.app.inject({ method: 'GET', url: '/api/anvils', headers: viewer.headers });
    expect(list.json()).toEqual({ anvils: [{ name: 'labcl', quorate: true, failedActions: 0, servers: { total: 1, running: 1 }, nodes: [{ name: 'node1', status: 'online' }, { name: 'node2', status: 'online' }], source: { node: 'node2', receivedAt: new Date(now).toISOString(), ageSeconds: 0, stale: false } }] });
    const one = (await t.app.inject({ method: 'GET', url: '/api/anvils/labcl', headers: viewer.headers })).json();
    expect(one.nodes.map((n: { name: string; hostId: string; report: { ageSeconds: number } }) => [n.name, n.hostId, n.report.ageSeconds])).toEqual([['node1', hosts.node1, 10], ['node2', hosts.node2, 0]]);
    expect(one.nodes[1].links[1]).toEqual({ linkId: 1, address: '198.18.2.2', peers: [{ node: 'node1', status: 'connected' }] });
    expect(one.fenceHistory[0]).toMatchObject({ target: 'node1', status: 'success' });
  });

  it('400 names the bad field; 404 for an unknown pair or node', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/api/anvils/%3Cscript%3E', headers: viewer.headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('params.name');
    for (const [payload, field] of [[{ action: 'explode' }, 'body.action'], [{ action: 'standby', force: 'yes' }, 'body.force'], [{ action: 'standby', rm: '-rf' }, 'body'], [{ action: 'join', reason: 'x'.repeat(300) }, 'body.reason']] as const) {
      const r = await act('node1', payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.body).toContain(field);
    }
    expect((await act('node1;reboot', { action: 'join' })).body).toContain('params.node');
    expect((await act('node9', { action: 'join' })).statusCode).toBe(404);
    expect((await act('node1', { action: 'join' }, operator, 'other')).statusCode).toBe(404);
    expect((await act('node1', { action: 'join' }, viewer)).statusCode).toBe(403);
  });

  it('refuses to withdraw the servers\' last healthy node with the reason, and queues it when forced', async () => {
    await scan('node1', node2Standby);
    const refused = await act('node1', { action: 'withdraw' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toBe('node1 is the last node able to run server dummy: node2 cannot take it because it is in standby. Withdrawing node1 from the cluster would stop it. Use force to do it anyway.');
    const forced = await act('node1', { action: 'withdraw', force: true });
    expect(forced.statusCode).toBe(202);
    expect(forced.json()).toMatchObject({ kind: 'node.withdraw', action: 'withdraw', forced: true, warning: expect.stringContaining('forced: node1 is the last node') });
    const { rows } = await database.db.query<{ target_host: string; kind: string }>('SELECT target_host, kind FROM jobs WHERE id = $1', [forced.json().jobId]);
    expect(rows).toEqual([{ target_host: hosts.node1, kind: 'node.withdraw' }]);
    const audit = await database.db.query<{ action: string; target_id: string; details: { force: boolean } }>(`SELECT action, target_id, details FROM audit_log WHERE action = 'cluster.node.withdraw'`);
    expect(audit.rows).toMatchObject([{ target_id: 'labcl/node1', details: { force: true } }]);
    // Unstandby of node2 takes nothing out of service: queued on node2's agent.
    expect((await act('node2', { action: 'unstandby' })).json()).toMatchObject({ kind: 'node.unstandby' });
  });

  it('power off goes through the BMC job; a node without a BMC is refused; stale state is not trusted', async () => {
    await scan('node1', fixture('crm_mon/two-nodes-online.xml'));
    expect((await act('node1', { action: 'poweroff' })).json()).toMatchObject({ kind: 'cluster.node-power', action: 'poweroff' });
    const noBmc = await act('node2', { action: 'boot' });
    expect(noBmc.statusCode).toBe(409);
    expect(noBmc.json().error.message).toContain('node2 of labcl has no BMC');
    now += 600_000;
    const stale = await act('node1', { action: 'standby' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toBe('the cluster state of labcl is 600 s old (stale), so whether node1 is the servers\' last healthy node cannot be checked. Use force to do it anyway.');
    expect((await t.app.inject({ method: 'GET', url: '/api/anvils/labcl', headers: viewer.headers })).json().source).toMatchObject({ stale: true, ageSeconds: 600 });
  });
});
