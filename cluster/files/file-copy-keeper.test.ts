/**
 * Two Strikers, each with its own database: A received the uploads; B's copy keeper pulls the
 * bytes from A's peer content route (a real socket, through a proxy that can cut the answer or
 * flip a byte). Replication is played by copying A's rows into B's database. Outcomes asserted:
 * B's copy byte-identical and recorded held; a cut transfer resumed with Range (not started over);
 * a corrupted copy deleted and recorded failed with both hashes, never kept; bytes already on
 * B's disk checked before they count as held; a removed file's bytes removed; the peer route
 * refusing a caller that is not a peer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../striker/audit/audit-store.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import { catalogOf } from '../../striker/jobs/job-kind.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { TcpFaultProxy } from '../../test/support/tcp-fault-proxy.js';
import { addLocalFile, strikerPathOf, type FilesDeps } from './actions.js';
import { localNode } from './file-copies-store.js';
import { FileCopyKeeper, type FilePeers } from './file-copy-keeper.js';
import type { SyncedFile } from './file-record.js';
import { parseFilesConfig } from './files-config.js';
import { listFiles } from './files-store.js';
import { filesRoutes } from './files-routes.js';

const root = mkdtempSync(join(tmpdir(), 'file-copies-'));
const config = parseFilesConfig({ uploadChunkBytes: 256 * 1024 });
const TOKEN = 'b-to-a-peer-token';
let a: TestApp;
let dbB: TestDatabase;
let depsA: FilesDeps;
let depsB: FilesDeps;
let proxy: TcpFaultProxy;
let keeper: FileCopyKeeper;
let nodeA: string;
let nodeB: string;

const peersOfA: FilePeers = {
  links: async () => [],
  authenticate: async (headers) => {
    if (headers['x-striker-peer'] !== 'b' || headers['x-striker-peer-token'] !== TOKEN) throw new StrikerError('UNAUTHENTICATED', 'not a peer');
    return 'b';
  },
};

beforeAll(async () => {
  const dbA = await createTestDatabase();
  depsA = { db: dbA.db, dir: join(root, 'a'), config, freeBytes: async () => 1e12, peers: peersOfA };
  a = await createTestApp({ catalog: catalogOf([]), plugins: [(app) => filesRoutes(app, depsA)] }, dbA);
  await a.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (a.app.server.address() as AddressInfo).port;
  proxy = await TcpFaultProxy.start({ host: '127.0.0.1' }, { host: '127.0.0.1', port }, /^\/api\/peering\/files\//);
  dbB = await createTestDatabase();
  depsB = { db: dbB.db, dir: join(root, 'b'), config, freeBytes: async () => 1e12 };
  [nodeA, nodeB] = [await localNode(dbA.db), await localNode(dbB.db)];
  keeper = new FileCopyKeeper({
    db: dbB.db,
    dir: depsB.dir,
    peers: { links: async () => [{ name: nodeA, address: `${proxy.url}/`, headers: { 'x-striker-peer': 'b', 'x-striker-peer-token': TOKEN } }], authenticate: peersOfA.authenticate },
    logger: quietLogger,
    freeBytes: async () => 1e12,
    sweepMs: 3_600_000,
    retryAfterMs: 3_600_000,
    progressEveryMs: 0,
  });
}, 60_000);

afterAll(async () => {
  await keeper?.stop();
  await proxy?.close();
  await a?.close();
  await dbB?.drop();
  rmSync(root, { recursive: true, force: true });
});

/** Uploads `data` to A and copies its rows (the file, A's held copy) into B's database, as replication would. */
async function onA(name: string, data: Buffer): Promise<SyncedFile> {
  const source = join(root, `${name}.src`);
  writeFileSync(source, data);
  const file = await addLocalFile(depsA, systemActor, source, { name, kind: 'iso' });
  await dbB.db.write(`INSERT INTO files (id, name, kind, size_bytes, sha256) VALUES ($1, $2, 'iso', $3, $4)`, [file.id, file.name, file.sizeBytes, file.sha256]);
  await dbB.db.write(`INSERT INTO file_copies (id, file_id, node, state, bytes) VALUES (md5($1::text || '/' || $2)::uuid, $1::uuid, $2, 'held', $3)`, [file.id, nodeA, file.sizeBytes]);
  return file;
}

const copyOnB = async (id: string) => (await listFiles(dbB.db)).find((f) => f.id === id)!.copies.find((c) => c.node === nodeB);

