/**
 * Hostile input is a 400 that names the field, never a 500, and writes nothing: NUL characters in
 * params, query values and body strings or keys, bodies nested 100,000 deep, prototype-pollution
 * keys, out-of-range dates in query strings, huge numbers and wrong types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './input-guards.js';

let t: TestApp;
let admin: Login;

beforeAll(async () => {
  t = await createTestApp();
  await addUser(t, 'ada', 'admin');
  admin = await loginAs(t, 'ada');
});
afterAll(async () => t.close());

async function users(): Promise<number> {
  const { rows } = await t.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}

function problemPaths(body: string): string[] {
  return (JSON.parse(body) as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path);
}

describe('input guards', () => {
  it('refuses NUL characters in query values, params, body strings and keys, naming the field', async () => {
    const query = await t.app.inject({ method: 'GET', url: '/api/jobs?kind=a%00b', headers: admin.headers });
    expect(query.statusCode).toBe(400);
    expect(problemPaths(query.body)).toEqual(['query.kind']);
    const param = await t.app.inject({ method: 'GET', url: '/api/jobs/ab%00cd', headers: admin.headers });
    expect(param.statusCode).toBe(400);
    expect(problemPaths(param.body)).toEqual(['params.id']);
    const before = await users();
    const body = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: 'eve\u0000', password: 'long enough pw', role: 'viewer' } });
    expect(body.statusCode).toBe(400);
    expect(problemPaths(body.body)).toEqual(['body.username']);
    const key = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { 'x\u0000y': 1 } });
    expect(key.statusCode).toBe(400);
    expect(problemPaths(key.body)).toEqual(['body.x\\0y']);
    expect(await users()).toBe(before);
  });

  it('refuses a 100,000-deep JSON body with 400 "nests deeper than N" and stays up', async () => {
    const before = await users();
    for (const payload of ['['.repeat(100_000) + ']'.repeat(100_000), `{"username":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: { ...admin.headers, 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toContain(`body: nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    expect(await users()).toBe(before);
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  it('counts only brackets outside strings', () => {
    expect(jsonDepthExceeds('[[1]]', 2)).toBe(false);
    expect(jsonDepthExceeds('[[[1]]]', 2)).toBe(true);
    expect(jsonDepthExceeds(`{"a":"${'['.repeat(100)}\\"${'{'.repeat(10)}"}`, 2)).toBe(false);
  });

  it('refuses __proto__ and constructor.prototype keys as invalid JSON bodies', async () => {
    const before = await users();
    for (const payload of ['{"__proto__":{"role":"admin"},"username":"mallory"}', '{"constructor":{"prototype":{"isAdmin":true}}}']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: { ...admin.headers, 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(problemPaths(res.body)).toEqual(['body']);
    }
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(await users()).toBe(before);
  });

  it('refuses dates out of range or in the wrong form in query strings, and accepts ISO dates', async () => {
    for (const before of ['99999-01-01', '-1e20', '1e20', '+275760-09-13', '-271821-04-20', 'yesterday', '12']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/jobs?before=${encodeURIComponent(before)}`, headers: admin.headers });
      expect(res.statusCode, before).toBe(400);
      expect(problemPaths(res.body), before).toEqual(['query.before']);
    }
    for (const before of ['2026-01-31', '2026-01-31T12:00:00.000Z', '9999-12-31T23:59:59Z']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/jobs?before=${encodeURIComponent(before)}`, headers: admin.headers });
      expect(res.statusCode, before).toBe(200);
    }
  });

  it('refuses huge numbers and wrong types with 400 naming the field', async () => {
    const limit = await t.app.inject({ method: 'GET', url: `/api/jobs?limit=${'9'.repeat(400)}`, headers: admin.headers });
    expect(limit.statusCode).toBe(400);
    expect(problemPaths(limit.body)).toEqual(['query.limit']);
    const before = await users();
    const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: { ...admin.headers, 'content-type': 'application/json' }, payload: '{"username":1e400,"password":["x"],"role":{"a":1}}' });
    expect(res.statusCode).toBe(400);
    expect([...new Set(problemPaths(res.body))].sort()).toEqual(['body.password', 'body.role', 'body.username']);
    expect(await users()).toBe(before);
  });
});
