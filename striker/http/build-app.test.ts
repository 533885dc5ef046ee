import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, sessionCookie, type Login, type TestApp } from '../../test/support/test-app.js';

let t: TestApp;
let admin: Login;
let operator: Login;
let viewer: Login;

async function count(table: string): Promise<number> {
  const { rows } = await t.t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

beforeAll(async () => {
  t = await createTestApp();
  await addUser(t, 'ada', 'admin');
  await addUser(t, 'otto', 'operator');
  await addUser(t, 'vera', 'viewer');
  admin = await loginAs(t, 'ada');
  operator = await loginAs(t, 'otto');
  viewer = await loginAs(t, 'vera');
});
afterAll(async () => t.close());

describe('HTTP API', () => {
  it('reports health with database and runner state', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: { ok: true } });
  });

  it('sets an HttpOnly SameSite=Strict session cookie and tells who is logged in', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'vera', password: 'correct horse battery' } });
    const cookie = res.cookies.find((c) => c.name === 'striker_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    const me = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: sessionCookie(res) } });
    expect(me.json()).toMatchObject({ authenticated: true, user: { username: 'vera', role: 'viewer' } });
  });

  it('refuses a wrong password with 401 and rate-limits repeated failures per address', async () => {
    await addUser(t, 'limited', 'viewer');
    const attempt = () => t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'limited', password: 'wrong password!' }, remoteAddress: '10.9.9.9' });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await attempt()).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429]);
    const sameAddress = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'limited', password: 'correct horse battery' }, remoteAddress: '10.9.9.9' });
    expect(sameAddress.statusCode).toBe(429);
    expect(sameAddress.headers['retry-after']).toBeDefined();
    // The limit is the address's: the user is slowed down, never locked out, from elsewhere.
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'limited', password: 'correct horse battery' }, remoteAddress: '10.9.9.10' });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('answers 401 without a session, 403 for the wrong role, 403 without the CSRF token', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/jobs' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHENTICATED');
    const before = await count('users');
    const wrongRole = await t.app.inject({ method: 'POST', url: '/api/users', headers: operator.headers, payload: { username: 'x1', password: 'long enough pw', role: 'viewer' } });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().error.code).toBe('FORBIDDEN');
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin.cookie }, payload: { username: 'x2', password: 'long enough pw', role: 'viewer' } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_FAILED');
    const wrongCsrf = await t.app.inject({ method: 'POST', url: '/api/users', headers: { cookie: admin.cookie, 'x-csrf-token': operator.csrf }, payload: { username: 'x3', password: 'long enough pw', role: 'viewer' } });
    expect(wrongCsrf.statusCode).toBe(403);
    expect(await count('users')).toBe(before);
  });

  it('lists every problem of a malformed body with 400 and writes nothing', async () => {
    const before = await count('users');
    const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: '9bad name', password: 'short', role: 'god', extra: true } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.problems.map((p: { path: string }) => p.path).sort()).toEqual(['body.extra', 'body.password', 'body.role', 'body.username']);
    expect(await count('users')).toBe(before);
  });

  it('handles hostile bodies: bad JSON, wrong type, oversized, missing', async () => {
    const badJson = await t.app.inject({ method: 'POST', url: '/api/users', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '{"username": ' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('VALIDATION_FAILED');
    const array = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: [1, 2, 3] });
    expect(array.statusCode).toBe(400);
    const huge = await t.app.inject({ method: 'POST', url: '/api/users', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'a'.repeat(2_000_000) }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await t.app.inject({ method: 'POST', url: '/api/users', headers: { ...admin.headers, 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    const missing = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers });
    expect(missing.statusCode).toBe(400);
    const longUser = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'u'.repeat(5000), password: 'x' } });
    expect(longUser.statusCode).toBe(400);
    const health = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
  });

  it('answers 404 for an unknown job id or a malformed one', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/api/jobs/00000000-0000-4000-8000-000000000000', headers: viewer.headers });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    const malformed = await t.app.inject({ method: 'GET', url: "/api/jobs/1'%20OR%201=1", headers: viewer.headers });
    expect(malformed.statusCode).toBe(404);
    const cancel = await t.app.inject({ method: 'POST', url: '/api/jobs/00000000-0000-4000-8000-000000000000/cancel', headers: operator.headers });
    expect(cancel.statusCode).toBe(404);
  });

  it('lets an admin manage users, audited, and never leaves Striker without an admin', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: 'newbie', password: 'long enough pw', role: 'viewer' } });
    expect(created.statusCode).toBe(201);
    const id = created.json().user.id as string;
    expect(created.json().user).not.toHaveProperty('passwordHash');
    const dup = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: 'newbie', password: 'long enough pw', role: 'viewer' } });
    expect(dup.statusCode).toBe(409);
    const promoted = await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin.headers, payload: { role: 'operator' } });
    expect(promoted.json().user.role).toBe('operator');
    const disabled = await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin.headers, payload: { disabled: true } });
    expect(disabled.json().user.disabled).toBe(true);
    const login = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'newbie', password: 'long enough pw' } });
    expect(login.statusCode).toBe(401);
    const ada = (await t.app.inject({ method: 'GET', url: '/api/users', headers: admin.headers })).json().users.find((u: { username: string }) => u.username === 'ada');
    const lastAdmin = await t.app.inject({ method: 'PATCH', url: `/api/users/${ada.id}`, headers: admin.headers, payload: { role: 'viewer' } });
    expect(lastAdmin.statusCode).toBe(409);
    const audit = await t.app.inject({ method: 'GET', url: '/api/audit', headers: admin.headers });
    const actions = audit.json().entries.filter((e: { targetId: string }) => e.targetId === id).map((e: { action: string; actorName: string }) => `${e.actorName}:${e.action}`);
    expect(actions.sort()).toEqual(['ada:user.change', 'ada:user.change', 'ada:user.create']);
  });

  it('issues API tokens that work as Bearer credentials without CSRF, and can be revoked', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: operator.headers, payload: { name: 'cli on laptop' } });
    expect(res.statusCode).toBe(201);
    const { token, info } = res.json();
    expect(token).toMatch(/^skt_/);
    const { rows } = await t.t.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = $1', [info.id]);
    expect(rows[0]!.token_hash).not.toContain(token);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs', headers: bearer })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer })).statusCode).toBe(403);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/tokens/${info.id}`, headers: bearer });
    expect(revoke.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs', headers: bearer })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs', headers: { authorization: 'Bearer not-a-real-token-at-all' } })).statusCode).toBe(401);
  });

  it('lets operators cancel jobs and refuses viewers', async () => {
    const { enqueueJob } = await import('../jobs/enqueue.js');
    const job = await enqueueJob(t.t.db, t.deps.catalog, { kind: 'test.steps', payload: { steps: 1, stepMs: 0 } });
    const byViewer = await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel`, headers: viewer.headers });
    expect(byViewer.statusCode).toBe(403);
    const byOperator = await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel`, headers: operator.headers });
    expect(byOperator.statusCode).toBe(200);
    expect(byOperator.json().job.status).toBe('cancelled');
    const again = await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/cancel`, headers: operator.headers });
    expect(again.statusCode).toBe(409);
    const detail = await t.app.inject({ method: 'GET', url: `/api/jobs/${job.id}`, headers: viewer.headers });
    expect(detail.json().job).toMatchObject({ status: 'cancelled', kind: 'test.steps' });
  });

  it('hides internal errors behind a request id', async () => {
    const broken = await createTestApp({
      plugins: [(app) => void app.get('/api/broken', { config: { access: 'public' } }, async () => { throw new Error('secret internals at /etc/shadow'); })],
    });
    const res = await broken.app.inject({ method: 'GET', url: '/api/broken' });
    await broken.close();
    expect(res.statusCode).toBe(500);
    const body = res.json();
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).not.toContain('shadow');
    expect(res.body).not.toContain('at ');
  });

  it('refuses to register a route that does not declare its access', async () => {
    await expect(createTestApp({ plugins: [(app) => void app.get('/api/open', async () => 'x')] })).rejects.toThrow(/must declare config.access/);
  });

  it('logs out, and an expired session is told so', async () => {
    const me = await loginAs(t, 'vera');
    await t.t.db.query("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash IS NOT NULL AND user_id = (SELECT id FROM users WHERE username = 'vera')");
    const expired = await t.app.inject({ method: 'GET', url: '/api/jobs', headers: me.headers });
    // The expired session is removed, so the request is unauthenticated.
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('SESSION_EXPIRED');
    const fresh = await loginAs(t, 'vera');
    const out = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: fresh.headers });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs', headers: fresh.headers })).statusCode).toBe(401);
  });
});
