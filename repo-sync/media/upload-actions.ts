/**
 * Chunked, checksummed uploads from the browser, each action once for the API: start (or resume)
 * an upload session, receive a chunk, finish, cancel. A chunk is accepted only at the offset the
 * session has reached, with a SHA-256 of its own (RFC 9530 Content-Digest); the finished file only
 * when its SHA-256 and size match what the browser computed. Anything else is never moved out of
 * the upload area, so a damaged or short upload is never used.
 *
 * Two purposes share the mechanism: OS media (finished by the `repo.import-iso` job that every ISO
 * import uses) and files synced to hosts (cluster/files, which finishes its own way through
 * `finishUploadWith`). A session answers only the routes of its own purpose.
 */
import { z } from 'zod';
import { audit, type ActionOptions, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, NotFoundError, StrikerError, ValidationError } from '../../striker/core/errors/index.js';
import { parseInput } from '../../striker/core/validation/zod-problems.js';
import { isUuid } from '../../striker/core/validation/uuid.js';
import type { Database, DbTx } from '../../striker/db/database.js';
import { enqueueJob } from '../../striker/jobs/enqueue.js';
import type { Job } from '../../striker/jobs/job.js';
import type { JobCatalog } from '../../striker/jobs/job-kind.js';
import { fileSize, hashFile, mediaTree, noRoom, promote, removePart, sha256Base64, writeChunkAt } from './upload-file.js';
import { advanceUpload, completeUpload, endUpload, findOpenUpload, getUpload, insertUpload, type MediaUpload, type UploadPurpose } from './upload-store.js';

/** Where one purpose's uploads live and how large they may be. */
export interface UploadArea {
  db: Database;
  /** The directory the bytes go under (`uploads/<id>.part`, then `<id>/<fileName>`). */
  mediaDir: string;
  /** Largest file an upload may announce. */
  maxBytes: number;
  /** Largest chunk one PUT may carry; the browser sends chunks of this size. */
  chunkBytes: number;
  /** Free bytes where the tree lives (statfs; injected by tests to stand for a full disk). */
  freeBytes: (dir: string) => Promise<number>;
  /** 'media' when absent. */
  purpose?: UploadPurpose;
}

export interface UploadDeps extends UploadArea {
  catalog: JobCatalog;
}

const purposeOf = (deps: UploadArea): UploadPurpose => deps.purpose ?? 'media';
const auditPrefix = (purpose: UploadPurpose) => (purpose === 'media' ? 'media.upload' : 'files.upload');

/** A name for the file on disk: no path separators, no leading dot, an .iso ending. */
const fileName = z
  .string()
  .min(5, 'must be a file name like AlmaLinux-9.4-x86_64-dvd.iso')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be letters, digits and . _ + - only, starting with a letter or digit (no paths)')
  .refine((n) => !n.includes('..'), 'must not contain ..')
  .refine((n) => /\.iso$/i.test(n), 'must end in .iso (an OS installation ISO image)');

export function startUploadSchema(maxBytes: number) {
  return z.strictObject({
    fileName,
    size: z.number().int('must be a whole number of bytes').min(1, 'must be at least 1 byte').max(maxBytes, `must be at most ${maxBytes} bytes (repos.uploadMaxBytes)`),
  });
}

export const finishUploadSchema = z.strictObject({
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the file\'s SHA-256 as 64 lower-case hex digits'),
});

export interface ChunkRange {
  start: number;
  end: number;
  total: number;
}

/** `Content-Range: bytes <start>-<end>/<total>` (RFC 9110 §14.4), end inclusive. */
export function parseContentRange(header: string | undefined): ChunkRange {
  const m = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(header ?? '');
  const bad = (message: string) => new ValidationError([{ path: 'headers.content-range', message }], 'upload chunk');
  if (!m) throw bad(`must be like 'bytes 0-8388607/4294967296' — got '${(header ?? '').slice(0, 60)}'`);
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end < start) throw bad(`ends (${end}) before it starts (${start})`);
  if (end >= total) throw bad(`ends (${end}) at or past the file's length (${total})`);
  return { start, end, total };
}

/** `Content-Digest: sha-256=:<base64>:` (RFC 9530); the base64 SHA-256 it carries. */
export function parseContentDigest(header: string | undefined): string {
  const m = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]{43}=):/.exec(header ?? '');
  if (!m) throw new ValidationError([{ path: 'headers.content-digest', message: "must carry the chunk's SHA-256 as sha-256=:<base64>:" }], 'upload chunk');
  return m[1]!;
}

function uploadIdOf(id: string): string {
  if (!isUuid(id)) throw new NotFoundError('upload', id.slice(0, 80));
  return id;
}

