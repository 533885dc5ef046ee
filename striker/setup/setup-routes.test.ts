/**
 * The identity wizard's API through fastify inject on a real database: roles, CSRF, step
 * validation listing every problem under `body.`, storing the identity with its configure job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { catalogOf } from '../jobs/job-kind.js';
import { configureJobKind } from './configure-job.js';
import { sampleIdentity } from './sample-identity.js';
import { setupIdentityRoutes } from './setup-routes.js';

let t: TestApp;
let admin: Login;
let viewer: Login;

beforeAll(async () => {
  const database = await createTestDatabase();
  const refuse = () => Promise.reject(new Error('host.manage is off: nothing may be applied'));
  const configureKind = configureJobKind({ db: database.db, manage: false, applier: { writeFile: refuse, run: refuse } });
  t = await createTestApp({ catalog: catalogOf([configureKind]), plugins: [(app) => setupIdentityRoutes(app, { db: database.db, configureKind, manage: false })] }, database);
  await addUser(t, 'root', 'admin');
  await addUser(t, 'watcher', 'viewer');
  admin = await loginAs(t, 'root');
  viewer = await loginAs(t, 'watcher');
});
afterAll(async () => {
  await t.close();
});

describe('identity wizard API', () => {
  it('offers the Anvil! defaults before anything is stored', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/setup/identity', headers: viewer.headers });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { configured: boolean; identity: unknown; defaults: { networks: { bcn: { subnet: string } } }; manage: boolean; steps: string[] };
    expect(body).toMatchObject({ configured: false, identity: null, manage: false, steps: ['host', 'networks', 'services'] });
    expect(body.defaults.networks.bcn.subnet).toBe('10.201.0.0/16');
  });

  it('needs a login, the admin role and the CSRF token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/setup/identity' })).statusCode).toBe(401);
    const asViewer = await t.app.inject({ method: 'PUT', url: '/api/setup/identity', headers: viewer.headers, payload: sampleIdentity() });
    expect(asViewer.statusCode).toBe(403);
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/setup/identity/steps/host', headers: { cookie: admin.cookie }, payload: {} });
    expect(noCsrf.json()).toMatchObject({ error: { code: 'CSRF_FAILED' } });
  });

  it('validates a step and lists every problem with its body path', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/setup/identity/steps/host', headers: admin.headers, payload: { prefix: 'toolong', sequence: 100, domain: '', hostName: 'ok.example' } });
    expect(res.statusCode).toBe(400);
    const error = (res.json() as { error: { code: string; details: { problems: { path: string }[] } } }).error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.problems.map((p) => p.path)).toEqual(['body.prefix', 'body.sequence', 'body.domain']);
    const good = await t.app.inject({ method: 'POST', url: '/api/setup/identity/steps/host', headers: admin.headers, payload: { prefix: 'AN', sequence: '1', domain: 'alteeve.example', hostName: 'an-striker01.alteeve.example' } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toEqual({ ok: true, value: { prefix: 'an', sequence: 1, domain: 'alteeve.example', hostName: 'an-striker01.alteeve.example' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/setup/identity/steps/fencing', headers: admin.headers, payload: {} });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses to apply before an identity is stored', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/setup/identity/apply', headers: admin.headers });
    expect(res.statusCode).toBe(404);
  });

  it('stores the identity, creates the configure job and audits it', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/setup/identity', headers: admin.headers, payload: sampleIdentity() });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { job: { id: string; kind: string; status: string; payload: { identityId: string } } };
    expect(body.job).toMatchObject({ kind: 'striker.configure', status: 'queued' });
    const stored = await t.app.inject({ method: 'GET', url: '/api/setup/identity', headers: viewer.headers });
    expect(stored.json()).toMatchObject({ configured: true, identity: sampleIdentity() });
    const { rows } = await t.t.db.query<{ id: string }>('SELECT id FROM striker_identity');
    expect(body.job.payload.identityId).toBe(rows[0]!.id);
    const auditRows = await t.t.db.query<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'striker.identity.%'");
    expect(auditRows.rows.map((r) => r.action)).toEqual(['striker.identity.save']);
    const history = await t.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM history.striker_networks');
    expect(history.rows[0]!.n).toBe(4);
  });

  it('refuses an invalid identity whole, storing nothing new', async () => {
    const bad = sampleIdentity({ prefix: 'toolong', mtu: 10 });
    const res = await t.app.inject({ method: 'PUT', url: '/api/setup/identity', headers: admin.headers, payload: bad });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path)).toEqual(['body.prefix', 'body.mtu']);
    const { rows } = await t.t.db.query<{ prefix: string }>('SELECT prefix FROM striker_identity');
    expect(rows).toEqual([{ prefix: 'an' }]);
  });

  it('applies the stored identity again as a new job', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/setup/identity/apply', headers: admin.headers });
    expect(res.statusCode).toBe(202);
    const { rows } = await t.t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE kind = 'striker.configure'");
    expect(rows[0]!.n).toBe(2);
  });
});
