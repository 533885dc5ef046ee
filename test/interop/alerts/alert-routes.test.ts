/**
 * The alerts API on the real HTTP app and database: recipients and mail servers CRUD (the relay
 * password sealed at rest and never returned), the test e-mail through a real smtp-server sink,
 * history with filters and paging, acknowledge, roles, and hostile input refused with the field
 * named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRoutes } from '../../../cluster/scancore/alerts/alert-routes.js';
import type { AlertsDeps } from '../../../cluster/scancore/alerts/alerts-deps.js';
import { clearAlert, raiseAlert } from '../../../cluster/scancore/alerts/raise-alert.js';
import { renderer } from '../../../cluster/scancore/alerts/render-message.js';
import { siteKeys } from '../../../striker/core/secrets/index.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../support/test-app.js';
import { createTestDatabase, quietLogger } from '../../support/test-database.js';
import { closedPort, startSmtpSink, type SmtpSink } from './smtp-sink.js';

let t: TestApp;
let admin: Login;
let viewer: Login;
let sink: SmtpSink;
let dataDir: string;
let deps: AlertsDeps;
let now = Date.parse('2026-04-01T08:00:00Z');

beforeAll(async () => {
  sink = await startSmtpSink({ username: 'relay-user', password: 'relay secret 42' });
  dataDir = mkdtempSync(join(tmpdir(), 'striker-alert-routes-'));
  const db = await createTestDatabase();
  deps = { db: db.db, keys: siteKeys(dataDir), clock: () => new Date(now), settings: { holdSeconds: 0, smtpTimeoutSeconds: 5 }, renderer: renderer(), logger: quietLogger };
  t = await createTestApp({ plugins: [(app) => alertRoutes(app, deps)] }, db);
  await addUser(t, 'admin', 'admin');
  await addUser(t, 'watcher', 'viewer');
  admin = await loginAs(t, 'admin');
  viewer = await loginAs(t, 'watcher');
});
afterAll(async () => {
  await t.close();
  await sink.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (who: Login, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('recipients', () => {
  it('adds, lists, changes and removes a recipient with per-host overrides', async () => {
    const add = await call(admin, 'POST', '/api/alerts/recipients', { name: 'Ops', email: 'ops@example.lan', level: 'warning', overrides: [{ host: 'an-a01n02', level: 'info' }] });
    expect(add.statusCode).toBe(201);
    const r = add.json();
    expect(r).toMatchObject({ name: 'Ops', email: 'ops@example.lan', language: 'en', level: 'warning', overrides: [{ host: 'an-a01n02', level: 'info' }] });
    expect((await call(admin, 'POST', '/api/alerts/recipients', { name: 'Again', email: 'ops@example.lan', level: 'info' })).statusCode).toBe(409);
    const put = await call(admin, 'PUT', `/api/alerts/recipients/${r.id}`, { name: 'Ops team', email: 'ops@example.lan', level: 'critical', overrides: [] });
    expect(put.json()).toMatchObject({ name: 'Ops team', level: 'critical', overrides: [] });
    expect((await call(admin, 'GET', '/api/alerts/recipients')).json()).toEqual([put.json()]);
    expect((await call(admin, 'DELETE', `/api/alerts/recipients/${r.id}`)).json()).toEqual({ removed: r.id });
    expect((await call(admin, 'DELETE', `/api/alerts/recipients/${r.id}`)).statusCode).toBe(404);
    expect((await call(admin, 'PUT', '/api/alerts/recipients/not-a-uuid', { name: 'x', email: 'x@y.z', level: 'info' })).statusCode).toBe(404);
  });

  it('lists the languages a recipient may choose, each by its own name; a language not shipped is refused', async () => {
    const languages = await call(admin, 'GET', '/api/alerts/languages');
    expect(languages.statusCode).toBe(200);
    expect(languages.json()).toEqual({ languages: [{ tag: 'en', name: 'English' }] });
    for (const { tag } of languages.json().languages as { tag: string }[]) {
      const added = await call(admin, 'POST', '/api/alerts/recipients', { name: `In ${tag}`, email: `lang-${tag}@example.lan`, level: 'info', language: tag });
      expect(added.json()).toMatchObject({ language: tag });
      expect((await call(admin, 'DELETE', `/api/alerts/recipients/${added.json().id}`)).statusCode).toBe(200);
    }
  });

  it('is for admins only', async () => {
    expect((await call(viewer, 'GET', '/api/alerts/languages')).statusCode).toBe(403);
    expect((await call(viewer, 'GET', '/api/alerts/recipients')).statusCode).toBe(403);
    expect((await call(viewer, 'POST', '/api/alerts/test-email', { to: 'a@b.c' })).statusCode).toBe(403);
  });
});

describe('mail servers and the test e-mail', () => {
  it('seals the password at rest, never returns it, keeps it on {set:true}, and a test e-mail arrives', async () => {
    const add = await call(admin, 'POST', '/api/alerts/mail-servers', { host: '127.0.0.1', port: sink.port, security: 'none', username: 'relay-user', password: 'relay secret 42', sender: 'striker@example.lan' });
    expect(add.statusCode).toBe(201);
    const s = add.json();
    expect(s).toMatchObject({ host: '127.0.0.1', port: sink.port, security: 'none', username: 'relay-user', password: { set: true }, position: 0 });
    const stored = await t.t.db.query<{ password: string }>('SELECT password FROM alert_mail_servers WHERE id = $1', [s.id]);
    expect(stored.rows[0]!.password).not.toContain('relay secret 42');
    expect(stored.rows[0]!.password.length).toBeGreaterThan(40);
    const list = await call(admin, 'GET', '/api/alerts/mail-servers');
    expect(list.body).not.toContain('relay secret 42');
    expect(list.body).not.toContain(stored.rows[0]!.password);

    // Changing the port with {set:true} keeps the password: the test e-mail still authenticates.
    const put = await call(admin, 'PUT', `/api/alerts/mail-servers/${s.id}`, { host: '127.0.0.1', port: sink.port, security: 'none', username: 'relay-user', password: { set: true }, sender: 'alerts@example.lan' });
    expect(put.json()).toMatchObject({ sender: 'alerts@example.lan', password: { set: true } });
    const before = sink.received.length;
    const sent = await call(admin, 'POST', '/api/alerts/test-email', { to: 'admin@example.lan' });
    expect(sent.json()).toMatchObject({ sent: true, to: 'admin@example.lan', relay: `127.0.0.1:${sink.port}` });
    const [m] = (await sink.waitFor(before + 1)).slice(before);
    expect(m!.envelopeTo).toEqual(['admin@example.lan']);
    expect(m!.user).toBe('relay-user');
    expect(m!.parsed.subject).toBe('Striker test e-mail');
    expect(m!.parsed.from?.text).toBe('alerts@example.lan');
    expect(m!.parsed.text).toContain(`sent to admin@example.lan through 127.0.0.1:${sink.port}`);
  });

  it('a test e-mail that no relay takes says why, per relay', async () => {
    const down = await closedPort();
    const first = (await call(admin, 'GET', '/api/alerts/mail-servers')).json()[0];
    const put = await call(admin, 'PUT', `/api/alerts/mail-servers/${first.id}`, { host: first.host, port: down, security: 'none', username: null, password: null, sender: first.sender });
    expect(put.statusCode).toBe(200);
    const res = await call(admin, 'POST', '/api/alerts/test-email', { to: 'admin@example.lan' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ sent: false, errors: [{ relay: `127.0.0.1:${down}`, message: expect.stringMatching(/ECONNREFUSED/) }] });
    expect((await call(admin, 'GET', '/api/alerts/mail-servers')).json()[0].password).toEqual({ set: false });
  });
});

describe('history and acknowledge', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      now += 1000;
      await raiseAlert(deps, { source: 'scancore.ipmi', host: i % 2 === 0 ? 'an-a01n01' : 'an-a01n02', key: `k${i}`, level: i < 2 ? 'critical' : 'notice', messageKey: 'alert.generic', variables: { message: `m${i}` } });
    }
  });

  it('filters by level and host, newest first, paged', async () => {
    const all = (await call(viewer, 'GET', '/api/alerts?limit=2')).json();
    expect(all.total).toBe(5);
    expect(all.alerts.map((a: { key: string }) => a.key)).toEqual(['k4', 'k3']);
    const page2 = (await call(viewer, 'GET', '/api/alerts?limit=2&offset=2')).json();
    expect(page2.alerts.map((a: { key: string }) => a.key)).toEqual(['k2', 'k1']);
    const crit = (await call(viewer, 'GET', '/api/alerts?level=critical&host=an-a01n01')).json();
    expect(crit.alerts.map((a: { key: string }) => a.key)).toEqual(['k0']);
    const open = (await call(viewer, 'GET', '/api/alerts?open=true&limit=500')).json();
    expect(open.alerts.filter((a: { key: string }) => /^k\d$/.test(a.key)).map((a: { key: string; state: string }) => [a.key, a.state])).toEqual([4, 3, 2, 1, 0].map((i) => [`k${i}`, 'raised']));
  });

  it('acknowledges once, by an operator or more', async () => {
    const [a] = (await call(viewer, 'GET', '/api/alerts?limit=1')).json().alerts;
    expect((await call(viewer, 'POST', `/api/alerts/${a.id}/acknowledge`)).statusCode).toBe(403);
    const ack = await call(admin, 'POST', `/api/alerts/${a.id}/acknowledge`);
    expect(ack.json()).toMatchObject({ id: a.id, acknowledgedBy: 'admin' });
    expect((await call(admin, 'POST', `/api/alerts/${a.id}/acknowledge`)).statusCode).toBe(409);
    expect((await call(admin, 'POST', '/api/alerts/00000000-0000-4000-8000-000000000000/acknowledge')).statusCode).toBe(404);
  });
});

describe('a cause cleared together', () => {
  it('shows every alert of the cause cleared with its message, and the clear deliveries on one of them only', async () => {
    const add = await call(admin, 'POST', '/api/alerts/recipients', { name: 'Duty', email: 'duty@example.lan', level: 'notice' });
    expect(add.statusCode).toBe(201);
    const vars = { node: 'n1', survivor: 'n2', servers: 'vm1', reason: 'on battery' };
    for (const [key, level, messageKey] of [['power:withdraw-node', 'warning', 'scancore.decision.shed_load'], ['power:shutdown', 'critical', 'scancore.decision.shutdown'], ['power:boot-nodes', 'notice', 'scancore.decision.boot']] as const) {
      now += 1000;
      await raiseAlert(deps, { source: 'scancore', host: 'an-anvil07', key, level, messageKey, variables: vars });
    }
    now += 1000;
    const cleared = await clearAlert(deps, { source: 'scancore', host: 'an-anvil07', key: 'power:migrate-servers', with: ['power:withdraw-node', 'power:shutdown', 'power:boot-nodes'], messageKey: 'scancore.decision.power_restored', variables: { pair: 'an-anvil07', nodes: 'n1 and n2' } });
    expect(cleared).toMatchObject({ state: 'cleared', sent: 'clear' });
    const res = await call(viewer, 'GET', '/api/alerts?host=an-anvil07');
    expect(res.statusCode).toBe(200);
    // The open ones only (what the dashboard reads): none is left of the cause; a bad value names the field.
    expect((await call(viewer, 'GET', '/api/alerts?host=an-anvil07&open=false')).json().total).toBe(3);
    expect((await call(viewer, 'GET', '/api/alerts?host=an-anvil07&open=true')).json()).toMatchObject({ total: 0, alerts: [] });
    const bad = await call(viewer, 'GET', '/api/alerts?open=yes');
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('query.open');
    const alerts = res.json().alerts as { key: string; state: string; clearMessage: string; deliveries: { kind: string; email: string }[] }[];
    expect(alerts.map((a) => [a.key, a.state, a.clearMessage])).toEqual([
      ['power:boot-nodes', 'cleared', 'Mains power is back for an-anvil07: n1 and n2 are on and in the cluster.'],
      ['power:shutdown', 'cleared', 'Mains power is back for an-anvil07: n1 and n2 are on and in the cluster.'],
      ['power:withdraw-node', 'cleared', 'Mains power is back for an-anvil07: n1 and n2 are on and in the cluster.'],
    ]);
    const clears = alerts.map((a) => [a.key, a.deliveries.filter((d) => d.kind === 'clear' && d.email === 'duty@example.lan').length]);
    expect(clears).toEqual([['power:boot-nodes', 0], ['power:shutdown', 1], ['power:withdraw-node', 0]]);
  });
});

describe('hostile input is refused with the field named, never a 5xx', () => {
  const big = 'x'.repeat(70_000);
  it.each<[string, 'GET' | 'POST' | 'PUT', string, unknown, number, string]>([
    ['recipient without a body', 'POST', '/api/alerts/recipients', undefined, 400, 'body'],
    ['recipient with a bad e-mail', 'POST', '/api/alerts/recipients', { name: 'x', email: 'not an address', level: 'info' }, 400, 'body.email'],
    ['recipient with an unknown level', 'POST', '/api/alerts/recipients', { name: 'x', email: 'a@b.lan', level: 'panic' }, 400, 'body.level'],
    ['recipient with an unshipped language', 'POST', '/api/alerts/recipients', { name: 'x', email: 'a@b.lan', level: 'info', language: 'xx' }, 400, 'body.language'],
    ['recipient with an unknown key', 'POST', '/api/alerts/recipients', { name: 'x', email: 'a@b.lan', level: 'info', admin: true }, 400, 'body.admin'],
    ['recipient with __proto__', 'POST', '/api/alerts/recipients', JSON.parse('{"name":"x","email":"a@b.lan","level":"info","__proto__":{"x":1}}'), 400, 'body'],
    ['recipient with a duplicate override', 'POST', '/api/alerts/recipients', { name: 'x', email: 'a@b.lan', level: 'info', overrides: [{ host: 'h1', level: 'info' }, { host: 'h1', level: 'none' }] }, 400, 'body.overrides.1.host'],
    ['recipient with a hostile override host', 'POST', '/api/alerts/recipients', { name: 'x', email: 'a@b.lan', level: 'info', overrides: [{ host: "h1'; DROP TABLE alerts;--", level: 'info' }] }, 400, 'body.overrides.0.host'],
    ['recipient with a NUL in the name', 'POST', '/api/alerts/recipients', { name: 'a\u0000b'.repeat(60), email: 'a@b.lan', level: 'info' }, 400, 'body.name'],
    ['mail server with port 0', 'POST', '/api/alerts/mail-servers', { host: 'smtp.lan', port: 0, security: 'none', sender: 'a@b.lan' }, 400, 'body.port'],
    ['mail server with a string port', 'POST', '/api/alerts/mail-servers', { host: 'smtp.lan', port: '25', security: 'none', sender: 'a@b.lan' }, 400, 'body.port'],
    ['mail server with an unknown security', 'POST', '/api/alerts/mail-servers', { host: 'smtp.lan', port: 25, security: 'ssl3', sender: 'a@b.lan' }, 400, 'body.security'],
    ['mail server keeping a password it never had', 'POST', '/api/alerts/mail-servers', { host: 'smtp.lan', port: 25, security: 'none', username: 'u', password: { set: true }, sender: 'a@b.lan' }, 400, 'body.password'],
    ['mail server with a password and no username', 'POST', '/api/alerts/mail-servers', { host: 'smtp.lan', port: 25, security: 'none', password: 'p', sender: 'a@b.lan' }, 400, 'body.password'],
    ['mail server with a host with spaces', 'POST', '/api/alerts/mail-servers', { host: 'smtp lan', port: 25, security: 'none', sender: 'a@b.lan' }, 400, 'body.host'],
    ['mail server with an oversized password', 'POST', '/api/alerts/mail-servers', { host: 'smtp.lan', port: 25, security: 'none', username: 'u', password: 'p'.repeat(5000), sender: 'a@b.lan' }, 400, 'body.password'],
    ['test e-mail with neither to nor recipient', 'POST', '/api/alerts/test-email', {}, 400, 'body.to'],
    ['test e-mail with a bad recipient id', 'POST', '/api/alerts/test-email', { recipientId: 'nope' }, 400, 'body.recipientId'],
    ['test e-mail with header injection', 'POST', '/api/alerts/test-email', { to: 'a@b.lan\r\nBcc: evil@x.lan' }, 400, 'body.to'],
    ['history with an unknown level', 'GET', '/api/alerts?level=urgent', undefined, 400, 'query.level'],
    ['history with a negative offset', 'GET', '/api/alerts?offset=-1', undefined, 400, 'query.offset'],
    ['history with a huge limit', 'GET', '/api/alerts?limit=99999999999999999999', undefined, 400, 'query.limit'],
    ['history with an unknown parameter', 'GET', '/api/alerts?sort=1', undefined, 400, 'query.sort'],
    ['history with a hostile host', 'GET', `/api/alerts?host=${encodeURIComponent("x' OR 1=1")}`, undefined, 400, 'query.host'],
  ])('%s', async (_name, method, url, payload, status, field) => {
    const res = await call(admin, method, url, payload);
    expect(res.statusCode).toBe(status);
    const problems = (res.json() as { error: { details?: { problems?: { path: string }[] } } }).error.details?.problems ?? [];
    expect(problems.map((p) => p.path)).toContain(field);
  });

  it('an oversized body is refused as too large', async () => {
    const res = await call(admin, 'POST', '/api/alerts/recipients', { name: big, email: 'a@b.lan', level: 'info' });
    expect(res.statusCode).toBe(413);
  });
});
