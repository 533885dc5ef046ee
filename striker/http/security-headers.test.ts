/**
 * Every response fastify sends carries `X-Content-Type-Options: nosniff`; every JSON API answer
 * carries `Cache-Control: no-store`, above all the ones with secrets (a login's CSRF token, a new
 * API token) and those for a logged-in user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';

let t: TestApp;
let admin: Login;

beforeAll(async () => {
  t = await createTestApp({ plugins: [(app) => void app.get('/boot/x', { config: { access: 'public' } }, async () => 'plain')] });
  await addUser(t, 'ada', 'admin');
  admin = await loginAs(t, 'ada');
});
afterAll(async () => t.close());

describe('security headers', () => {
  it('sends nosniff on success, client errors, 404s and non-API routes', async () => {
    const answers = await Promise.all([
      t.app.inject({ method: 'GET', url: '/api/health' }),
      t.app.inject({ method: 'GET', url: '/api/jobs' }),
      t.app.inject({ method: 'GET', url: '/nowhere' }),
      t.app.inject({ method: 'GET', url: '/boot/x' }),
      t.app.inject({ method: 'POST', url: '/api/users', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '{' }),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 401, 404, 200, 400]);
    for (const res of answers) expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(answers[3]!.headers['cache-control']).toBeUndefined();
  });

  it('sends no-store on the login, the session, a new token and any authenticated JSON', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username: 'ada', password: 'correct horse battery' } });
    expect(login.json()).toHaveProperty('csrfToken');
    const session = await t.app.inject({ method: 'GET', url: '/api/session', headers: admin.headers });
    const token = await t.app.inject({ method: 'POST', url: '/api/tokens', headers: admin.headers, payload: { name: 'cli' } });
    expect(token.statusCode).toBe(201);
    const jobs = await t.app.inject({ method: 'GET', url: '/api/jobs', headers: admin.headers });
    const users = await t.app.inject({ method: 'GET', url: '/api/users', headers: admin.headers });
    for (const res of [login, session, token, jobs, users]) expect(res.headers['cache-control']).toBe('no-store');
  });
});
