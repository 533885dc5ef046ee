import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogOf } from '../../striker/jobs/job-kind.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { repoJobKinds } from '../repo-jobs.js';
const CHUNK_MAX_BYTES = 1024 * 1024;
import { uploadRoutes } from './upload-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'media-upload-'));
const mediaDir = join(dir, 'media');
let t: TestApp;
let operator: Login;
let viewer: Login;
/** Free bytes the routes see: a test lowers it to stand for a full disk. */
let free = 1e12;

const b64 = (data: Buffer) => createHash('sha256').update(data).digest('base64');
const hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  const database = await createTestDatabase();
  const { db } = database;
  const catalog = catalogOf(repoJobKinds({ db, dataDir: join(dir, 'var'), runner: async () => { throw new Error('no command runs here'); } }));
  t = await createTestApp({
    catalog,
    plugins: [(app) => uploadRoutes(app, { db, catalog, mediaDir, maxBytes: 64 * 1024 * 1024, chunkBytes: CHUNK_MAX_BYTES, freeBytes: async () => free })],
  }, database);
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [operator, viewer] = [await loginAs(t, 'oli'), await loginAs(t, 'vic')];
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(fileName: string, size: number, who: Login = operator) {
  return t.app.inject({ method: 'POST', url: '/api/media/uploads', headers: who.headers, payload: { fileName, size } });
}

