/**
 * Users and API tokens under abuse, through fastify inject on a real database: the last admin
 * kept under truly concurrent demotions and disables, passwords never echoed or logged, the
 * password policy on every way a password is set, and tokens revoked with their owner's password
 * and never outliving the token that made them.
 */
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';

const PASSWORD = 'correct horse battery';

let t: TestApp;
const logLines: string[] = [];
let admin: Login;

async function userId(name: string): Promise<string> {
  const { rows } = await t.t.db.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [name]);
  return rows[0]!.id;
}

async function enabledAdmins(names: string[]): Promise<string[]> {
  const { rows } = await t.t.db.query<{ username: string }>(
    `SELECT username FROM users WHERE role = 'admin' AND NOT disabled AND username = ANY($1) ORDER BY username`,
    [names],
  );
  return rows.map((r) => r.username);
}

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _encoding, done) => void (logLines.push(String(chunk)), done()) });
  t = await createTestApp({ logger: pino({ level: 'trace' }, sink) });
  await addUser(t, 'root', 'admin', PASSWORD);
  await addUser(t, 'otto', 'operator', PASSWORD);
  admin = await loginAs(t, 'root');
});
afterAll(async () => t.close());

describe('the last admin', () => {
  it('survives two admins demoting each other at the same moment, every time', async () => {
    await addUser(t, 'alice', 'admin', PASSWORD);
    await addUser(t, 'bob', 'admin', PASSWORD);
    // Only alice and bob may be admins for the count to matter: root steps down first.
    const a = await userId('alice');
    const b = await userId('bob');
    try {
      for (let round = 0; round < 10; round++) {
        await t.t.db.query(`UPDATE users SET role = 'admin', disabled = false WHERE id = ANY($1)`, [[a, b]]);
        await t.t.db.query(`UPDATE users SET role = 'operator' WHERE username = 'root'`);
        const [alice, bob] = await Promise.all([loginAs(t, 'alice'), loginAs(t, 'bob')]);
        const disabling = round % 2 === 1;
        const change = disabling ? { disabled: true } : { role: 'viewer' };
        const results = await Promise.all([
          t.app.inject({ method: 'PATCH', url: `/api/users/${b}`, headers: alice.headers, payload: change }),
          t.app.inject({ method: 'PATCH', url: `/api/users/${a}`, headers: bob.headers, payload: change }),
        ]);
        const codes = results.map((r) => r.statusCode).sort();
        expect(codes[0]).toBe(200);
        // The other is refused: 409 (it would leave no admin) or 403 (its sender is no longer an
        // admin); when the winner disabled the sender, the sender's session may already be gone (401).
        expect(disabling ? [401, 403, 409] : [403, 409]).toContain(codes[1]);
        expect(await enabledAdmins(['alice', 'bob'])).toHaveLength(1);
      }
    } finally {
      // The other tests act as root: give root its role back even when a round failed.
      await t.t.db.query(`UPDATE users SET role = 'admin' WHERE username = 'root'`);
    }
  });
});

describe('passwords are never echoed or logged', () => {
  const MARK = 'Qx7MarkOfTheSecret';

  it('in error bodies, logs or audit rows, whatever the route and whatever is wrong with it', async () => {
    const otto = await userId('otto');
    const responses: LightMyRequestResponse[] = [];
    const send = async (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>, headers: Record<string, string> = admin.headers) => {
      const res = await t.app.inject({ method, url, headers, payload });
      responses.push(res);
      return res;
    };
    const tooShort = MARK.slice(0, 9);
    const tooLong = MARK.repeat(60);
    const weak = MARK.slice(0, 4).repeat(4);
    for (const password of [tooShort, tooLong, weak, 12345]) {
      expect((await send('POST', '/api/users', { username: 'newbie', password, role: 'viewer' })).statusCode).toBe(400);
      expect((await send('PATCH', `/api/users/${otto}`, { password })).statusCode).toBe(400);
      expect((await send('POST', '/api/setup/admin', { username: 'admin2', password }, {})).statusCode).toBe(400);
    }
    expect((await send('POST', '/api/session', { username: 'otto', password: tooLong }, {})).statusCode).toBe(400);
    expect((await send('POST', '/api/session', { username: 'otto', password: `${MARK} wrong` }, {})).statusCode).toBe(401);
    // A good one is accepted, and is no more visible than the rejected ones.
    expect((await send('PATCH', `/api/users/${otto}`, { password: `violet ${MARK} tundra` })).statusCode).toBe(200);
    expect((await send('POST', '/api/session', { username: 'otto', password: `violet ${MARK} tundra` }, {})).statusCode).toBe(200);

    const problems = responses.filter((r) => r.statusCode === 400).map((r) => r.json().error.details.problems as { path: string }[]);
    for (const list of problems) expect(list.map((p) => p.path)).toContain('body.password');
    // The third password (`weak`) passes the schema and fails the policy.
    const weakProblem = responses[6]!.json().error.details.problems[0];
    expect(weakProblem.message).toContain('too easy to guess');
    const { rows } = await t.t.db.query<{ text: string }>(`SELECT actor_name || ' ' || details::text AS text FROM audit_log`);
    expect(logLines.length).toBeGreaterThan(0);
    const everything = [...responses.map((r) => r.body), ...logLines, ...rows.map((r) => r.text)].join('\n');
    for (const secret of [tooShort, MARK.slice(0, 4), 'violet']) expect(everything).not.toContain(secret);
  });
});

