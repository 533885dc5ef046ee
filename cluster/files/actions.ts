/**
 * Each files action once, for the API and the CLI: upload a file (the chunked, checksummed upload
 * of repo-sync, purpose `file`), remove it, push it to hosts (a `file.fetch` host job per host),
 * make sure a server's ISOs are on its nodes, and the agent's side: which file a host may fetch
 * and the state it reports.
 */
import { open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { beginUpload, finishUploadWith, readUpload, receiveChunk, type MediaUpload, type UploadArea } from '../../repo-sync/index.js';
import { addHostJob } from '../../striker/agent/index.js';
import { audit, systemActor, type ActionOptions, type Actor } from '../../striker/audit/audit-store.js';
import { ConflictError, NotFoundError, ValidationError } from '../../striker/core/errors/index.js';
import { isUuid } from '../../striker/core/validation/uuid.js';
import { parseInput } from '../../striker/core/validation/zod-problems.js';
import type { Database, DbReader, DbTx } from '../../striker/db/database.js';
import { createHash } from 'node:crypto';
import { fetchPayloadOf, fileHostStates, fileKindSchema, fileNameSchema, hostPathOf, type FileKind, type SyncedFile } from './file-record.js';
import type { FilesConfig } from './files-config.js';
import { localNode, recordCopy } from './file-copies-store.js';
import type { FilePeers } from './file-copy-keeper.js';
import { deleteFile, fileById, fileByName, insertFile, jobStatuses, listFiles, markPending, recordHostState, serversUsingPath } from './files-store.js';

export interface FilesDeps {
  db: Database;
  /** Where this Striker keeps the files' bytes (`<dataDir>/files`). */
  dir: string;
  config: FilesConfig;
  /** Free bytes where `dir` lives (statfs; injected by tests). */
  freeBytes: (dir: string) => Promise<number>;
  /** Peer Strikers (for their copies of the bytes); without it, no peer may fetch from here. */
  peers?: FilePeers;
}

export function uploadAreaOf(deps: FilesDeps): UploadArea {
  return { db: deps.db, mediaDir: deps.dir, maxBytes: deps.config.uploadMaxBytes, chunkBytes: deps.config.uploadChunkBytes, freeBytes: deps.freeBytes, purpose: 'file' };
}

export function addFileSchema(maxBytes: number) {
  return z.strictObject({
    name: fileNameSchema,
    kind: fileKindSchema,
    size: z.number('must be a number of bytes').int('must be a whole number of bytes').min(1, 'must be at least 1 byte').max(maxBytes, `must be at most ${maxBytes} bytes (files.uploadMaxBytes)`),
  });
}

const hostIdSchema = z.string().regex(/^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/, 'must be a host id like 52-54-00-12-34-56');

export const pushFileSchema = z.strictObject({
  hosts: z.array(hostIdSchema).min(1, 'must name at least one host').max(64, 'takes at most 64 hosts'),
});

export const hostStateSchema = z.strictObject({
  jobId: z.uuid('must be the fetch job\'s id'),
  state: z.enum(fileHostStates.filter((s) => s !== 'pending') as ['fetching', 'ready', 'failed']),
  bytes: z.number().int().min(0).max(1024 ** 4),
  error: z.string().max(2000).optional(),
});

/** A file by id or by name; 404 otherwise. */
export async function findFile(db: Database, ref: string): Promise<SyncedFile> {
  const found = isUuid(ref) ? await fileById(db, ref) : fileNameSchema.safeParse(ref).success ? await fileByName(db, ref) : undefined;
  if (found === undefined) throw new NotFoundError('file', ref.slice(0, 130));
  return found;
}

export { listFiles };

/** Where this Striker keeps a file's bytes (the upload's final place: `<dir>/<id>/<name>`). */
export function strikerPathOf(deps: Pick<FilesDeps, 'dir'>, file: Pick<SyncedFile, 'id' | 'name'>): string {
  return `${deps.dir.replace(/\/+$/, '')}/${file.id}/${file.name}`;
}

/**
 * Starts uploading a file (or resumes the open upload of the same name and size). A name already
 * taken by a file is refused before any byte is sent.
 */
export async function startFileUpload(deps: FilesDeps, actor: Actor, input: unknown, options: ActionOptions = {}): Promise<{ upload: MediaUpload; resumed: boolean }> {
  const request = parseInput(addFileSchema(deps.config.uploadMaxBytes), input, 'file', options.inputPath);
  if (await fileByName(deps.db, request.name)) throw new ConflictError(`a file named ${request.name} exists already; remove it first or choose another name`, { name: request.name });
  return beginUpload(uploadAreaOf(deps), actor, { fileName: request.name, size: request.size, meta: { kind: request.kind } }, options);
}

/** Finishes a file upload: its bytes checked against `{ sha256 }`, then the `files` row (id: the upload's). */
export async function finishFileUpload(deps: FilesDeps, actor: Actor, uploadId: string, input: unknown, options: ActionOptions = {}): Promise<SyncedFile> {
  return finishUploadWith(uploadAreaOf(deps), actor, uploadId, input, options, async (t, { upload, sha256 }) => {
    const kind = fileKindSchema.parse(upload.meta['kind']);
    await insertFile(t, { id: upload.id, name: upload.fileName, kind, sizeBytes: upload.sizeBytes, sha256, uploadedBy: actor.userId });
    // This Striker holds the bytes it just checked; its peers pull them from here.
    await recordCopy(t, upload.id, await localNode(t), { state: 'held', bytes: upload.sizeBytes, source: null, error: null });
    const file = (await fileById(t, upload.id))!;
    await audit(t, actor, { action: 'files.add', targetKind: 'file', targetId: file.id, details: { name: file.name, kind, sizeBytes: file.sizeBytes, sha256 }, requestId: options.requestId });
    return { result: file, jobId: null };
  });
}

/**
 * Adds a file on this Striker's disk (the CLI) through the same upload: chunks with their own
 * SHA-256, the whole file's SHA-256 checked at the end.
 */
export async function addLocalFile(deps: FilesDeps, actor: Actor, path: string, request: { name: string; kind: FileKind }): Promise<SyncedFile> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new ValidationError([{ path: 'path', message: `cannot be read: ${error.code ?? error.message}` }], 'file');
  });
  try {
    const size = (await handle.stat()).size;
    const { upload } = await startFileUpload(deps, actor, { name: request.name, kind: request.kind, size });
    const area = uploadAreaOf(deps);
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(deps.config.uploadChunkBytes);
    let offset = 0;
    // A resumed upload already holds a prefix: hash it from the local file and go on from there.
    const held = (await readUpload(area, upload.id)).receivedBytes;
    while (offset < size) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - offset), offset);
      if (bytesRead === 0) throw new ConflictError(`${path} shrank while it was read (${offset} of ${size} bytes)`);
      const data = chunk.subarray(0, bytesRead);
      hash.update(data);
      if (offset >= held) await receiveChunk(area, upload.id, { start: offset, end: offset + bytesRead - 1, total: size }, createHash('sha256').update(data).digest('base64'), data);
      offset += bytesRead;
    }
    return await finishFileUpload(deps, actor, upload.id, { sha256: hash.digest('hex') });
  } finally {
    await handle.close();
  }
}

