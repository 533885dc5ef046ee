/**
 * The manifest API through the real HTTP app: create, read, replace, delete, validate (whole and
 * per step), YAML export and import, the plan; hostile JSON and YAML are 4xx naming the problem,
 * never 5xx, and store nothing; a secret sent is never in an answer, a log line, the manifests
 * table or its history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteKeys } from '../core/secrets/index.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { manifestRoutes, type ManifestListResponse, type ManifestPlanResponse, type ManifestResponse, type ManifestValidationResponse } from './index.js';
import { sampleMachines, sampleManifest } from './sample-manifest.js';
import { MAX_MANIFEST_BYTES } from './manifest-yaml.js';
import { twentyProblems } from '../../test/support/manifest-fixtures.js';

const plaintexts = ['cluster-secret', 'bmc-secret-1', 'bmc-secret-2', 'pdu-secret', 'ups-secret', 'typed-later-secret'];
const logLines: string[] = [];
const answers: string[] = [];
let t: TestApp;
let operator: Login;
let viewer: Login;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-manifest-routes-'));
  const sink = new Writable({ write: (chunk, _encoding, done) => void (logLines.push(String(chunk)), done()) });
  const database = await createTestDatabase();
  t = await createTestApp(
    {
      logger: pino({ level: 'trace' }, sink),
      plugins: [(app) => manifestRoutes(app, { db: database.db, keys: siteKeys(dir), machines: async () => sampleMachines })],
    },
    database,
  );
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [operator, viewer] = [await loginAs(t, 'oli'), await loginAs(t, 'vic')];
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(login: Login, method: string, url: string, payload?: unknown, contentType?: string) {
  const headers: Record<string, string> = { ...login.headers };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as string }) });
  answers.push(res.body);
  return res;
}
const problemsOf = (body: string) => (JSON.parse(body) as { error: { details: { problems: { path: string; message: string }[] } } }).error.details.problems;
const count = async () => Number((await t.t.db.query<{ n: string }>('SELECT count(*) AS n FROM manifests')).rows[0]!.n);

describe('manifest API', () => {
  let id: string;

  it('refuses a manifest with twenty problems with one 400 listing all twenty, storing nothing', async () => {
    const doc = twentyProblems({ fenceCheck: false });
    // Problem 2 of the table (pair 1 taken by another stored pair) needs that pair: here it is an out-of-range sequence.
    const res = await call(operator, 'POST', '/api/manifests', { ...doc, pair: { ...doc.pair, sequence: 100 } });
    expect(res.statusCode).toBe(400);
    const problems = problemsOf(res.body);
    expect(problems, res.body).toHaveLength(20);
    expect(new Set(problems.map((p) => p.path)).size).toBe(19); // two are about the UPS mapping
    expect(await count()).toBe(0);
  });

  it('creates a manifest, answers with secrets as {set} only, lists and shows it', async () => {
    const res = await call(operator, 'POST', '/api/manifests', sampleManifest());
    expect(res.statusCode, res.body).toBe(201);
    const { manifest } = res.json() as ManifestResponse;
    id = manifest.id;
    expect(manifest.name).toBe('an-anvil-01');
    expect(manifest.document.clusterPassword).toEqual({ set: true });
    expect(manifest.document.upses[0]!.password).toEqual({ set: true });
    const list = (await call(viewer, 'GET', '/api/manifests')).json() as ManifestListResponse;
    expect(list.manifests).toEqual([{ id, name: 'an-anvil-01', sequence: 1, description: 'First pair', modifiedAt: expect.any(String) as string }]);
    const one = await call(viewer, 'GET', `/api/manifests/${id}`);
    expect((one.json() as ManifestResponse).manifest.document).toEqual(manifest.document);
  });

  it('shows the plan: names, addresses per network, fence levels IPMI → PDU → delay, UPS mapping', async () => {
    const { plan } = (await call(viewer, 'GET', `/api/manifests/${id}/plan`)).json() as ManifestPlanResponse;
    expect(plan.anvil).toBe('an-anvil-01');
    expect(plan.hosts.map((h) => h.fqdn)).toEqual(['an-a01n01.alteeve.example', 'an-a01n02.alteeve.example', 'an-a01dr01.alteeve.example']);
    expect(plan.fencing[0]!.levels.map((l) => l.method)).toEqual(['ipmi', 'pdu', 'delay']);
    expect(plan.upses[0]!.powers.map((p) => p.name)).toEqual(['an-a01n01', 'an-a01n02', 'an-a01dr01']);
  });

  it('refuses a manifest with problems with 400 listing them all, storing nothing; a viewer may not create', async () => {
    const bad = sampleManifest();
    bad.pair.sequence = 2;
    bad.hosts.node1.addresses.bcn1 = '10.201.10.2';
    bad.hosts.node2.machine = '52:54:00:00:00:99';
    bad.clusterPassword = 'typed-later-secret';
    const before = await count();
    const res = await call(operator, 'POST', '/api/manifests', bad);
    expect(res.statusCode).toBe(400);
    const paths = problemsOf(res.body).map((p) => p.path).sort();
    // The first pair's machines and addresses are taken, node2's machine is not registered.
    for (const path of ['hosts.node1.machine', 'hosts.node2.machine', 'hosts.dr.machine', 'hosts.node1.addresses.sn1', 'hosts.node2.addresses.bcn1', 'hosts.node1.ipmi.address']) expect(paths).toContain(path);
    expect(await count()).toBe(before);
    expect((await call(viewer, 'POST', '/api/manifests', sampleManifest())).statusCode).toBe(403);
  });

  it('validates a whole document or one step with { ok, problems }', async () => {
    const whole = (await call(viewer, 'POST', `/api/manifests/validate?id=${id}`, { ...sampleManifest(), clusterPassword: { set: true } })).json() as ManifestValidationResponse;
    expect(whole).toEqual({ ok: true, problems: [] });
    const step = await call(viewer, 'POST', '/api/manifests/validate?step=networks', { networks: [{ kind: 'bcn', index: 1, subnet: '10.201.0.0/16', gateway: '10.201.0.1' }, { kind: 'sn', index: 1, subnet: '10.201.4.0/24' }] });
    expect(step.statusCode).toBe(200);
    expect((step.json() as ManifestValidationResponse).problems.map((p) => p.path)).toEqual(['networks.0.gateway', 'networks.1.subnet']);
    const badStep = await call(viewer, 'POST', '/api/manifests/validate?step=review', {});
    expect(badStep.statusCode).toBe(400);
    expect(problemsOf(badStep.body)[0]!.path).toBe('query.step');
  });

  it('replaces a manifest keeping {set: true} secrets, and deletes it', async () => {
    const shown = (await call(viewer, 'GET', `/api/manifests/${id}`)).json() as ManifestResponse;
    const doc = { ...shown.manifest.document, dns: ['192.168.122.2'] };
    const res = await call(operator, 'PUT', `/api/manifests/${id}`, doc);
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as ManifestResponse).manifest.document.dns).toEqual(['192.168.122.2']);
    expect((await call(operator, 'PUT', '/api/manifests/00000000-0000-4000-8000-000000000000', doc)).statusCode).toBe(404);
    expect((await call(viewer, 'GET', '/api/manifests/not-a-uuid')).statusCode).toBe(404);
  });

  it('exports YAML that imports back to the same document', async () => {
    const exported = await call(viewer, 'GET', `/api/manifests/${id}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^application\/yaml/);
    expect(exported.headers['content-disposition']).toBe('attachment; filename="an-anvil-01.yaml"');
    expect(exported.body).toContain('clusterPassword:\n  set: true');
    const imported = await call(operator, 'POST', '/api/manifests/import', exported.body, 'application/yaml');
    expect(imported.statusCode, imported.body).toBe(200);
    expect((imported.json() as { created: boolean }).created).toBe(false);
    const again = await call(viewer, 'GET', `/api/manifests/${id}/export`);
    expect(again.body).toBe(exported.body);
  });

  it('refuses malformed, hostile and oversized JSON and YAML with 4xx naming the problem, never 5xx, storing nothing', async () => {
    const before = await count();
    const cases: { body: string; type: string; url?: string; expect: RegExp }[] = [
      { body: '{"version": 1,', type: 'application/json', expect: /not valid JSON/ },
      { body: '{"__proto__": {"admin": true}, "version": 1}', type: 'application/json', expect: /__proto__/ },
      { body: `${'['.repeat(100)}${']'.repeat(100)}`, type: 'application/json', expect: /nests deeper/ },
      { body: JSON.stringify({ ...sampleManifest(), networks: Array.from({ length: 500 }, (_, i) => ({ kind: 'bcn', index: 1, subnet: `10.${i % 250}.0.0/16` })) }), type: 'application/json', expect: /at most 16 networks/ },
      { body: JSON.stringify({ ...sampleManifest(), pair: { prefix: 'an', sequence: 1e308, domain: 'x'.repeat(5000) } }), type: 'application/json', expect: /pair.sequence|whole number/ },
      { body: JSON.stringify({ ...sampleManifest(), clusterPassword: 'x'.repeat(100_000) }), type: 'application/json', expect: /at most 256 characters/ },
      // A refused secret is not quoted back (nor logged).
      { body: JSON.stringify({ ...sampleManifest(), clusterPassword: 'typed-later-secret'.padEnd(300, '!') }), type: 'application/json', expect: /clusterPassword: must be at most 256 characters\\n/ },
      { body: JSON.stringify({ ...sampleManifest(), fenceDevices: [{ name: 'pdu1', agent: 'fence_apc_snmp', parameters: { password: 'typed-later-secret' } }] }), type: 'application/json', expect: /is a secret: give it in the password field/ },
      { body: 'version: 1\npair: [unclosed\nnetworks: 3\n', type: 'application/yaml', url: '/api/manifests/import', expect: /not valid YAML \(line \d+, column \d+\)/ },
      { body: 'version: 1\nversion: 1\n', type: 'application/yaml', url: '/api/manifests/import', expect: /not valid YAML \(line 2, column 1\): Map keys must be unique/ },
      { body: 'version: !!js/function "function () {}"\n', type: 'application/yaml', url: '/api/manifests/import', expect: /Unresolved tag/ },
      { body: 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', type: 'application/yaml', url: '/api/manifests/import', expect: /alias/ },
      { body: 'version: 1\n---\nversion: 1\n', type: 'application/yaml', url: '/api/manifests/import', expect: /multiple documents/ },
      { body: '', type: 'application/yaml', url: '/api/manifests/import', expect: /empty/ },
      { body: '- 1\n- 2\n', type: 'application/yaml', url: '/api/manifests/import', expect: /expected object/ },
    ];
    for (const c of cases) {
      const res = await call(operator, 'POST', c.url ?? '/api/manifests', c.body, c.type);
      expect(res.statusCode, `${c.body.slice(0, 60)} → ${res.body}`).toBe(400);
      expect(res.body, c.body.slice(0, 60)).toMatch(c.expect);
    }
    const huge = await call(operator, 'POST', '/api/manifests/import', `# ${'x'.repeat(MAX_MANIFEST_BYTES)}\nversion: 1\n`, 'application/yaml');
    expect(huge.statusCode).toBe(413);
    expect(await count()).toBe(before);
  });

  it('never holds a secret in clear: not in an answer, the log, the manifests table or its history', async () => {
    const res = await call(operator, 'DELETE', `/api/manifests/${id}`);
    expect(res.statusCode).toBe(204);
    expect((await call(viewer, 'GET', `/api/manifests/${id}`)).statusCode).toBe(404);
    const { rows } = await t.t.db.query<{ text: string }>(
      `SELECT coalesce((SELECT string_agg(h::text, ' ') FROM history.manifests h), '') || coalesce((SELECT string_agg(a::text, ' ') FROM audit_log a), '') AS text`,
    );
    expect(rows[0]!.text).toContain('an-anvil-01');
    const everything = [rows[0]!.text, ...answers, ...logLines].join('\n');
    expect(logLines.length).toBeGreaterThan(10);
    for (const p of plaintexts) expect(everything, p).not.toContain(p);
  });
});
