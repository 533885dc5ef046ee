/**
 * The files API on a real database: hostile names, kinds, sizes and ranges refused with 400 naming
 * the field; an upload through the shared chunked upload recorded with its size and SHA-256; a push
 * as one file.fetch job per host; the agent routes answering only hosts the file was pushed to
 * (whole, a Range, an unsatisfiable Range) and recording their state; a file a server uses kept (409).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentArea } from '../../striker/agent/index.js';
import { catalogOf } from '../../striker/jobs/job-kind.js';
import { finishJob, claimJobs, getJob } from '../../striker/jobs/job-store.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { parseFilesConfig } from './files-config.js';
import { isoFetchWaits } from './actions.js';
import { filesRoutes, type FileListResponse, type FilePushResponse, type FileResponse } from './files-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'files-routes-'));
const filesDir = join(dir, 'files');
const config = parseFilesConfig({ hostDirectory: '/mnt/shared/files', uploadChunkBytes: 64 * 1024, uploadMaxBytes: 16 * 1024 * 1024 });
let t: TestApp;
let operator: Login;
let viewer: Login;
const credentials = new Map<string, string>();
const [hostA, hostB, hostC] = ['52-54-00-00-0f-01', '52-54-00-00-0f-02', '52-54-00-00-0f-03'];

const b64 = (data: Buffer) => createHash('sha256').update(data).digest('base64');
const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  const database = await createTestDatabase();
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  t = await createTestApp({
    catalog: catalogOf([]),
    agentCredentials: area.credentialCheck,
    plugins: [(app) => area.plugin(app, undefined), (app) => filesRoutes(app, { db: database.db, dir: filesDir, config, freeBytes: async () => 1e12 })],
  }, database);
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [operator, viewer] = [await loginAs(t, 'oli'), await loginAs(t, 'vic')];
  for (const hostId of [hostA, hostB, hostC]) credentials.set(hostId, (await database.db.tx((tx) => area.onRegistered(tx, hostId, '127.0.0.1'))).credential);
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const problemPaths = (body: string) => (JSON.parse(body) as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path);
const start = (payload: unknown, who: Login = operator) => t.app.inject({ method: 'POST', url: '/api/files', headers: who.headers, payload: payload as object });
const put = (id: string, data: Buffer, from: number, total: number, range = `bytes ${from}-${from + data.length - 1}/${total}`) =>
  t.app.inject({ method: 'PUT', url: `/api/files/uploads/${id}`, headers: { ...operator.headers, 'content-type': 'application/octet-stream', 'content-range': range, 'content-digest': `sha-256=:${b64(data)}:` }, payload: data });
const agentGet = (hostId: string, fileId: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/api/agent/files/${fileId}/content`, headers: { authorization: `Bearer ${credentials.get(hostId)}`, ...headers } });
const agentState = (hostId: string, fileId: string, payload: object) =>
  t.app.inject({ method: 'POST', url: `/api/agent/files/${fileId}/state`, headers: { authorization: `Bearer ${credentials.get(hostId)}` }, payload });

/** Uploads `data` as `name` through the chunked upload; the answer of the completion. */
async function upload(name: string, data: Buffer, kind = 'iso', sha256 = hex(data)) {
  const started = await start({ name, kind, size: data.length });
  expect(started.statusCode, started.body).toBe(201);
  const id = started.json().upload.id as string;
  const chunk = config.uploadChunkBytes;
  for (let at = 0; at < data.length; at += chunk) {
    const r = await put(id, data.subarray(at, at + chunk), at, data.length);
    expect(r.statusCode, r.body).toBe(200);
  }
  return t.app.inject({ method: 'POST', url: `/api/files/uploads/${id}/complete`, headers: operator.headers, payload: { sha256 } });
}