/**
 * Removes a file (its rows and this Striker's bytes; every other Striker removes its copy when the
 * deletion reaches it); refused (409) while a server uses it.
 */
export async function removeFile(deps: FilesDeps, actor: Actor, ref: string, options: ActionOptions = {}): Promise<void> {
  const file = await findFile(deps.db, ref);
  const users = await serversUsingPath(deps.db, hostPathOf(deps.config.hostDirectory, file.name));
  if (users.length > 0) throw new ConflictError(`${file.name} is the install or driver ISO of ${users.join(', ')}; delete those servers first`, { servers: users });
  await deps.db.tx(async (t) => {
    await deleteFile(t, file.id);
    await audit(t, actor, { action: 'files.remove', targetKind: 'file', targetId: file.id, details: { name: file.name }, requestId: options.requestId });
  });
  await rm(dirname(strikerPathOf(deps, file)), { recursive: true, force: true });
}

/** Enqueues a fetch of `file` on one host and marks it pending there. */
async function enqueueFetch(t: DbTx, deps: Pick<FilesDeps, 'config'>, actor: Actor, file: SyncedFile, hostId: string, options: ActionOptions): Promise<string> {
  const job = await addHostJob(t, actor, { hostId, kind: 'file.fetch', payload: fetchPayloadOf(file, deps.config.hostDirectory) }, options);
  await markPending(t, file.id, hostId, job.id);
  return job.id;
}

/** Pushes a file to hosts: a `file.fetch` job on each (a host holding it already says so and changes nothing). */
export async function pushFile(deps: FilesDeps, actor: Actor, ref: string, input: unknown, options: ActionOptions = {}): Promise<{ file: SyncedFile; jobs: { hostId: string; jobId: string }[] }> {
  const request = parseInput(pushFileSchema, input, 'push', options.inputPath);
  const file = await findFile(deps.db, ref);
  const hosts = [...new Set(request.hosts)];
  const jobs = await deps.db.tx(async (t) => {
    const out: { hostId: string; jobId: string }[] = [];
    for (const hostId of hosts) out.push({ hostId, jobId: await enqueueFetch(t, deps, actor, file, hostId, options) });
    await audit(t, actor, { action: 'files.push', targetKind: 'file', targetId: file.id, details: { name: file.name, hosts }, requestId: options.requestId });
    return out;
  });
  return { file: (await fileById(deps.db, file.id))!, jobs };
}

/**
 * Makes sure the file `name` is on each host: nothing for a host where it is ready, the fetch
 * under way where one is, a new fetch otherwise. The answer is the fetch jobs to wait for, by host.
 */
