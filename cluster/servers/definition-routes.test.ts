/**
 * The definition routes on a real database: a node's report (`POST /api/agent/servers/:name/definition`)
 * refuses hostile XML with a 400 naming the field, takes a change and records a conflict; the
 * server's page data (`GET /api/servers/:name`) shows the conflict; an operator settles it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentArea } from '../../striker/agent/index.js';
import { catalogOf } from '../../striker/jobs/job-kind.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { recordRenderedDefinition } from './definition-actions.js';
import { renderDomainXml } from './domain-xml.js';
import { serverCreateJobKind } from './provision-job.js';
import { parseServersConfig } from './servers-config.js';
import { serversRoutes, type DefinitionSettleResponse, type ServerResponse } from './servers-routes.js';
import { insertServer } from './servers-store.js';

const N1 = '52-54-00-00-01-01';
const N2 = '52-54-00-00-01-02';
const hosts = [
  { key: 'node1' as const, name: 'an-a01n01', hostId: N1, snAddress: '10.101.10.1' },
  { key: 'node2' as const, name: 'an-a01n02', hostId: N2, snAddress: '10.101.10.2' },
];
let t: TestApp;
let operator: Login;
let viewer: Login;
const bearer = new Map<string, string>();
const id = randomUUID();
const xml = renderDomainXml({ name: 'srv01', uuid: id, vcpus: 2, memoryMiB: 1024, disk: '/dev/drbd0' });
const vcpus = (n: number) => xml.replace("<vcpu placement='static'>2</vcpu>", `<vcpu placement='static'>${n}</vcpu>`);

beforeAll(async () => {
  const database = await createTestDatabase();
  const catalog = catalogOf([serverCreateJobKind({ db: database.db, config: parseServersConfig({ volumeGroup: 'vg0' }) })]);
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  t = await createTestApp({
    catalog, agentCredentials: area.credentialCheck, plugins: [(app) => area.plugin(app, undefined), (app) => serversRoutes(app, { db: database.db, catalog })],
  }, database);
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [operator, viewer] = [await loginAs(t, 'oli'), await loginAs(t, 'vic')];
  for (const h of [N1, N2]) bearer.set(h, (await database.db.tx((tx) => area.onRegistered(tx, h, '127.0.0.1'))).credential);
  await insertServer(database.db, {
    id, name: 'srv01', anvil: 'an-anvil-01', vcpus: 2, memoryMiB: 1024, diskGiB: 10, installIso: null, driverIso: null, osVariant: 'generic',
    networks: [], hosts, drbdMinor: 0, drbdPort: 7788, preferredNode: 'node1', liveMigration: true,
  });
  await database.db.tx((tx) => recordRenderedDefinition(tx, 'srv01', xml));
}, 60_000);
afterAll(async () => t?.close());

const report = (hostId: string, payload: unknown, name = 'srv01') =>
  t.app.inject({ method: 'POST', url: `/api/agent/servers/${name}/definition`, headers: { authorization: `Bearer ${bearer.get(hostId)}` }, payload: payload as object });
const problems = (body: string) => (JSON.parse(body) as { error: { details: { problems: { path: string; message: string }[] } } }).error.details.problems;

describe('definition routes', () => {
  it('refuses hostile XML with a 400 naming body.xml: oversized, not XML, a DOCTYPE, another domain name or uuid', async () => {
    const cases: [unknown, RegExp][] = [
      [{ baseVersion: 1, xml: `${xml}<!--${'x'.repeat(300 * 1024)}-->` }, /at most 262144 bytes/],
      [{ baseVersion: 1, xml: 'this is not xml <domain' }, /well-formed|<domain>/],
      [{ baseVersion: 1, xml: '<network><name>srv01</name></network>' }, /one <domain> element/],
      [{ baseVersion: 1, xml: `<!DOCTYPE domain [<!ENTITY lol "lol">]>${xml}` }, /DOCTYPE/],
      [{ baseVersion: 1, xml: xml.replace('<name>srv01</name>', '<name>srv99</name>') }, /defines the domain 'srv99', not srv01/],
      [{ baseVersion: 1, xml: xml.replace(id, '00000000-0000-4000-8000-000000000000') }, /has the uuid 00000000-0000-4000-8000-000000000000, not srv01's/],
    ];
    for (const [payload, message] of cases) {
      const res = await report(N1, payload);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
      expect(problems(res.body)).toEqual([{ path: 'body.xml', message: expect.stringMatching(message) }]);
    }
    const missing = await report(N1, { xml });
    expect(missing.statusCode).toBe(400);
    expect(problems(missing.body).map((p) => p.path)).toEqual(['body.baseVersion']);
    expect((await report(N1, { baseVersion: 1, xml: vcpus(4) }, 'nope')).statusCode).toBe(404);
    // Only a node's credential may report; a person's session may not.
    expect((await t.app.inject({ method: 'POST', url: '/api/agent/servers/srv01/definition', headers: operator.headers, payload: { baseVersion: 1, xml: vcpus(4) } })).statusCode).toBe(401);
    const view = (await t.app.inject({ method: 'GET', url: '/api/servers/srv01', headers: viewer.headers })).json() as ServerResponse;
    expect(view.definition).toMatchObject({ version: 1, source: 'rendered', conflicts: [] });
  });

  it('takes a change, records a second one from the same base as a conflict shown on the server, and an operator settles it', async () => {
    const first = await report(N1, { baseVersion: 1, xml: vcpus(4) });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ outcome: 'accepted', version: 2 });
    const second = await report(N2, { baseVersion: 1, xml: vcpus(6) });
    expect(second.json()).toMatchObject({ outcome: 'conflict', version: 2 });
    const view = (await t.app.inject({ method: 'GET', url: '/api/servers/srv01', headers: viewer.headers })).json() as ServerResponse;
    expect(view.definition).toMatchObject({ version: 2, source: 'node', reportedBy: 'an-a01n01' });
    const [conflict] = view.definition!.conflicts;
    expect(conflict).toMatchObject({ state: 'open', baseVersion: 1, keptVersion: 2, keptBy: 'an-a01n01', otherBy: 'an-a01n02', keptXml: vcpus(4), otherXml: vcpus(6) });

    const url = `/api/servers/srv01/definition/conflicts/${conflict!.id}`;
    expect((await t.app.inject({ method: 'POST', url, headers: viewer.headers, payload: { choose: 'other' } })).statusCode).toBe(403);
    const bad = await t.app.inject({ method: 'POST', url, headers: operator.headers, payload: { choose: 'mine' } });
    expect(bad.statusCode).toBe(400);
    expect(problems(bad.body).map((p) => p.path)).toEqual(['body.choose']);
    const settled = await t.app.inject({ method: 'POST', url, headers: operator.headers, payload: { choose: 'other' } });
    expect(settled.statusCode, settled.body).toBe(202);
    const body = settled.json() as DefinitionSettleResponse;
    expect(body).toMatchObject({ version: 3, conflict: { state: 'settled', chosen: 'other' } });
    expect(body.jobIds).toHaveLength(2);
    expect((await t.app.inject({ method: 'POST', url, headers: operator.headers, payload: { choose: 'kept' } })).statusCode).toBe(409);
    const after = (await t.app.inject({ method: 'GET', url: '/api/servers/srv01', headers: viewer.headers })).json() as ServerResponse;
    expect(after.definition).toMatchObject({ version: 3, source: 'settled', reportedBy: 'oli' });
  });
});
