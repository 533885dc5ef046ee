/**
 * Strikers for peering tests: each a real `striker serve` on loopback with its own data directory
 * and embedded PostgreSQL, an admin of its own (logged in over HTTP) and an admin API token.
 * Each first admin has its own user name: a user name is unique across the site, and the same
 * name made on two Strikers before they peer is a clash on that unique key.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedUrl } from '../../striker/db/embedded-postgres.js';
import { freePort, runStriker, startServe, startServeOnLoopback, type ServeProcess } from './striker-process.js';

export const SIDE_PASSWORD = 'correct horse battery staple 42';

export interface Side {
  /** This Striker's node name (read from its API). */
  name: string;
  admin: string;
  dir: string;
  env: Record<string, string>;
  striker: ServeProcess;
  url: string;
  /** The admin's session cookie, CSRF token and JSON content type. */
  headers: Record<string, string>;
  /** An admin API token of this Striker (what a peer is added with). */
  token: string;
  /** Stops `striker serve` (and its PostgreSQL), keeping the data directory. */
  halt(): Promise<void>;
  /** Starts `striker serve` again on the same data directory and port. */
  resume(): Promise<void>;
  /** Stops it and removes its data directory. */
  stop(): Promise<void>;
}

export async function startSide(label: string, more: Record<string, string> = {}): Promise<Side> {
  const dir = mkdtempSync(join(tmpdir(), `striker-peers-${label}-`));
  const env = {
    STRIKER_DATA_DIR: dir,
    STRIKER_HTTP__HOST: '127.0.0.1',
    STRIKER_HTTP__PORT: String(await freePort()),
    // Peers reach this database at a fixed port, also after a restart.
    STRIKER_DATABASE__EMBEDDED_PORT: String(await freePort()),
    STRIKER_DATABASE__REPLICATION__WAL_RETRIEVE_RETRY_MS: '200',
    STRIKER_LOG__LEVEL: 'warn',
    ...more,
  };
  const admin = `admin-${label}`;
  const striker = await startServeOnLoopback(env);
  try {
    const add = await runStriker(['user', 'add', admin, '--role', 'admin'], env, `${SIDE_PASSWORD}\n`);
    if (add.code !== 0) throw new Error(`striker user add failed: ${add.stderr}`);
    const login = await fetch(`${striker.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: admin, password: SIDE_PASSWORD }) });
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie: login.headers.getSetCookie()[0]!.split(';')[0]!, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    const created = await runStriker(['--json', 'token', 'create', admin, '--name', 'peering'], env);
    if (created.code !== 0) throw new Error(`striker token create failed: ${created.stderr}`);
    const self = (await (await fetch(`${striker.url}/api/peers`, { headers })).json()) as { self: { name: string } };
    const side: Side = {
      name: self.self.name,
      admin,
      dir,
      env,
      striker,
      url: striker.url,
      headers,
      token: (JSON.parse(created.stdout) as { token: string }).token,
      async halt() {
        await side.striker.stop();
      },
      async resume() {
        side.striker = await startServe(env);
      },
      async stop() {
        await side.striker.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return side;
  } catch (error) {
    await striker.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Calls a Striker's API as its admin (or with `given` headers); the answer's status and JSON. */
export async function sideApi<T = unknown>(side: Side, method: string, path: string, body?: unknown, given: Record<string, string> = side.headers): Promise<{ status: number; body: T }> {
  const headers = { ...given };
  if (body === undefined) delete headers['content-type'];
  const r = await fetch(`${side.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** One statement on a Striker's embedded database, as its superuser. */
export async function sideSql<R extends pg.QueryResultRow>(side: Side, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: embeddedUrl(side.dir) });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export function sideKeyring(side: Side): { current: string; keys: { id: string }[] } {
  return JSON.parse(readFileSync(join(side.dir, 'site-keys.json'), 'utf8')) as { current: string; keys: { id: string }[] };
}

export async function eventually<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}