export async function ensureFileOnHosts(t: DbTx, config: FilesConfig, actor: Actor, name: string, hostIds: readonly string[], what = 'file'): Promise<{ hostId: string; jobId: string }[]> {
  const file = await fileByName(t, name);
  if (file === undefined) throw new ValidationError([{ path: what, message: `names no uploaded file — got '${name.slice(0, 130)}' (see GET /api/files)` }], 'server');
  return ensureOnHosts(t, config, actor, file, hostIds);
}

async function ensureOnHosts(t: DbTx, config: FilesConfig, actor: Actor, file: SyncedFile, hostIds: readonly string[]): Promise<{ hostId: string; jobId: string }[]> {
  const statuses = await jobStatuses(t, file.hosts.flatMap((h) => (h.jobId === null ? [] : [h.jobId])));
  const waits: { hostId: string; jobId: string }[] = [];
  for (const hostId of hostIds) {
    const h = file.hosts.find((x) => x.hostId === hostId);
    if (h?.state === 'ready') continue;
    const status = h?.jobId ? statuses.get(h.jobId) : undefined;
    if (h?.jobId && (status === 'queued' || status === 'running' || status === 'interrupted')) waits.push({ hostId, jobId: h.jobId });
    else waits.push({ hostId, jobId: await enqueueFetch(t, { config }, actor, file, hostId, {}) });
  }
  return waits;
}

/**
 * The file a server request names as its install or driver ISO, by id or by name, and where it
 * is on the hosts (`files.hostDirectory/<name>`); undefined when no file is called that.
 */
export async function fileForServerIso(q: DbReader, config: FilesConfig, ref: string): Promise<{ file: SyncedFile; hostPath: string } | undefined> {
  const file = isUuid(ref) ? await fileById(q, ref) : fileNameSchema.safeParse(ref).success ? await fileByName(q, ref) : undefined;
  return file === undefined ? undefined : { file, hostPath: hostPathOf(config.hostDirectory, file.name) };
}

/**
 * The fetch jobs a server's provisioning waits for on its nodes: its install and driver ISOs, when
 * the request named them by file (`installIsoFile`, `driverIsoFile`: the `files` row's id) or by a
 * path in the hosts' files directory (`files.hostDirectory/<name>`), are files that must be ready
 * on every node first. Any other path is the operator's own and is not waited for.
 */
export function isoFetchWaits(config: FilesConfig) {
  return async (
    t: DbTx,
    server: { installIso: string | null; driverIso: string | null; installIsoFile?: string | null; driverIsoFile?: string | null },
    hostIds: readonly string[],
  ): Promise<Map<string, string[]>> => {
    const waits = new Map<string, string[]>(hostIds.map((h) => [h, []]));
    const prefix = `${config.hostDirectory.replace(/\/+$/, '')}/`;
    for (const [what, path, fileId] of [['installIso', server.installIso, server.installIsoFile], ['driverIso', server.driverIso, server.driverIsoFile]] as const) {
      if (fileId !== undefined && fileId !== null) {
        const file = await fileById(t, fileId);
        if (file === undefined) throw new ValidationError([{ path: what, message: `names a file that was removed (${fileId}); create the server again with an ISO that exists` }], 'server');
        for (const w of await ensureOnHosts(t, config, systemActor, file, hostIds)) waits.get(w.hostId)!.push(w.jobId);
        continue;
      }
      if (path === null || !path.startsWith(prefix)) continue;
      for (const w of await ensureFileOnHosts(t, config, systemActor, path.slice(prefix.length), hostIds, what)) waits.get(w.hostId)!.push(w.jobId);
    }
    return waits;
  };
}

/** The file a host's agent asks for and where its bytes are: only for a host it was pushed to. */
export async function fileForHost(deps: FilesDeps, hostId: string, fileId: string): Promise<{ file: SyncedFile; path: string }> {
  if (!isUuid(fileId)) throw new NotFoundError('file', fileId.slice(0, 80));
  const file = await fileById(deps.db, fileId);
  if (file === undefined) throw new NotFoundError('file', fileId);
  if (!file.hosts.some((h) => h.hostId === hostId)) throw new NotFoundError('file for this host', fileId);
  return { file, path: strikerPathOf(deps, file) };
}

/** A file by id (a peer Striker's fetch); 404 otherwise. */
export async function findFileById(deps: Pick<FilesDeps, 'db'>, id: string): Promise<SyncedFile> {
  const file = isUuid(id) ? await fileById(deps.db, id) : undefined;
  if (file === undefined) throw new NotFoundError('file', id.slice(0, 80));
  return file;
}

/** What a host's agent reports about a fetch. */
export async function reportHostState(deps: FilesDeps, hostId: string, fileId: string, input: unknown): Promise<{ recorded: boolean }> {
  if (!isUuid(fileId)) throw new NotFoundError('file', fileId.slice(0, 80));
  const s = parseInput(hostStateSchema, input, 'file state', 'body');
  if (s.state === 'failed' && !s.error) throw new ValidationError([{ path: 'body.error', message: 'must say why the fetch failed' }], 'file state');
  const recorded = await recordHostState(deps.db, fileId, hostId, s.jobId, { state: s.state, bytes: s.bytes, error: s.state === 'failed' ? s.error! : null });
  return { recorded };
}
