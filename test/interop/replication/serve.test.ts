/**
 * Two `striker serve` processes, each on its own embedded PostgreSQL, peered at the database
 * (subscriptions made with the replication module, as the peering step does): an admin created on
 * one logs in on the other, and a user added through either API is listed by the other's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPool, type Database } from '../../../striker/db/database.js';
import { embeddedUrl } from '../../../striker/db/embedded-postgres.js';
import { replicationStatus, subscribeToPeer } from '../../../striker/db/replication/index.js';
import { replicationLogger, waitUntil } from '../../support/replication-peers.js';
import { startServeAsAdmin, startServeOnLoopback, type ServeProcess } from '../../support/striker-process.js';

const password = 'a long enough quartz lantern 42';
const dirs = [mkdtempSync(join(tmpdir(), 'striker-serve-a-')), mkdtempSync(join(tmpdir(), 'striker-serve-b-'))] as const;
const env = (dir: string, node: string) => ({
  STRIKER_DATA_DIR: dir,
  STRIKER_DATABASE__REPLICATION__NODE_NAME: node,
  STRIKER_DATABASE__REPLICATION__WAL_RETRIEVE_RETRY_MS: '200',
});

let a: ServeProcess;
let b: ServeProcess;
let adminA: Record<string, string>;
let dbA: Database;
let dbB: Database;

beforeAll(async () => {
  const started = await startServeAsAdmin(env(dirs[0], 'striker_a'), password);
  a = started.striker;
  adminA = started.headers;
  b = await startServeOnLoopback(env(dirs[1], 'striker_b'));
  const [urlA, urlB] = [embeddedUrl(dirs[0])!, embeddedUrl(dirs[1])!];
  dbA = openPool(urlA, { poolSize: 2, logger: replicationLogger });
  dbB = openPool(urlB, { poolSize: 2, logger: replicationLogger });
  // B is the new Striker: it copies A's rows; A takes only B's changes from now on.
  await subscribeToPeer(dbB, { name: 'striker_a', connectionString: urlA, copyData: true });
  await subscribeToPeer(dbA, { name: 'striker_b', connectionString: urlB, copyData: false });
}, 180_000);

afterAll(async () => {
  await dbA?.close();
  await dbB?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function login(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  if (res.status !== 200) throw new Error(`login on ${url} answered ${res.status}: ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.getSetCookie()[0]!.split(';')[0]!, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
}

async function usernames(url: string, headers: Record<string, string>): Promise<string[]> {
  const res = await fetch(`${url}/api/users`, { headers });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { users: { username: string }[] };
  return body.users.map((u) => u.username).sort();
}

async function addUser(url: string, headers: Record<string, string>, username: string): Promise<void> {
  const res = await fetch(`${url}/api/users`, { method: 'POST', headers, body: JSON.stringify({ username, password: 'plinth-quasar-mauve-41', role: 'viewer' }) });
  expect(res.status, await res.clone().text()).toBe(201);
}

describe('two striker serve processes replicating', () => {
  it('lets the admin created on one Striker log in on the other', async () => {
    let adminB: Record<string, string> | undefined;
    await waitUntil(async () => {
      adminB = await login(b.url).catch(() => undefined);
      return adminB !== undefined;
    }, 30_000, 'the admin to reach B');
    expect(await usernames(b.url, adminB!)).toContain('admin');
  });

  it('shows a user added through either API on both', async () => {
    const adminB = await login(b.url);
    await addUser(a.url, adminA, 'made_on_a');
    await addUser(b.url, adminB, 'made_on_b');
    for (const [url, headers] of [[a.url, adminA], [b.url, adminB]] as const) {
      await waitUntil(async () => {
        const names = await usernames(url, headers);
        return names.includes('made_on_a') && names.includes('made_on_b');
      }, 30_000, `both users on ${url}`);
    }
    const status = await replicationStatus(dbA, { probePeers: true });
    expect(status.node).toBe('striker_a');
    expect(status.subscriptions.map((s) => ({ peer: s.peer, enabled: s.enabled, workerRunning: s.workerRunning }))).toEqual([{ peer: 'striker_b', enabled: true, workerRunning: true }]);
  });
});
