/**
 * Uploads OS media to the Striker in checksummed chunks (repo-sync/media on the server):
 *   1. POST /api/media/uploads { fileName, size } starts an upload, or finds the open one of the
 *      same file (after a reload or a dropped connection) and says how many bytes it holds;
 *   2. the bytes the server already holds are read again here (locally, nothing is sent) to
 *      bring the file's running SHA-256 up to that point;
 *   3. each chunk goes as PUT with Content-Range and its own SHA-256 (Content-Digest, RFC 9530);
 *      a chunk whose answer was lost is settled by asking where the upload stands;
 *   4. POST …/complete { sha256 } hands the server the whole file's SHA-256: it imports the
 *      file only if what it received hashes the same.
 * Progress is reported as bytes the server confirmed; the bar's percent and the text both come
 * from that one number. SHA-256 is @noble/hashes (incremental, and works on plain-HTTP pages,
 * where crypto.subtle is not available).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { api, ApiError, request } from './api';
import type { MediaUploadAnswer, MediaUploadFinish, MediaUploadView } from './api-types';
import { session } from './session.svelte';

export type UploadPhase = 'starting' | 'checking' | 'sending' | 'verifying' | 'done';

export interface UploadProgress {
  phase: UploadPhase;
  /** Bytes the server holds (confirmed), or, while checking, bytes read again locally. */
  done: number;
  total: number;
  /** Whether this upload went on from bytes sent earlier. */
  resumed: boolean;
  uploadId: string | null;
}

/** Whole percent of `done` in `total`, never 100 before the end. */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 0;
  if (done >= total) return 100;
  return Math.min(99, Math.floor((done * 100) / total));
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function readSlice(file: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, end).arrayBuffer());
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });

/** The answer of one chunk PUT: the upload as the server now holds it, or why not. */
async function putChunk(base: string, id: string, chunk: Uint8Array, start: number, total: number, signal: AbortSignal): Promise<{ ok: true; received: number } | { ok: false; status: number; message: string; received?: number }> {
  const csrf = (session.info?.authenticated ? session.info.csrfToken : null) ?? '';
  const res = await fetch(`${base}/${id}`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/octet-stream',
      'content-range': `bytes ${start}-${start + chunk.length - 1}/${total}`,
      'content-digest': `sha-256=:${base64(sha256(chunk))}:`,
      'x-csrf-token': csrf,
      accept: 'application/json',
    },
    body: chunk as BodyInit,
    credentials: 'same-origin',
    signal,
  });
  const data = (await res.json().catch(() => ({}))) as { upload?: { receivedBytes: number }; error?: { message?: string; details?: { receivedBytes?: number } } };
  if (res.ok && data.upload) return { ok: true, received: data.upload.receivedBytes };
  return { ok: false, status: res.status, message: data.error?.message ?? `HTTP ${res.status}`, ...(data.error?.details?.receivedBytes !== undefined ? { received: data.error.details.receivedBytes } : {}) };
}

export interface UploadOptions {
  signal: AbortSignal;
  onProgress: (p: UploadProgress) => void;
  /** Attempts per chunk when the connection drops before a new try gives up. */
  attempts?: number;
}

/**
 * Uploads `file` and asks the Striker to import it; resolves with the import job. Aborting
 * `signal` stops sending and keeps what the server holds (resume by uploading the same file
 * again); `cancelUpload` discards it.
 */
export async function uploadMedia(file: File, options: UploadOptions): Promise<MediaUploadFinish> {
  return uploadInChunks(file, {
    base: '/api/media/uploads',
    start: () => api<MediaUploadAnswer>('POST', '/api/media/uploads', { fileName: file.name, size: file.size }),
    finish: (id, sha256) => api<MediaUploadFinish>('POST', `/api/media/uploads/${id}/complete`, { sha256 }),
  }, options);
}