describe('the password policy', () => {
  it('applies to a new user, with the user name and display name as guessable words', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: 'qmarlowe', displayName: 'Quintessa Marlowe', password: 'Quintessa Marlowe', role: 'viewer' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.problems).toEqual([{ path: 'body.password', message: expect.stringContaining('too easy to guess') }]);
    const ok = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: 'qmarlowe', displayName: 'Quintessa Marlowe', password: 'plinth-quasar-mauve-41', role: 'viewer' } });
    expect(ok.statusCode).toBe(201);
  });

  it('lists the policy problem with the other problems of the body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/users', headers: admin.headers, payload: { username: '9bad', password: 'qwertyuiop', role: 'god' } });
    expect(res.statusCode).toBe(400);
    const paths = (res.json().error.details.problems as { path: string }[]).map((p) => p.path).sort();
    expect(paths).toEqual(['body.password', 'body.role', 'body.username']);
  });

  it('applies to a password change', async () => {
    const id = await userId('qmarlowe');
    const res = await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin.headers, payload: { password: 'marlowe2024' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.problems[0].path).toBe('body.password');
  });
});

describe('API tokens', () => {
  async function newToken(headers: Record<string, string>, payload: Record<string, unknown>): Promise<{ token: string; info: { id: string; expiresAt: string | null } }> {
    const res = await t.app.inject({ method: 'POST', url: '/api/tokens', headers, payload });
    expect(res.statusCode).toBe(201);
    return res.json();
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const works = async (token: string) => (await t.app.inject({ method: 'GET', url: '/api/jobs', headers: bearer(token) })).statusCode === 200;

  it("are revoked when their owner's password is reset or the owner is disabled", async () => {
    await addUser(t, 'tina', 'operator', PASSWORD);
    const id = await userId('tina');
    const tina = await loginAs(t, 'tina');
    const first = await newToken(tina.headers, { name: 'laptop' });
    expect(await works(first.token)).toBe(true);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin.headers, payload: { password: 'a brand new quartz lantern' } })).statusCode).toBe(200);
    expect(await works(first.token)).toBe(false);

    const again = await loginAs(t, 'tina', 'a brand new quartz lantern');
    const second = await newToken(again.headers, { name: 'laptop' });
    expect((await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin.headers, payload: { disabled: true } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin.headers, payload: { disabled: false } })).statusCode).toBe(200);
    // Enabled again, the token stays revoked.
    expect(await works(second.token)).toBe(false);
    const { rows } = await t.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL', [id]);
    expect(rows[0]!.n).toBe(0);
  });

  it('made with a token, expire no later than it, and act with the same rights', async () => {
    await addUser(t, 'olga', 'operator', PASSWORD);
    const olga = await loginAs(t, 'olga');
    const shortLived = await newToken(olga.headers, { name: 'one day', days: 1 });
    const longer = await newToken(bearer(shortLived.token), { name: 'a year', days: 365 });
    const forever = await newToken(bearer(shortLived.token), { name: 'forever', days: null });
    expect(longer.info.expiresAt).toBe(shortLived.info.expiresAt);
    expect(forever.info.expiresAt).toBe(shortLived.info.expiresAt);
    const shorter = await newToken(bearer(longer.token), { name: 'an hour or so', days: 1 });
    expect(new Date(shorter.info.expiresAt!).getTime()).toBeLessThanOrEqual(new Date(shortLived.info.expiresAt!).getTime());
    // A token that never expires can make one that does, uncapped.
    const unlimited = await newToken(olga.headers, { name: 'service', days: null });
    expect(unlimited.info.expiresAt).toBeNull();
    const month = await newToken(bearer(unlimited.token), { name: 'a month', days: 30 });
    expect(new Date(month.info.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    // Same owner, same role: an operator's token cannot reach admin routes, nor can the ones it makes.
    expect((await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(longer.token) })).statusCode).toBe(403);
    const { rows } = await t.t.db.query<{ user_id: string }>('SELECT DISTINCT user_id FROM api_tokens WHERE id = ANY($1)', [[shortLived.info.id, longer.info.id, forever.info.id]]);
    expect(rows).toEqual([{ user_id: await userId('olga') }]);
  });
});
