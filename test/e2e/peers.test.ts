/**
 * Two real `striker serve`s, each on its own embedded PostgreSQL, peered through the CLI and
 * through the API: the site key reaches the new peer, writes on either appear on both, the key
 * rotates on both, /api/health shows the peer, removal drops subscriptions, slots and roles on
 * both sides; a file added on A is pulled by B and removed from both when B removes it; and every
 * new endpoint refuses hostile input with a clear 4xx.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runStriker } from '../support/striker-process.js';
import { eventually, sideApi as api, sideKeyring as keyring, sideSql as sql, startSide, type Side } from '../support/striker-sides.js';

const password = 'correct horse battery staple 42';
let a: Side;
let b: Side;

interface PeersAnswer {
  self: { name: string; keyId: string };
  peers: { name: string; state: string; connected: boolean; unresolvedConflicts: number; lagBytes: number | null }[];
}

const peersOf = async (side: Side) => (await api<PeersAnswer>(side, 'GET', '/api/peers')).body;
const replicating = (o: PeersAnswer, peer: string) => o.peers.some((p) => p.name === peer && p.state === 'replicating' && p.connected);

beforeAll(async () => {
  [a, b] = await Promise.all([startSide('a'), startSide('b')]);
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('peering two Strikers', () => {
  it('peers through the CLI: B receives the site key, both replicate, writes on either reach the other', async () => {
    expect(keyring(b).current).not.toBe(keyring(a).current);
    const added = await runStriker(['--json', 'peers', 'add', `${b.url}/`], a.env, `${b.token}\n`);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ peer: b.name, seeded: true });
    expect(keyring(b).current).toBe(keyring(a).current);
    expect(JSON.stringify(await sql(a, 'SELECT * FROM striker_peers'))).not.toContain(b.token);

    await eventually('A replicating from B', () => peersOf(a), (o) => replicating(o, b.name));
    await eventually('B replicating from A', () => peersOf(b), (o) => replicating(o, a.name));

    // A's users (its admin) were copied to B; a user added on either side reaches the other.
    expect((await api(a, 'POST', '/api/users', { username: 'made-on-a', displayName: '', password, role: 'viewer' })).status).toBe(201);
    expect((await api(b, 'POST', '/api/users', { username: 'made-on-b', displayName: '', password, role: 'viewer' })).status).toBe(201);
    for (const side of [a, b]) {
      await eventually(`users on ${side.name}`, async () => (await sql<{ username: string }>(side, 'SELECT username FROM users ORDER BY username')).map((u) => u.username), (u) => u.includes('made-on-a') && u.includes('made-on-b'));
    }

    const list = await runStriker(['--json', 'peers', 'list'], b.env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ self: { name: b.name }, peers: [{ name: a.name }] });
    const health = await api<{ peers: { node: string; peers: { name: string; state: string }[] } }>(a, 'GET', '/api/health', undefined, {});
    expect(health.body.peers).toMatchObject({ node: a.name, peers: [{ name: b.name, state: 'replicating' }] });
  }, 120_000);

  it('copies a file uploaded to A onto B (pulled from A, SHA-256 checked), and removes it from both when B removes it', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 11);
    const source = join(a.dir, 'peers-file.iso');
    writeFileSync(source, data);
    const added = await runStriker(['--json', 'files', 'add', source, '--kind', 'iso'], a.env);
    expect(added.code, added.stderr).toBe(0);
    const id = (JSON.parse(added.stdout) as { file: { id: string } }).file.id;
    const copies = await eventually(`the copies of ${id} on B`, async () => (await api<{ file: { copies: { node: string; state: string; source: string | null }[] } }>(b, 'GET', `/api/files/${id}`)).body.file?.copies ?? [],
      (c) => c.filter((x) => x.state === 'held').length === 2);
    const byNode = new Map(copies.map((c) => [c.node, c]));
    expect(byNode.get(a.name)).toMatchObject({ state: 'held', source: null });
    expect(byNode.get(b.name)).toMatchObject({ state: 'held', source: a.name });
    expect(readFileSync(join(b.dir, 'files', id, 'peers-file.iso')).equals(data)).toBe(true);
    // B's copy replicated back to A: A's page shows both.
    await eventually('both copies on A', async () => (await api<{ file: { copies: { state: string }[] } }>(a, 'GET', `/api/files/${id}`)).body.file.copies.filter((c) => c.state === 'held').length, (n) => n === 2);

    expect((await api(b, 'DELETE', `/api/files/${id}`)).status).toBe(204);
    expect(existsSync(join(b.dir, 'files', id))).toBe(false);
    await eventually('the bytes gone from A', async () => existsSync(join(a.dir, 'files', id)), (there) => !there);
  }, 60_000);

  it('rotates the site key: the new key is current on both and every sealed value is re-encrypted', async () => {
    const before = keyring(a).current;
    const rotated = await runStriker(['--json', 'secrets', 'rotate'], a.env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const result = JSON.parse(rotated.stdout) as { keyId: string; previousKeyId: string; peers: { name: string; current: boolean }[] };
    expect(result.previousKeyId).toBe(before);
    expect(result.peers).toEqual([{ id: b.name, name: b.name, current: true }]);
    for (const side of [a, b]) {
      expect(keyring(side).current).toBe(result.keyId);
      expect(keyring(side).keys.map((k) => k.id)).toContain(before);
      const sealed = await sql<{ db_password: string; peer_token: string }>(side, 'SELECT db_password, peer_token FROM striker_peers');
      for (const r of sealed) for (const v of [r.db_password, r.peer_token]) expect(v.split('.')[1]).toBe(result.keyId);
    }
    // The peer channel still authenticates with the re-sealed token.
    await eventually('both still replicating', () => peersOf(a), (o) => replicating(o, b.name));
    expect((await peersOf(b)).self.keyId).toBe(result.keyId);
  }, 60_000);

  it('removes through the API: subscriptions, slots and roles go on both sides', async () => {
    const removed = await api<{ peer: string; peerNotified: boolean }>(a, 'DELETE', `/api/peers/${b.name}`);
    expect(removed).toEqual({ status: 200, body: { peer: b.name, peerNotified: true } });
    for (const side of [a, b]) {
      expect(await sql(side, 'SELECT subname FROM pg_subscription')).toEqual([]);
      await eventually(`slots on ${side.name}`, () => sql(side, 'SELECT slot_name FROM pg_replication_slots'), (rows) => rows.length === 0);
      expect(await sql(side, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'striker_peer_%'")).toEqual([]);
      expect((await peersOf(side)).peers).toEqual([]);
    }
  }, 60_000);

  it('peers again through the API and removes through the CLI', async () => {
    const added = await api<{ peer: string; seeded: boolean }>(a, 'POST', '/api/peers', { address: `${b.url}/`, token: b.token });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ peer: b.name });
    await eventually('A replicating from B again', () => peersOf(a), (o) => replicating(o, b.name));
    await eventually('B replicating from A again', () => peersOf(b), (o) => replicating(o, a.name));
    expect((await api(b, 'POST', '/api/users', { username: 'after-repeer', displayName: '', password, role: 'viewer' })).status).toBe(201);
    await eventually('user on A', async () => (await sql<{ username: string }>(a, "SELECT username FROM users WHERE username = 'after-repeer'")).length, (n) => n === 1);
    const removed = await runStriker(['--json', 'peers', 'remove', a.name], b.env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ peer: a.name, peerNotified: true });
    for (const side of [a, b]) expect(await sql(side, 'SELECT subname FROM pg_subscription')).toEqual([]);
  }, 90_000);
});

describe('hostile input to the peering endpoints', () => {
  const code = (r: { body: unknown }) => (r.body as { error?: { code?: string } }).error?.code;

  it('refuses malformed, oversized and wrong-credential requests with 4xx naming the field', async () => {
    const cases: [string, string, string, unknown, Record<string, string> | undefined, number, string, RegExp?][] = [
      ['no body', 'POST', '/api/peers', undefined, undefined, 400, 'VALIDATION_FAILED'],
      ['missing token', 'POST', '/api/peers', { address: 'https://x.example/' }, undefined, 400, 'VALIDATION_FAILED', /body\.token/],
      ['plain http off loopback', 'POST', '/api/peers', { address: 'http://10.1.2.3:8080/', token: 'x'.repeat(20) }, undefined, 400, 'VALIDATION_FAILED', /body\.address.*https/],
      ['credentials in the URL', 'POST', '/api/peers', { address: 'https://u:p@x.example/', token: 'x'.repeat(20) }, undefined, 400, 'VALIDATION_FAILED', /body\.address/],
      ['unknown key', 'POST', '/api/peers', { address: 'https://x.example/', token: 'x'.repeat(20), extra: 1 }, undefined, 400, 'VALIDATION_FAILED', /body\.extra/],
      ['not JSON', 'POST', '/api/peers', '{"address":', undefined, 400, 'VALIDATION_FAILED'],
      ['join without credentials', 'POST', '/api/peering/join', {}, { 'content-type': 'application/json' }, 401, 'UNAUTHENTICATED'],
      ['join with a wrong token', 'POST', '/api/peering/join', {}, { 'content-type': 'application/json', authorization: 'Bearer not-a-real-token-at-all' }, 401, 'UNAUTHENTICATED'],
      ['keys without peer headers', 'POST', '/api/peering/keys', {}, { 'content-type': 'application/json' }, 401, 'UNAUTHENTICATED'],
      ['keys from an unknown peer', 'POST', '/api/peering/keys', {}, { 'content-type': 'application/json', 'x-striker-peer': 'striker_z', 'x-striker-peer-token': 'A'.repeat(43) }, 401, 'UNAUTHENTICATED'],
      ['leave with a malformed peer name', 'POST', '/api/peering/leave', {}, { 'content-type': 'application/json', 'x-striker-peer': "x'; drop table users;--", 'x-striker-peer-token': 'A'.repeat(43) }, 401, 'UNAUTHENTICATED'],
      ['remove an unknown peer', 'DELETE', '/api/peers/striker_nobody', undefined, undefined, 404, 'NOT_FOUND'],
      ['remove a malformed peer name', 'DELETE', '/api/peers/..%2F..%2Fetc', undefined, undefined, 404, 'NOT_FOUND'],
      ['re-seed with a bad side', 'POST', '/api/peers/striker_zz/reseed', { side: 'sideways' }, undefined, 400, 'VALIDATION_FAILED', /body\.side/],
      ['resolve a non-uuid conflict', 'POST', '/api/conflicts/abc/resolve', { keep: 'kept' }, undefined, 404, 'NOT_FOUND'],
      ['resolve with a bad choice', 'POST', '/api/conflicts/6f1c2d3e-0000-4000-8000-000000000000/resolve', { keep: 'both' }, undefined, 400, 'VALIDATION_FAILED', /body\.keep/],
      ['conflicts with a bad limit', 'GET', '/api/conflicts?limit=-5', undefined, undefined, 400, 'VALIDATION_FAILED', /query\.limit/],
      ['rotate without a session', 'POST', '/api/secrets/rotate', {}, { 'content-type': 'application/json' }, 401, 'UNAUTHENTICATED'],
    ];
    for (const [what, method, path, body, headers, status, errorCode, message] of cases) {
      const r = await api(a, method, path, body, headers ?? a.headers);
      expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(status);
      expect(code(r), what).toBe(errorCode);
      if (message) expect(JSON.stringify(r.body), what).toMatch(message);
    }
  });

  it('refuses an oversized join body before reading it', async () => {
    const huge = JSON.stringify({ node: { name: 'striker_x', address: 'https://x.example/' }, pad: 'x'.repeat(300 * 1024) });
    const r = await api(b, 'POST', '/api/peering/join', huge, { 'content-type': 'application/json', authorization: `Bearer ${b.token}` });
    expect(r.status).toBe(413);
  });

  it('validates a join sent with a valid admin token, listing every problem', async () => {
    const r = await api(b, 'POST', '/api/peering/join', { node: { name: 'Bad Name', address: 'http://10.0.0.1/' }, database: {}, keyring: {}, token: 'short' }, { 'content-type': 'application/json', authorization: `Bearer ${b.token}` });
    expect(r.status).toBe(400);
    const text = JSON.stringify(r.body);
    for (const field of ['body.node.name', 'body.node.address', 'body.database.host', 'body.keyring.version', 'body.token']) expect(text).toContain(field);
    expect(await sql(b, 'SELECT id FROM striker_peers')).toEqual([]);
  });

  it('reports an unreachable peer as 502 naming it, and leaves nothing behind', async () => {
    const port = await freePort();
    const r = await api(a, 'POST', '/api/peers', { address: `http://127.0.0.1:${port}/`, token: 'x'.repeat(30) });
    expect(r.status).toBe(502);
    expect(code(r)).toBe('PEER_UNREACHABLE');
    expect(JSON.stringify(r.body)).toContain(`127.0.0.1:${port}`);
    expect(await sql(a, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'striker_peer_%'")).toEqual([]);
  });
});