describe('adding a file', () => {
  it.each([
    [{ name: '../../etc/passwd', kind: 'iso', size: 10 }, 'body.name'],
    [{ name: '/etc/shadow', kind: 'iso', size: 10 }, 'body.name'],
    [{ name: 'a/b.iso', kind: 'iso', size: 10 }, 'body.name'],
    [{ name: '.hidden', kind: 'script', size: 10 }, 'body.name'],
    [{ name: 'x..iso', kind: 'iso', size: 10 }, 'body.name'],
    [{ name: 'nul\u0000.iso', kind: 'iso', size: 10 }, 'body.name'],
    [{ name: `${'a'.repeat(200)}.iso`, kind: 'iso', size: 10 }, 'body.name'],
    [{ name: '', kind: 'iso', size: 10 }, 'body.name'],
    [{ name: 'ok.iso', kind: 'binary', size: 10 }, 'body.kind'],
    [{ name: 'ok.iso', kind: 'iso', size: 0 }, 'body.size'],
    [{ name: 'ok.iso', kind: 'iso', size: -5 }, 'body.size'],
    [{ name: 'ok.iso', kind: 'iso', size: 1.5 }, 'body.size'],
    [{ name: 'ok.iso', kind: 'iso', size: '10' }, 'body.size'],
    [{ name: 'ok.iso', kind: 'iso', size: 17 * 1024 * 1024 }, 'body.size'],
    [{ name: 'ok.iso', kind: 'iso', size: 10, path: '/etc' }, 'body.path'],
  ])('refuses %j with 400 naming %s, writing nothing', async (payload, field) => {
    const r = await start(payload);
    expect(r.statusCode, r.body).toBe(400);
    expect(problemPaths(r.body)).toContain(field);
    expect(existsSync(filesDir) ? readdirSync(filesDir, { recursive: true }).filter((p) => !String(p).startsWith('uploads')) : []).toEqual([]);
  });

  it('refuses a viewer (403)', async () => {
    expect((await start({ name: 'v.iso', kind: 'iso', size: 10 }, viewer)).statusCode).toBe(403);
  });

  it('refuses a hostile Content-Range with 400 naming the header', async () => {
    const started = await start({ name: 'range.sh', kind: 'script', size: 100 });
    const id = started.json().upload.id as string;
    for (const range of ['bytes 0-99/50', 'bytes 10-5/100', 'bytes=0-9/100', 'bytes 0-9/1e3']) {
      const r = await put(id, Buffer.alloc(10), 0, 100, range);
      expect(r.statusCode, range).toBe(400);
      expect(problemPaths(r.body)).toContain('headers.content-range');
    }
    expect((await t.app.inject({ method: 'DELETE', url: `/api/files/uploads/${id}`, headers: operator.headers })).statusCode).toBe(204);
  });

  it('records an upload with its size and SHA-256, kept under the files tree; a second file of that name is refused (409)', async () => {
    const data = randomBytes(200_000);
    const r = await upload('rhel-9.iso', data);
    expect(r.statusCode, r.body).toBe(201);
    const { file } = r.json<FileResponse>();
    expect(file).toMatchObject({ name: 'rhel-9.iso', kind: 'iso', sizeBytes: data.length, sha256: hex(data), hosts: [] });
    expect(existsSync(join(filesDir, file.id, 'rhel-9.iso'))).toBe(true);
    const list = (await t.app.inject({ method: 'GET', url: '/api/files', headers: viewer.headers })).json<FileListResponse>();
    expect(list.files.map((f) => f.name)).toContain('rhel-9.iso');
    const again = await start({ name: 'rhel-9.iso', kind: 'iso', size: 10 });
    expect(again.statusCode).toBe(409);
  });

  it('discards an upload whose whole-file SHA-256 differs (400 naming body.sha256), with no file row', async () => {
    const data = randomBytes(70_000);
    const r = await upload('bad.iso', data, 'iso', hex(Buffer.from('something else')));
    expect(r.statusCode, r.body).toBe(400);
    expect(problemPaths(r.body)).toContain('body.sha256');
    expect((await t.app.inject({ method: 'GET', url: '/api/files/bad.iso', headers: viewer.headers })).statusCode).toBe(404);
  });

  it('keeps the media upload routes out of file uploads (404)', async () => {
    const started = await start({ name: 'mine.sh', kind: 'script', size: 10 });
    const id = started.json().upload.id as string;
    expect((await t.app.inject({ method: 'GET', url: `/api/files/uploads/${id}`, headers: viewer.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/media/uploads/${id}`, headers: viewer.headers })).statusCode).toBe(404);
  });
});

describe('pushing and fetching', () => {
  const data = randomBytes(300_000);
  let fileId = '';

  beforeAll(async () => {
    const r = await upload('web.xml', data, 'definition');
    fileId = r.json<FileResponse>().file.id;
  });

  it('refuses hostile host ids (400 naming body.hosts.0) and an unregistered host (404)', async () => {
    const bad = await t.app.inject({ method: 'POST', url: `/api/files/${fileId}/push`, headers: operator.headers, payload: { hosts: ['../etc'] } });
    expect(bad.statusCode).toBe(400);
    expect(problemPaths(bad.body)).toContain('body.hosts.0');
    const unknown = await t.app.inject({ method: 'POST', url: `/api/files/${fileId}/push`, headers: operator.headers, payload: { hosts: ['52-54-00-99-99-99'] } });
    expect(unknown.statusCode).toBe(404);
  });

  it('enqueues one file.fetch per host with the file, its SHA-256 and the hosts directory; each host pending', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/files/web.xml/push', headers: operator.headers, payload: { hosts: [hostA, hostB] } });
    expect(r.statusCode, r.body).toBe(202);
    const body = r.json<FilePushResponse>();
    expect(body.file.hosts.map((h) => [h.hostId, h.state])).toEqual([[hostA, 'pending'], [hostB, 'pending']]);
    const job = await getJob(t.t.db, body.jobs[0]!.jobId);
    expect(job).toMatchObject({ kind: 'file.fetch', targetHost: hostA, payload: { fileId, name: 'web.xml', sizeBytes: data.length, sha256: hex(data), directory: '/mnt/shared/files' } });
  });

  it('serves the bytes only to a host the file was pushed to: whole, one Range (206), an unsatisfiable Range (416)', async () => {
    expect((await agentGet(hostC, fileId)).statusCode).toBe(404);
    const whole = await agentGet(hostA, fileId);
    expect(whole.statusCode).toBe(200);
    expect(Buffer.compare(whole.rawPayload, data)).toBe(0);
    const part = await agentGet(hostA, fileId, { range: 'bytes=100000-' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100000-${data.length - 1}/${data.length}`);
    expect(Buffer.compare(part.rawPayload, data.subarray(100000))).toBe(0);
    const past = await agentGet(hostA, fileId, { range: `bytes=${data.length}-` });
    expect(past.statusCode).toBe(416);
    expect((await t.app.inject({ method: 'GET', url: `/api/agent/files/${fileId}/content`, headers: operator.headers })).statusCode).toBe(401);
  });

  it('tells a host whether this Striker holds the bytes now (its copy recorded held by the upload)', async () => {
    const held = await t.app.inject({ method: 'GET', url: `/api/agent/files/${fileId}/held`, headers: { authorization: `Bearer ${credentials.get(hostA)}` } });
    expect(held.json()).toEqual({ held: true });
    const file = (await t.app.inject({ method: 'GET', url: `/api/files/${fileId}`, headers: viewer.headers })).json<FileResponse>().file;
    expect(file.copies).toEqual([expect.objectContaining({ state: 'held', bytes: data.length, source: null, error: null })]);
    const moved = `${filesDir}/${fileId}/web.xml`;
    renameSync(moved, `${moved}.away`);
    try {
      expect((await t.app.inject({ method: 'GET', url: `/api/agent/files/${fileId}/held`, headers: { authorization: `Bearer ${credentials.get(hostA)}` } })).json()).toEqual({ held: false });
      expect((await agentGet(hostA, fileId)).statusCode).toBe(404);
    } finally {
      renameSync(`${moved}.away`, moved);
    }
    expect((await t.app.inject({ method: 'GET', url: `/api/agent/files/${fileId}/held`, headers: { authorization: `Bearer ${credentials.get(hostC)}` } })).statusCode).toBe(404);
  });

  it('records what an agent reports for its current fetch only, and shows a fetch whose job failed as failed with the reason', async () => {
    const file = (await t.app.inject({ method: 'GET', url: `/api/files/${fileId}`, headers: viewer.headers })).json<FileResponse>().file;
    const jobA = file.hosts.find((h) => h.hostId === hostA)!.jobId!;
    const jobB = file.hosts.find((h) => h.hostId === hostB)!.jobId!;
    const ok = await agentState(hostA, fileId, { jobId: jobA, state: 'ready', bytes: data.length });
    expect(ok.json()).toEqual({ recorded: true });
    // Another host's job id: not this host's fetch.
    expect((await agentState(hostA, fileId, { jobId: jobB, state: 'failed', bytes: 0, error: 'x' })).json()).toEqual({ recorded: false });
    const noReason = await agentState(hostB, fileId, { jobId: jobB, state: 'failed', bytes: 0 });
    expect(noReason.statusCode).toBe(400);
    expect(problemPaths(noReason.body)).toContain('body.error');
    const [claimed] = await claimJobs(t.t.db, { workerId: `agent:${hostB}:test`, kinds: ['file.fetch'], targetHost: hostB, limit: 1 });
    await finishJob(t.t.db, claimed!.id, `agent:${hostB}:test`, { kind: 'failed', error: 'no Striker holds web.xml', retryAfterSeconds: null });
    const after = (await t.app.inject({ method: 'GET', url: `/api/files/${fileId}`, headers: viewer.headers })).json<FileResponse>().file;
    expect(after.hosts.map((h) => [h.hostId, h.state, h.error])).toEqual([[hostA, 'ready', null], [hostB, 'failed', 'no Striker holds web.xml']]);
  });

  it('keeps a file a server uses (409 naming the server), then removes it with its bytes (204)', async () => {
    await t.t.db.write(
      `INSERT INTO servers (name, anvil, vcpus, memory_mib, disk_gib, install_iso, hosts, drbd_minor, drbd_port) VALUES ('srv01', 'an-anvil-01', 1, 512, 1, '/mnt/shared/files/web.xml', '[]', 0, 7788)`,
    );
    const refused = await t.app.inject({ method: 'DELETE', url: `/api/files/${fileId}`, headers: operator.headers });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('srv01');
    await t.t.db.write(`DELETE FROM servers WHERE name = 'srv01'`);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/files/${fileId}`, headers: operator.headers })).statusCode).toBe(204);
    expect(existsSync(join(filesDir, fileId))).toBe(false);
    expect((await agentGet(hostA, fileId)).statusCode).toBe(404);
  });
});

describe("a server's ISOs", () => {
  it('are waited for on each node where they are not ready: a fetch under way is reused, a ready host adds nothing, other paths are not files', async () => {
    const data = randomBytes(10_000);
    const { file } = (await upload('install.iso', data)).json<FileResponse>();
    const waits = isoFetchWaits(config);
    const first = await t.t.db.tx((tx) => waits(tx, { installIso: '/mnt/shared/files/install.iso', driverIso: '/srv/own/drivers.iso' }, [hostA, hostB]));
    expect([...first.keys()]).toEqual([hostA, hostB]);
    expect(first.get(hostA)).toHaveLength(1);
    const job = await getJob(t.t.db, first.get(hostA)![0]!);
    expect(job).toMatchObject({ kind: 'file.fetch', targetHost: hostA, payload: { fileId: file.id, directory: '/mnt/shared/files' } });
    await agentState(hostA, file.id, { jobId: first.get(hostA)![0], state: 'ready', bytes: data.length });
    const again = await t.t.db.tx((tx) => waits(tx, { installIso: '/mnt/shared/files/install.iso', driverIso: null }, [hostA, hostB]));
    expect(again.get(hostA)).toEqual([]);
    expect(again.get(hostB)).toEqual(first.get(hostB));
    const missing = await t.t.db.tx((tx) => waits(tx, { installIso: '/mnt/shared/files/nothing.iso', driverIso: null }, [hostA])).then(() => undefined, (e: Error) => e);
    expect(missing?.message).toMatch(/installIso: names no uploaded file — got 'nothing.iso'/);
  });
});
