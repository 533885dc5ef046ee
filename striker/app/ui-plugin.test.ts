/**
 * The UI forwarding route on the real app: pages go to SvelteKit's handler (here a stand-in
 * handler.js written to a temporary build dir), unknown /api/ paths stay JSON 404s, and a page
 * request with an expired session cookie is redirected to the expired-session page; when the
 * session cannot be looked up at all, a page still gets the app while the API says what failed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type TestApp } from '../../test/support/test-app.js';
import { projectRoot, uiBuilt, uiPlugin } from './ui-plugin.js';

let t: TestApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-ui-build-'));
  writeFileSync(join(dir, 'handler.js'), `export function handler(req, res, next) {
    if (req.url === '/missing') return next();
    res.setHeader('content-type', 'text/html');
    res.end('<p>ui ' + req.method + ' ' + req.url + '</p>');
  }\n`);
  t = await createTestApp({ plugins: [(app) => uiPlugin(app, dir)] });
  await addUser(t, 'root', 'admin');
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('UI plugin', () => {
  it('hands pages to the UI handler and keeps API routes', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/jobs?x=1' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe('<p>ui GET /jobs?x=1</p>');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const health = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(health.headers['content-type']).toContain('application/json');
    const missing = await t.app.inject({ method: 'GET', url: '/missing' });
    expect(missing.statusCode).toBe(404);
  });

  it('answers an unknown /api/ path with the JSON 404, never the UI', async () => {
    for (const url of ['/api/nope', '/api', '/api/jobs/x/y/z']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    const post = await t.app.inject({ method: 'POST', url: '/api/nope', payload: {} });
    expect(post.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('sends a page request with an expired session to /session-expired and clears the cookie', async () => {
    const login = await loginAs(t, 'root');
    await t.t.db.query("UPDATE sessions SET expires_at = clock_timestamp() - interval '1 minute'");
    const res = await t.app.inject({ method: 'GET', url: '/jobs', headers: { cookie: login.cookie } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/session-expired');
    expect(res.cookies.find((c) => c.name === 'striker_session')?.value).toBe('');
    const api = await t.app.inject({ method: 'GET', url: '/api/jobs', headers: { cookie: login.cookie } });
    expect(api.statusCode).toBe(401);
  });

  it('serves the app for a page when the session lookup fails on our side, and keeps client errors', async () => {
    const login = await loginAs(t, 'root');
    // The sessions table gone stands in for a database that cannot answer the lookup.
    await t.t.db.query('ALTER TABLE sessions RENAME TO sessions_away');
    try {
      const page = await t.app.inject({ method: 'GET', url: '/jobs', headers: { cookie: login.cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toBe('<p>ui GET /jobs</p>');
      const api = await t.app.inject({ method: 'GET', url: '/api/jobs', headers: { cookie: login.cookie } });
      expect(api.statusCode).toBe(500);
      expect(api.json()).toMatchObject({ error: { code: 'INTERNAL', requestId: expect.any(String) } });
      const post = await t.app.inject({ method: 'POST', url: '/jobs', headers: { cookie: login.cookie }, payload: {} });
      expect(post.statusCode).toBe(500);
    } finally {
      await t.t.db.query('ALTER TABLE sessions_away RENAME TO sessions');
    }
    const badToken = await t.app.inject({ method: 'GET', url: '/jobs', headers: { authorization: 'Bearer srt_not-a-real-token-at-all' } });
    expect(badToken.statusCode).toBe(401);
  });

  it('finds the project root and whether the UI is built', () => {
    const root = projectRoot();
    expect(root).toBe(process.cwd());
    expect(uiBuilt(dir)).toBe(true);
    expect(uiBuilt(join(dir, 'nothing'))).toBe(false);
  });
});