async function openUpload(deps: UploadArea, id: string): Promise<MediaUpload> {
  const upload = await getUpload(deps.db, uploadIdOf(id));
  if (!upload || upload.purpose !== purposeOf(deps)) throw new NotFoundError('upload', id);
  return upload;
}

export async function readUpload(deps: UploadArea, id: string): Promise<MediaUpload> {
  return openUpload(deps, id);
}

/**
 * Starts an upload, or resumes the open one of the same file name and size (a reload, another
 * tab): the answer's `receivedBytes` says where to go on from.
 */
export async function startUpload(deps: UploadDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ upload: MediaUpload; resumed: boolean }> {
  const request = parseInput(startUploadSchema(deps.maxBytes), input, 'upload', options.inputPath);
  return beginUpload(deps, actor, { fileName: request.fileName, size: request.size, meta: {} }, options);
}

/**
 * Starts an upload of an already validated name and size (the caller's own schema checked them),
 * or resumes the open one of the same purpose, name and size. `meta` is kept for the finish.
 */
export async function beginUpload(
  deps: UploadArea,
  actor: Actor,
  request: { fileName: string; size: number; meta: Record<string, unknown> },
  options: ActionOptions = {},
): Promise<{ upload: MediaUpload; resumed: boolean }> {
  const purpose = purposeOf(deps);
  const open = await findOpenUpload(deps.db, purpose, request.fileName, request.size);
  if (open) return { upload: open, resumed: true };
  const free = await deps.freeBytes(deps.mediaDir);
  if (free < request.size) {
    throw new StrikerError('INSUFFICIENT_STORAGE', `the Striker's disk has ${free} bytes free, too few for ${request.fileName} (${request.size} bytes)`, { details: { freeBytes: free, neededBytes: request.size } });
  }
  const upload = await deps.db.tx(async (t) => {
    const u = await insertUpload(t, { purpose, fileName: request.fileName, sizeBytes: request.size, meta: request.meta, createdBy: actor.userId });
    await audit(t, actor, { action: `${auditPrefix(purpose)}.start`, targetKind: 'upload', targetId: u.id, details: { fileName: u.fileName, sizeBytes: u.sizeBytes }, requestId: options.requestId });
    return u;
  });
  return { upload, resumed: false };
}

/** Sessions a chunk is being written to right now: a second chunk for the same one waits its turn (409). */
const busy = new Set<string>();

/** Appends one verified chunk; the answer is the session with its new `receivedBytes`. */
export async function receiveChunk(deps: UploadArea, id: string, range: ChunkRange, digest: string, body: Buffer): Promise<MediaUpload> {
  const upload = await openUpload(deps, id);
  if (upload.state !== 'receiving') throw new ConflictError(`upload ${upload.fileName} is ${upload.state}; start a new one`, { state: upload.state });
  if (range.total !== upload.sizeBytes) throw new ValidationError([{ path: 'headers.content-range', message: `must end in /${upload.sizeBytes} (the size given at the start) — got /${range.total}` }], 'upload chunk');
  if (body.length !== range.end - range.start + 1) throw new ValidationError([{ path: 'body', message: `carries ${body.length} bytes but Content-Range names ${range.end - range.start + 1}` }], 'upload chunk');
  if (range.start !== upload.receivedBytes) throw new ConflictError(`the upload has ${upload.receivedBytes} bytes; send from there`, { receivedBytes: upload.receivedBytes });
  if (sha256Base64(body) !== digest) throw new ValidationError([{ path: 'headers.content-digest', message: 'does not match the chunk (it was damaged on the way); nothing was written — send it again' }], 'upload chunk');
  if (busy.has(upload.id)) throw new ConflictError(`a chunk of ${upload.fileName} is being written; wait for it`, { receivedBytes: upload.receivedBytes });
  busy.add(upload.id);
  try {
    const free = await deps.freeBytes(deps.mediaDir);
    if (free < body.length) throw noRoom(undefined, body.length);
    const tree = mediaTree(deps.mediaDir);
    await writeChunkAt(tree.partPath(upload.id), range.start, body);
    if (!(await advanceUpload(deps.db, upload.id, range.start, range.end + 1))) {
      // Cancelled or failed while the chunk was written: what this write left behind goes too.
      const now = await getUpload(deps.db, upload.id);
      if (now?.state !== 'receiving') {
        await removePart(tree.partPath(upload.id));
        throw new ConflictError(`upload ${upload.fileName} was ${now?.state ?? 'removed'} while the chunk was written; nothing was kept`, { state: now?.state ?? null });
      }
      throw new ConflictError(`upload ${upload.fileName} changed while the chunk was written; ask where it stands`, {});
    }
    return { ...upload, receivedBytes: range.end + 1 };
  } finally {
    busy.delete(upload.id);
  }
}

