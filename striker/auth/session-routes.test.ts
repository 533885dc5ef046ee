/**
 * Logging in and first-run setup under abuse, through fastify inject on a real database: attempts
 * counted before they are checked, per-address limits with a per-user slow-down (never a lockout),
 * bounded hashing, the host allow-list against DNS rebinding, and first-run setup from loopback or
 * a configured address only.
 */
import { readFile } from 'node:fs/promises';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createTestApp, type TestApp } from '../../test/support/test-app.js';
import { loadConfig } from '../app/config/load-config.js';
import { HostAllowList } from '../http/host-allow-list.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher } from './password-hasher.js';
import { scryptKdf, type Kdf } from './password.js';

const PASSWORD = 'correct horse battery';

/** scrypt, counting calls, how many run at once, and how many finished. */
function countingKdf(): Kdf & { calls: number; active: number; peak: number; done: number } {
  const kdf = Object.assign(
    async (password: string, salt: Buffer, options: { N: number; r: number; p: number }) => {
      kdf.calls++;
      kdf.active++;
      kdf.peak = Math.max(kdf.peak, kdf.active);
      try {
        return await scryptKdf(password, salt, options);
      } finally {
        kdf.active--;
        kdf.done++;
      }
    },
    { calls: 0, active: 0, peak: 0, done: 0 },
  );
  return kdf;
}

function post(t: TestApp, url: string, payload: Record<string, unknown>, remoteAddress = '127.0.0.1', headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url, payload, remoteAddress, headers });
}

describe('login attempts', () => {
  let t: TestApp;
  let kdf: ReturnType<typeof countingKdf>;
  const delays: number[] = [];

  beforeAll(async () => {
    kdf = countingKdf();
    t = await createTestApp({
      hasher: new PasswordHasher({ concurrency: 2, queue: 200 }, kdf),
      throttle: new LoginThrottle({ attempts: 5, windowMs: 300_000, slowdownAfter: 3, slowdownMaxMs: 10_000 }),
      loginDelay: async (ms) => void delays.push(ms),
    });
    for (const name of ['ada', 'otto', 'grace', 'linus']) await addUser(t, name, 'operator', PASSWORD);
  });
  afterAll(async () => t.close());

  it('checks at most the limit of 150 concurrent wrong passwords from one address; the rest get 429 with Retry-After', async () => {
    const before = kdf.calls;
    const results = await Promise.all(Array.from({ length: 150 }, () => post(t, '/api/session', { username: 'ada', password: 'not the password' }, '10.1.1.1')));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(145);
    expect(kdf.calls - before).toBe(5);
    const limited = results.find((r) => r.statusCode === 429)!;
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
  });

  it('never locks a user out from other addresses: failures elsewhere slow it down, boundedly; a known address is not slowed', async () => {
    expect((await post(t, '/api/session', { username: 'grace', password: PASSWORD }, '10.2.0.1')).statusCode).toBe(200);
    for (let a = 0; a < 4; a++) {
      for (let i = 0; i < 5; i++) expect((await post(t, '/api/session', { username: 'grace', password: 'a wrong guess' }, `10.66.0.${a}`)).statusCode).toBe(401);
    }
    delays.length = 0;
    expect((await post(t, '/api/session', { username: 'grace', password: PASSWORD }, '10.2.0.1')).statusCode).toBe(200);
    expect(delays).toEqual([]);
    expect((await post(t, '/api/session', { username: 'grace', password: PASSWORD }, '10.2.0.2')).statusCode).toBe(200);
    expect(delays).toEqual([10_000]);
  });

  it("a successful login does not clear the address's failures for other users", async () => {
    const ip = '10.3.0.1';
    for (let i = 0; i < 4; i++) expect((await post(t, '/api/session', { username: 'linus', password: 'a wrong guess' }, ip)).statusCode).toBe(401);
    expect((await post(t, '/api/session', { username: 'otto', password: PASSWORD }, ip)).statusCode).toBe(200);
    expect((await post(t, '/api/session', { username: 'linus', password: 'another wrong guess' }, ip)).statusCode).toBe(401);
    expect((await post(t, '/api/session', { username: 'linus', password: 'a third wrong guess' }, ip)).statusCode).toBe(429);
  });

  it('audits a failed login under the user name only when that user exists (an unknown name may be a password typed in the wrong field)', async () => {
    const typedPassword = 'Correct-Horse-Battery-4412';
    expect((await post(t, '/api/session', { username: typedPassword, password: 'x' }, '10.4.0.1')).statusCode).toBe(401);
    expect((await post(t, '/api/session', { username: 'otto', password: 'a wrong guess' }, '10.4.0.2')).statusCode).toBe(401);
    const { rows } = await t.t.db.query<{ actor_name: string; ip: string }>(
      `SELECT actor_name, details->>'ip' AS ip FROM audit_log WHERE action = 'session.login-failed' AND details->>'ip' IN ('10.4.0.1', '10.4.0.2') ORDER BY ip`,
    );
    expect(rows).toEqual([{ actor_name: '(unknown user)', ip: '10.4.0.1' }, { actor_name: 'otto', ip: '10.4.0.2' }]);
    const all = await t.t.db.query<{ text: string }>(`SELECT actor_name || ' ' || details::text AS text FROM audit_log`);
    expect(all.rows.map((r) => r.text).join('\n').toLowerCase()).not.toContain(typedPassword.toLowerCase());
  });

  it('runs at most 2 hashes at once during a burst of logins, and a file read completes during the burst', async () => {
    const burst = 24;
    const before = { done: kdf.done };
    kdf.peak = 0;
    const all = Promise.all(Array.from({ length: burst }, (_, i) => post(t, '/api/session', { username: `nobody${i}`, password: 'whatever it is' }, `10.4.${i}.1`)));
    // Wait until hashing has begun, then read a file through the same thread pool.
    while (kdf.active === 0) await new Promise((resolve) => setImmediate(resolve));
    await readFile(new URL(import.meta.url));
    const doneAtRead = kdf.done - before.done;
    const results = await all;
    expect(results.map((r) => r.statusCode)).toEqual(Array(burst).fill(401));
    expect(kdf.peak).toBeLessThanOrEqual(2);
    expect(kdf.done - before.done).toBe(burst);
    // The read did not wait behind the queued hashes: at most the two running ones finished first
    // (without the bound, the read queues behind every hash already on the thread pool).
    expect(doneAtRead).toBeLessThanOrEqual(2);
  });

  it('answers 429 busy beyond the queue, and a busy attempt does not count against the address', async () => {
    const busy = await createTestApp({ hasher: new PasswordHasher({ concurrency: 1, queue: 2 }) });
    try {
      const results = await Promise.all(Array.from({ length: 10 }, () => post(busy, '/api/session', { username: 'nobody', password: 'whatever it is' }, '10.5.0.1')));
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
      const refused = results.find((r) => r.statusCode === 429)!;
      expect(refused.json().error.message).toContain('busy');
      expect(refused.headers['retry-after']).toBe('1');
      // Three failures counted, not ten: two more attempts are allowed from this address.
      expect((await post(busy, '/api/session', { username: 'nobody', password: 'whatever it is' }, '10.5.0.1')).statusCode).toBe(401);
      expect((await post(busy, '/api/session', { username: 'nobody', password: 'whatever it is' }, '10.5.0.1')).statusCode).toBe(401);
      expect((await post(busy, '/api/session', { username: 'nobody', password: 'whatever it is' }, '10.5.0.1')).statusCode).toBe(429);
    } finally {
      await busy.close();
    }
  });
});

