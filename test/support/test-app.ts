/**
 * Builds the real HTTP app on a fresh test database, plus helpers to log in through it.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../striker/http/build-app.js';
import type { AppDeps } from '../../striker/http/app-deps.js';
import { systemActor } from '../../striker/audit/audit-store.js';
import { LoginThrottle } from '../../striker/auth/login-throttle.js';
import { PasswordHasher } from '../../striker/auth/password-hasher.js';
import { createUser } from '../../striker/auth/actions.js';
import type { Role } from '../../striker/auth/roles.js';
import { loadConfig } from '../../striker/app/config/load-config.js';
import type { JobCatalog } from '../../striker/jobs/job-kind.js';
import { createTestDatabase, quietLogger, type TestDatabase } from './test-database.js';
import { testCatalog } from './test-job-kinds.js';

export interface TestApp {
  app: FastifyInstance;
  t: TestDatabase;
  deps: AppDeps;
  close(): Promise<void>;
}

export async function createTestApp(over: Partial<AppDeps> & { catalog?: JobCatalog } = {}, database?: TestDatabase): Promise<TestApp> {
  const t = database ?? (await createTestDatabase());
  const deps: AppDeps = {
    db: t.db,
    config: loadConfig({ env: {} }),
    logger: quietLogger,
    catalog: testCatalog,
    throttle: new LoginThrottle({ attempts: 5, windowMs: 300_000, slowdownAfter: 3, slowdownMaxMs: 10_000 }),
    hasher: new PasswordHasher({ concurrency: 2, queue: 32 }),
    // Slow-downs are asserted through the throttle's decisions, not waited out.
    loginDelay: async () => {},
    version: 'test',
    ...over,
  };
  const app = await buildApp(deps);
  return { app, t, deps, close: async () => { await app.close(); await t.drop(); } };
}

export interface Login {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

export async function addUser(t: TestApp, username: string, role: Role, password = 'correct horse battery'): Promise<void> {
  await createUser(t.t.db, systemActor, { username, displayName: '', password, role });
}

export async function loginAs(t: TestApp, username: string, password = 'correct horse battery'): Promise<Login> {
  const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = sessionCookie(res);
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

export function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'striker_session');
  if (!c) throw new Error('no session cookie set');
  return `striker_session=${c.value}`;
}