/**
 * Finishes an OS media upload: every byte received, the SHA-256 of what is on disk equal to the
 * browser's. Then the file moves to its final place and the import job is enqueued. A file whose
 * checksum differs is deleted and the upload failed: it is never imported.
 */
export async function finishUpload(deps: UploadDeps, actor: Actor, id: string, input: unknown, options: ActionOptions = {}): Promise<{ upload: MediaUpload; job: Job }> {
  return finishUploadWith(deps, actor, id, input, options, async (t, { upload, sha256, finalPath }) => {
    const job = await enqueueJob(t, deps.catalog, { kind: 'repo.import-iso', payload: { path: finalPath }, createdBy: actor.userId });
    await audit(t, actor, { action: 'media.upload.finish', targetKind: 'upload', targetId: upload.id, details: { fileName: upload.fileName, sizeBytes: upload.sizeBytes, sha256, jobId: job.id }, requestId: options.requestId });
    return { result: { upload: { ...upload, state: 'complete' as const, sha256, jobId: job.id }, job }, jobId: job.id };
  });
}

/** A finished upload whose bytes were checked: where they are now. */
export interface VerifiedUpload {
  upload: MediaUpload;
  sha256: string;
  /** `<dir>/<upload id>/<fileName>`. */
  finalPath: string;
}

/**
 * Checks a finished upload (every byte received, the SHA-256 on disk equal to `input.sha256`),
 * moves it to its final place and, in one transaction, lets `complete` record what the purpose
 * makes of it (an import job, a `files` row) before the session is ended complete. A short or
 * damaged upload is deleted and the session failed; `complete` never sees it.
 */
export async function finishUploadWith<R>(
  deps: UploadArea,
  actor: Actor,
  id: string,
  input: unknown,
  options: ActionOptions,
  complete: (t: DbTx, verified: VerifiedUpload) => Promise<{ result: R; jobId: string | null }>,
): Promise<R> {
  const request = parseInput(finishUploadSchema, input, 'upload', options.inputPath);
  const upload = await openUpload(deps, id);
  if (upload.state !== 'receiving') throw new ConflictError(`upload ${upload.fileName} is ${upload.state}`, { state: upload.state });
  if (upload.receivedBytes !== upload.sizeBytes) {
    throw new ConflictError(`upload ${upload.fileName} has ${upload.receivedBytes} of ${upload.sizeBytes} bytes; send the rest first`, { receivedBytes: upload.receivedBytes });
  }
  const tree = mediaTree(deps.mediaDir);
  const part = tree.partPath(upload.id);
  const onDisk = await fileSize(part);
  const fail = async (why: string) => {
    await endUpload(deps.db, upload.id, 'failed', why);
    await removePart(part);
  };
  if (onDisk !== upload.sizeBytes) {
    await fail(`the uploaded file has ${onDisk ?? 0} bytes on disk, not ${upload.sizeBytes}`);
    throw new ConflictError(`upload ${upload.fileName} is short on disk (${onDisk ?? 0} of ${upload.sizeBytes} bytes); it was discarded — upload it again`, {});
  }
  const sha256 = await hashFile(part);
  if (sha256 !== request.sha256) {
    await fail(`SHA-256 of the received bytes is ${sha256}, the browser's file has ${request.sha256}`);
    throw new ValidationError([{ path: `${options.inputPath ? `${options.inputPath}.` : ''}sha256`, message: `does not match the received bytes (${sha256}); the upload was discarded and nothing was used` }], 'upload');
  }
  const finalPath = tree.finalPath(upload.id, upload.fileName);
  await promote(part, finalPath);
  try {
    return await deps.db.tx(async (t) => {
      const { result, jobId } = await complete(t, { upload, sha256, finalPath });
      await completeUpload(t, upload.id, sha256, jobId);
      return result;
    });
  } catch (error) {
    // Refused at the last step (a file of that name appeared meanwhile): nothing is kept.
    await endUpload(deps.db, upload.id, 'failed', error instanceof Error ? error.message.slice(0, 500) : String(error));
    await removePart(finalPath);
    throw error;
  }
}

/** Cancels an open upload and deletes what was received. */
export async function cancelUpload(deps: UploadArea, actor: Actor, id: string, options: ActionOptions = {}): Promise<void> {
  const upload = await openUpload(deps, id);
  if (!(await endUpload(deps.db, upload.id, 'cancelled', null))) throw new ConflictError(`upload ${upload.fileName} is ${upload.state}; only an open upload can be cancelled`, { state: upload.state });
  await removePart(mediaTree(deps.mediaDir).partPath(upload.id));
  await audit(deps.db, actor, { action: `${auditPrefix(purposeOf(deps))}.cancel`, targetKind: 'upload', targetId: upload.id, details: { fileName: upload.fileName, receivedBytes: upload.receivedBytes }, requestId: options.requestId });
}