function put(id: string, data: Buffer, start: number, total: number, digest = b64(data)) {
  return t.app.inject({
    method: 'PUT',
    url: `/api/media/uploads/${id}`,
    headers: { ...operator.headers, 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${start + data.length - 1}/${total}`, 'content-digest': `sha-256=:${digest}:` },
    payload: data,
  });
}

function problemPaths(body: string): string[] {
  return (JSON.parse(body) as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path);
}

/** Every file under the temporary directory: nothing may appear outside the media tree. */
function filesOutsideMedia(): string[] {
  return readdirSync(dir, { recursive: true }).map(String).filter((p) => !p.startsWith('media') && !p.startsWith('var'));
}

describe('starting an upload', () => {
  it.each([
    ['../../etc/passwd.iso', 'fileName'],
    ['/etc/shadow.iso', 'fileName'],
    ['a/b.iso', 'fileName'],
    ['.hidden.iso', 'fileName'],
    ['x..iso', 'fileName'],
    ['name\u0000.iso', 'fileName'],
    ['disk.img', 'fileName'],
    [`${'a'.repeat(200)}.iso`, 'fileName'],
    ['spaced name.iso', 'fileName'],
  ])('refuses the hostile or wrong name %j with 400 naming body.%s', async (name, field) => {
    const res = await start(name, 1024);
    expect(res.statusCode, res.body).toBe(400);
    expect(problemPaths(res.body).join(' ')).toContain(field);
    expect(filesOutsideMedia()).toEqual([]);
  });

  it('refuses a file larger than repos.uploadMaxBytes, a size that is no size, and a missing body, each with 400', async () => {
    const big = await start('big.iso', 65 * 1024 * 1024);
    expect(big.statusCode).toBe(400);
    expect(problemPaths(big.body)).toEqual(['body.size']);
    expect((await start('neg.iso', -1)).statusCode).toBe(400);
    expect((await start('frac.iso', 1.5)).statusCode).toBe(400);
    const none = await t.app.inject({ method: 'POST', url: '/api/media/uploads', headers: operator.headers, payload: { fileName: 'x.iso' } });
    expect(problemPaths(none.body)).toEqual(['body.size']);
  });

  it('answers 507 when the disk has no room for the file, and keeps nothing', async () => {
    free = 1000;
    try {
      const res = await start('full.iso', 4096);
      expect(res.statusCode, res.body).toBe(507);
      expect(res.json().error.code).toBe('INSUFFICIENT_STORAGE');
      expect(res.json().error.message).toMatch(/1000 bytes free/);
    } finally {
      free = 1e12;
    }
    const list = await t.app.inject({ method: 'GET', url: '/api/media/uploads', headers: viewer.headers });
    expect(list.json().uploads.map((u: { fileName: string }) => u.fileName)).not.toContain('full.iso');
  });

  it('is for operators: a viewer may look but not upload', async () => {
    expect((await start('viewer.iso', 10, viewer)).statusCode).toBe(403);
  });
});

describe('sending chunks', () => {
  const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));

  it('accepts chunks in order, resumes where the server stands, records size and SHA-256, and enqueues the import', async () => {
    const first = await start('alma-test.iso', data.length);
    expect(first.statusCode, first.body).toBe(201);
    const id = first.json().upload.id as string;
    expect(first.json().chunkMaxBytes).toBe(CHUNK_MAX_BYTES);

    expect((await put(id, data.subarray(0, 100_000), 0, data.length)).json().upload.receivedBytes).toBe(100_000);

    // A reload: starting the same file again finds the open upload and where it stands.
    const again = await start('alma-test.iso', data.length);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ resumed: true, upload: { id, receivedBytes: 100_000 } });

    // A chunk sent twice (its answer was lost) or from the wrong place is refused with where to go on.
    const replay = await put(id, data.subarray(0, 100_000), 0, data.length);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error.details.receivedBytes).toBe(100_000);

    // Finishing early is refused: the upload is not complete.
    const early = await t.app.inject({ method: 'POST', url: `/api/media/uploads/${id}/complete`, headers: operator.headers, payload: { sha256: hex(data) } });
    expect(early.statusCode).toBe(409);

    expect((await put(id, data.subarray(100_000), 100_000, data.length)).json().upload.receivedBytes).toBe(data.length);
    const done = await t.app.inject({ method: 'POST', url: `/api/media/uploads/${id}/complete`, headers: operator.headers, payload: { sha256: hex(data) } });
    expect(done.statusCode, done.body).toBe(202);
    const { upload, job } = done.json();
    expect(upload).toMatchObject({ state: 'complete', sizeBytes: data.length, receivedBytes: data.length, sha256: hex(data), jobId: job.id });
    expect(job.kind).toBe('repo.import-iso');
    expect(job.payload.path).toBe(join(mediaDir, id, 'alma-test.iso'));
    expect(readFileSync(job.payload.path).equals(data)).toBe(true);
    expect(existsSync(join(mediaDir, 'uploads', `${id}.part`))).toBe(false);

    const shown = await t.app.inject({ method: 'GET', url: `/api/media/uploads/${id}`, headers: viewer.headers });
    expect(shown.json().upload).toMatchObject({ state: 'complete', sha256: hex(data) });
  });

  it('refuses a chunk damaged on the way (digest mismatch) and writes nothing of it', async () => {
    const id = (await start('damaged.iso', 1000)).json().upload.id as string;
    const chunk = Buffer.alloc(1000, 1);
    const bad = await put(id, chunk, 0, 1000, b64(Buffer.alloc(1000, 2)));
    expect(bad.statusCode).toBe(400);
    expect(problemPaths(bad.body)).toEqual(['headers.content-digest']);
    const shown = await t.app.inject({ method: 'GET', url: `/api/media/uploads/${id}`, headers: viewer.headers });
    expect(shown.json().upload.receivedBytes).toBe(0);
  });

  it.each([
    ['no Content-Range', undefined, 'headers.content-range'],
    ['a malformed Content-Range', 'bytes=0-9/10', 'headers.content-range'],
    ['a range ending before it starts', 'bytes 9-0/1000', 'headers.content-range'],
    ['a range past the end', 'bytes 0-1000/1000', 'headers.content-range'],
    ['a total other than the announced size', 'bytes 0-9/999', 'headers.content-range'],
    ['a range longer than the body', 'bytes 0-19/1000', 'body'],
  ])('refuses %s with 400 naming the header', async (_what, range, field) => {
    const id = (await start(`range-${field.length}-${String(range).length}.iso`, 1000)).json().upload.id as string;
    const chunk = Buffer.alloc(10, 3);
    const res = await t.app.inject({
      method: 'PUT',
      url: `/api/media/uploads/${id}`,
      headers: { ...operator.headers, 'content-type': 'application/octet-stream', ...(range ? { 'content-range': range } : {}), 'content-digest': `sha-256=:${b64(chunk)}:` },
      payload: chunk,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(problemPaths(res.body)).toEqual([field]);
  });

  it('refuses a chunk without a digest, and one larger than the chunk limit (413)', async () => {
    const id = (await start('nodigest.iso', 20 * 1024 * 1024)).json().upload.id as string;
    const chunk = Buffer.alloc(10);
    const res = await t.app.inject({ method: 'PUT', url: `/api/media/uploads/${id}`, headers: { ...operator.headers, 'content-type': 'application/octet-stream', 'content-range': 'bytes 0-9/20971520' }, payload: chunk });
    expect(problemPaths(res.body)).toEqual(['headers.content-digest']);
    const huge = Buffer.alloc(CHUNK_MAX_BYTES + 1);
    expect((await put(id, huge, 0, 20 * 1024 * 1024)).statusCode).toBe(413);
  });

  it('answers 404 for an id that is not an upload (hostile ids included)', async () => {
    for (const id of ['..%2F..%2Fetc', 'not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      const res = await put(id, Buffer.alloc(1), 0, 1);
      expect(res.statusCode, id).toBe(404);
    }
  });

  it('answers 507 when the disk fills between chunks, keeping the bytes before the chunk', async () => {
    const id = (await start('fills.iso', 2000)).json().upload.id as string;
    expect((await put(id, Buffer.alloc(1000, 5), 0, 2000)).statusCode).toBe(200);
    free = 10;
    try {
      const res = await put(id, Buffer.alloc(1000, 6), 1000, 2000);
      expect(res.statusCode).toBe(507);
    } finally {
      free = 1e12;
    }
    const shown = await t.app.inject({ method: 'GET', url: `/api/media/uploads/${id}`, headers: viewer.headers });
    expect(shown.json().upload.receivedBytes).toBe(1000);
    expect(readFileSync(join(mediaDir, 'uploads', `${id}.part`)).length).toBe(1000);
  });
});

describe('a cancel racing a chunk', () => {
  it('leaves no bytes behind when the cancel lands while the chunk is being written', async () => {
    const id = (await start('race.iso', 4 * CHUNK_MAX_BYTES)).json().upload.id as string;
    const chunk = Buffer.alloc(CHUNK_MAX_BYTES, 7);
    // The chunk's request and the cancel are sent together; whichever wins, nothing stays on disk.
    const [chunkAnswer, cancelled] = await Promise.all([
      put(id, chunk, 0, 4 * CHUNK_MAX_BYTES),
      t.app.inject({ method: 'DELETE', url: `/api/media/uploads/${id}`, headers: operator.headers }),
    ]);
    expect(cancelled.statusCode).toBe(204);
    expect([200, 409]).toContain(chunkAnswer.statusCode);
    expect(existsSync(join(mediaDir, 'uploads', `${id}.part`))).toBe(false);
  });
});

describe('finishing', () => {
  it('never imports a file whose SHA-256 differs from the browser\'s: the upload fails and its bytes are deleted', async () => {
    const data = Buffer.alloc(5000, 9);
    const id = (await start('corrupt.iso', data.length)).json().upload.id as string;
    await put(id, data, 0, data.length);
    const res = await t.app.inject({ method: 'POST', url: `/api/media/uploads/${id}/complete`, headers: operator.headers, payload: { sha256: hex(Buffer.alloc(5000, 8)) } });
    expect(res.statusCode).toBe(400);
    expect(problemPaths(res.body)).toEqual(['body.sha256']);
    const shown = (await t.app.inject({ method: 'GET', url: `/api/media/uploads/${id}`, headers: viewer.headers })).json().upload;
    expect(shown).toMatchObject({ state: 'failed', jobId: null, sha256: null });
    expect(shown.error).toMatch(/SHA-256/);
    expect(existsSync(join(mediaDir, 'uploads', `${id}.part`))).toBe(false);
    expect(existsSync(join(mediaDir, id))).toBe(false);
    const jobs = await t.t.db.query("SELECT count(*)::int AS n FROM jobs WHERE kind = 'repo.import-iso' AND payload->>'path' LIKE $1", [`%${id}%`]);
    expect(jobs.rows[0]!['n']).toBe(0);
  });

  it('never imports a file that is short on disk (truncated behind the server\'s back)', async () => {
    const data = Buffer.alloc(3000, 4);
    const id = (await start('truncated.iso', data.length)).json().upload.id as string;
    await put(id, data, 0, data.length);
    const { truncateSync } = await import('node:fs');
    truncateSync(join(mediaDir, 'uploads', `${id}.part`), 100);
    const res = await t.app.inject({ method: 'POST', url: `/api/media/uploads/${id}/complete`, headers: operator.headers, payload: { sha256: hex(data) } });
    expect(res.statusCode).toBe(409);
    const shown = (await t.app.inject({ method: 'GET', url: `/api/media/uploads/${id}`, headers: viewer.headers })).json().upload;
    expect(shown.state).toBe('failed');
  });

  it('refuses a malformed checksum with 400 naming body.sha256', async () => {
    const id = (await start('badsum.iso', 10)).json().upload.id as string;
    const res = await t.app.inject({ method: 'POST', url: `/api/media/uploads/${id}/complete`, headers: operator.headers, payload: { sha256: 'ABC' } });
    expect(problemPaths(res.body)).toEqual(['body.sha256']);
  });

  it('cancel deletes the received bytes and ends the session; a later chunk is refused', async () => {
    const id = (await start('cancelled.iso', 2000)).json().upload.id as string;
    await put(id, Buffer.alloc(1000), 0, 2000);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/media/uploads/${id}`, headers: operator.headers });
    expect(del.statusCode).toBe(204);
    expect(existsSync(join(mediaDir, 'uploads', `${id}.part`))).toBe(false);
    expect((await put(id, Buffer.alloc(1000), 1000, 2000)).statusCode).toBe(409);
    // The same file started again is a new upload from zero.
    const fresh = await start('cancelled.iso', 2000);
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().upload.receivedBytes).toBe(0);
  });
});