describe('host allow-list (DNS rebinding)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ hosts: new HostAllowList(['striker1.example.com']) });
    await addUser(t, 'ada', 'admin', PASSWORD);
  });
  afterAll(async () => t.close());

  const login = (headers: Record<string, string>) => post(t, '/api/session', { username: 'ada', password: PASSWORD }, '10.9.0.1', headers);

  it('logs in under an allowed name, localhost or an IP literal', async () => {
    expect((await login({ host: 'striker1.example.com:8080', origin: 'http://striker1.example.com:8080' })).statusCode).toBe(200);
    expect((await login({ host: 'localhost:8080', origin: 'http://localhost:8080' })).statusCode).toBe(200);
    expect((await login({ host: '10.201.4.1:8080', origin: 'http://10.201.4.1:8080' })).statusCode).toBe(200);
    expect((await login({ host: '10.201.4.1' })).statusCode).toBe(200);
  });

  it('refuses a rebinding page: its Host and Origin name the attacker', async () => {
    const rebound = await login({ host: 'rebind.evil.net:8080', origin: 'http://rebind.evil.net:8080' });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json().error.message).toContain('http.allowedHosts');
    expect(rebound.cookies.find((c) => c.name === 'striker_session')).toBeUndefined();
    const noOrigin = await login({ host: 'rebind.evil.net' });
    expect(noOrigin.statusCode).toBe(403);
  });

  it('refuses an Origin not on the list or not the same host', async () => {
    expect((await login({ host: 'localhost:8080', origin: 'http://rebind.evil.net:8080' })).json().error.code).toBe('CSRF_FAILED');
    expect((await login({ host: 'localhost:8080', origin: 'http://striker1.example.com:8080' })).json().error.code).toBe('CSRF_FAILED');
    expect((await login({ host: 'localhost:8080', origin: 'null' })).statusCode).toBe(403);
  });

  it('does not hold public GETs to the list', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/session', headers: { host: 'rebind.evil.net' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ authenticated: false, setupRequired: false });
  });
});

describe('first-run setup', () => {
  const admin = { username: 'admin', displayName: 'Site Admin', password: 'violet ferry knob tundra' };

  async function users(t: TestApp): Promise<number> {
    const { rows } = await t.t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return rows[0]!.n;
  }

  it('is refused from an address that is neither loopback nor configured, until an admin exists', async () => {
    const t = await createTestApp();
    try {
      const remote = await post(t, '/api/setup/admin', admin, '10.201.4.20');
      expect(remote.statusCode).toBe(403);
      expect(remote.json().error.message).toContain('auth.setupAddresses');
      expect(await users(t)).toBe(0);
      const local = await post(t, '/api/setup/admin', admin, '127.0.0.1');
      expect(local.statusCode).toBe(201);
      expect(local.cookies.find((c) => c.name === 'striker_session')).toBeDefined();
      const after = await post(t, '/api/setup/admin', { ...admin, username: 'second' }, '10.201.4.20');
      expect(after.statusCode).toBe(409);
      expect(after.json().error.code).toBe('SETUP_DONE');
      expect(await users(t)).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('is answered from an address in auth.setupAddresses', async () => {
    const t = await createTestApp({ config: loadConfig({ env: { STRIKER_AUTH__SETUP_ADDRESSES: '[10.201.4.0/24]' } }) });
    try {
      expect((await post(t, '/api/setup/admin', admin, '10.201.5.20')).statusCode).toBe(403);
      expect((await post(t, '/api/setup/admin', admin, '10.201.4.20')).statusCode).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('refuses a weak first admin password, naming the field', async () => {
    const t = await createTestApp();
    try {
      const res = await post(t, '/api/setup/admin', { ...admin, password: 'Password123' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.problems).toEqual([{ path: 'body.password', message: expect.stringContaining('common passwords') }]);
      expect(await users(t)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