/** Where one purpose's uploads go: how a session starts, its session URL, how it finishes. */
export interface UploadEndpoints<F> {
  /** The session routes (PUT/GET/DELETE `${base}/:id`). */
  base: string;
  start: () => Promise<MediaUploadAnswer>;
  finish: (id: string, sha256: string) => Promise<F>;
}

/** The chunked, checksummed upload every purpose shares (steps 1–4 above). */
export async function uploadInChunks<F>(file: File, endpoints: UploadEndpoints<F>, options: UploadOptions): Promise<F> {
  const { signal, onProgress } = options;
  const attempts = options.attempts ?? 6;
  const total = file.size;
  onProgress({ phase: 'starting', done: 0, total, resumed: false, uploadId: null });
  const started = await endpoints.start();
  const id = started.upload.id;
  const chunkSize = started.chunkMaxBytes;
  let resumed = started.resumed === true && started.upload.receivedBytes > 0;

  let hash = sha256.create();
  let hashed = 0;
  /** Brings the running hash to `upTo` bytes of the file, reading from the start if it is past that. */
  const rehash = async (upTo: number) => {
    if (hashed > upTo) { hash = sha256.create(); hashed = 0; }
    while (hashed < upTo) {
      signal.throwIfAborted();
      const end = Math.min(upTo, hashed + chunkSize);
      hash.update(await readSlice(file, hashed, end));
      hashed = end;
      onProgress({ phase: 'checking', done: hashed, total, resumed, uploadId: id });
    }
  };

  let offset = started.upload.receivedBytes;
  await rehash(offset);
  onProgress({ phase: 'sending', done: offset, total, resumed, uploadId: id });
  let failures = 0;
  while (offset < total) {
    signal.throwIfAborted();
    const end = Math.min(total, offset + chunkSize);
    const chunk = await readSlice(file, offset, end);
    let answer: Awaited<ReturnType<typeof putChunk>> | undefined;
    try {
      answer = await putChunk(endpoints.base, id, chunk, offset, total, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // The connection dropped: the chunk may or may not have been written. Ask, after a pause.
      if (++failures >= attempts) throw new ApiError(0, 'UNREACHABLE', `the connection to the Striker dropped ${failures} times; upload the same file again to resume`, []);
      await wait(Math.min(8000, 500 * 2 ** failures), signal);
      const now = await request<MediaUploadAnswer>('GET', `${endpoints.base}/${id}`).catch(() => undefined);
      if (now) answer = { ok: false, status: 409, message: 'resync', received: now.upload.receivedBytes };
      else continue;
    }
    if (answer.ok) {
      hash.update(chunk);
      hashed = end;
      offset = end;
      failures = 0;
    } else if (answer.status === 409 && answer.received !== undefined) {
      // The server holds a different amount than assumed (a lost answer, another tab): go on from there.
      resumed = true;
      if (answer.received === end) { hash.update(chunk); hashed = end; } else await rehash(answer.received);
      offset = answer.received;
    } else if (answer.status === 400 && ++failures < attempts) {
      // The chunk was damaged on the way (digest mismatch): nothing was written; send it again.
      continue;
    } else {
      throw new ApiError(answer.status, 'UPLOAD_FAILED', answer.message, []);
    }
    onProgress({ phase: 'sending', done: offset, total, resumed, uploadId: id });
  }
  onProgress({ phase: 'verifying', done: total, total, resumed, uploadId: id });
  const finished = await endpoints.finish(id, bytesToHex(hash.digest()));
  onProgress({ phase: 'done', done: total, total, resumed, uploadId: id });
  return finished;
}

/** Discards an upload and what the Striker received of it. */
export async function cancelUpload(id: string, base = '/api/media/uploads'): Promise<void> {
  await api('DELETE', `${base}/${id}`);
}

/** Uploads still open on the Striker (a reload left them): choosing the same file resumes one. */
export function openUploads(uploads: readonly MediaUploadView[]): MediaUploadView[] {
  return uploads.filter((u) => u.state === 'receiving');
}