describe('a Striker without the bytes', () => {
  it('pulls them from the peer that holds them; a transfer cut halfway goes on with Range instead of starting over', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const file = await onA('cut.iso', data);
    expect(file.copies).toEqual([expect.objectContaining({ node: nodeA, state: 'held', bytes: data.length, source: null })]);
    proxy.requests.length = 0;
    proxy.servedBytes = 0;
    proxy.cutOnceAfter = 1024 * 1024;
    await keeper.look();
    expect(readFileSync(strikerPathOf(depsB, file)).equals(data)).toBe(true);
    expect(await copyOnB(file.id)).toMatchObject({ state: 'held', bytes: data.length, source: nodeA, error: null });
    expect(proxy.requests.map((r) => r.range)).toHaveLength(2);
    expect(proxy.requests[0]!.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(proxy.requests[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    // The resumed request asked only for what was missing.
    expect(proxy.servedBytes).toBeLessThan(data.length + 4096);
    expect(readdirSync(join(depsB.dir, file.id))).toEqual(['cut.iso']);
  });

  it('never keeps a copy whose SHA-256 differs: the part is deleted and the copy recorded failed with both hashes', async () => {
    const data = randomBytes(512 * 1024);
    const file = await onA('flipped.iso', data);
    proxy.flipAt = 2000;
    try {
      await keeper.look();
    } finally {
      proxy.flipAt = undefined;
    }
    expect(existsSync(strikerPathOf(depsB, file))).toBe(false);
    expect(readdirSync(join(depsB.dir, file.id))).toEqual([]);
    const copy = await copyOnB(file.id);
    expect(copy?.state).toBe('failed');
    expect(copy?.error).toContain(`not ${file.sha256}`);
    expect(copy?.error).toContain(nodeA);
    // A failed copy waits for its retry time: another look does not fetch it again at once.
    const asked = proxy.requests.length;
    await keeper.look();
    expect(proxy.requests.length).toBe(asked);
  });

  it('checks bytes already on its disk before it records them held, and deletes wrong ones', async () => {
    const good = await onA('here.iso', randomBytes(100_000));
    const bad = await onA('damaged.iso', randomBytes(100_000));
    for (const [f, bytes] of [[good, readFileSync(strikerPathOf(depsA, good))], [bad, randomBytes(100_000)]] as const) {
      mkdirSync(join(depsB.dir, f.id), { recursive: true });
      writeFileSync(strikerPathOf(depsB, f), bytes);
    }
    const asked = proxy.requests.length;
    await keeper.look();
    expect(await copyOnB(good.id)).toMatchObject({ state: 'held', source: null });
    expect(existsSync(strikerPathOf(depsB, bad))).toBe(false);
    expect(await copyOnB(bad.id)).toMatchObject({ state: 'failed', error: expect.stringContaining(`not ${bad.sha256}; they were deleted`) });
    // Neither was fetched: the good one was there, the damaged one waits for its retry time.
    expect(proxy.requests.length).toBe(asked);
  });

  it('removes the bytes of a file removed on another Striker', async () => {
    const file = await onA('gone.iso', randomBytes(10_000));
    await keeper.look();
    expect(existsSync(strikerPathOf(depsB, file))).toBe(true);
    await dbB.db.write('DELETE FROM files WHERE id = $1', [file.id]);
    await keeper.look();
    expect(existsSync(join(depsB.dir, file.id))).toBe(false);
  });
});

describe('the peer content route', () => {
  it('answers only a peer Striker', async () => {
    const file = await onA('peer-only.iso', randomBytes(1000));
    const url = `${proxy.url}/api/peering/files/${file.id}/content`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'x-striker-peer': 'b', 'x-striker-peer-token': 'wrong' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { 'x-striker-peer': 'b', 'x-striker-peer-token': TOKEN, range: 'bytes=10-19' } });
    expect(ok.status).toBe(206);
    expect(Buffer.from(await ok.arrayBuffer()).equals(readFileSync(strikerPathOf(depsA, file)).subarray(10, 20))).toBe(true);
    expect((await fetch(`${proxy.url}/api/peering/files/not-a-file/content`, { headers: { 'x-striker-peer': 'b', 'x-striker-peer-token': TOKEN } })).status).toBe(404);
    expect(createHash('sha256').update(readFileSync(strikerPathOf(depsA, file))).digest('hex')).toBe(file.sha256);
  });
});
