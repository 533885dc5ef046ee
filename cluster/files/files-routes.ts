/**
 * Files synced to hosts over the API:
 *   GET    /api/files                       every file with its state per host, and open uploads
 *   GET    /api/files/:ref                  one file (by id or name)
 *   POST   /api/files                       { name, kind, size } → 201 an upload, 200 the open one resumed
 *   GET|PUT|DELETE /api/files/uploads/:id   the upload session: where it stands, one chunk, cancel
 *   POST   /api/files/uploads/:id/complete  { sha256 } → 201 the file
 *   POST   /api/files/:ref/push             { hosts: [hostId] } → 202 a file.fetch job per host
 *   DELETE /api/files/:ref                  → 204; 409 while a server uses it
 * and for host agents (their credential):
 *   GET    /api/agent/files/:id/content     the bytes (Range: one byte range, 206), only to a host the file was pushed to
 *   GET    /api/agent/files/:id/held        { held } whether this Striker has the bytes (agents ask one that does first)
 *   POST   /api/agent/files/:id/state       { jobId, state, bytes, error? } what the fetch reached
 * and for peer Strikers (the peer headers of striker/peers):
 *   GET    /api/peering/files/:id/content   the bytes of this Striker's copy (Range as above)
 */
import { open, stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FileStreamer, listUploads, selectRange, uploadSessionRoutes, type MediaUpload } from '../../repo-sync/index.js';
import { NotFoundError, StrikerError } from '../../striker/core/errors/index.js';
import type { SyncedFile } from './file-record.js';
import { fileForHost, findFileById, finishFileUpload, findFile, listFiles, pushFile, removeFile, reportHostState, startFileUpload, strikerPathOf, uploadAreaOf, type FilesDeps } from './actions.js';

/** GET /api/files */
export interface FileListResponse {
  files: SyncedFile[];
  /** File uploads still open (a reload resumes one by choosing the same file). */
  uploads: MediaUpload[];
  chunkMaxBytes: number;
}

/** GET /api/files/:ref, POST /api/files/uploads/:id/complete */
export interface FileResponse {
  file: SyncedFile;
}

/** GET /api/agent/files/:id/held: whether this Striker can give the bytes now. */
export interface FileHeldResponse {
  held: boolean;
}

/** POST /api/files/:ref/push */
export interface FilePushResponse {
  file: SyncedFile;
  jobs: { hostId: string; jobId: string }[];
}

export async function filesRoutes(app: FastifyInstance, deps: FilesDeps): Promise<void> {
  const area = uploadAreaOf(deps);
  const streamer = new FileStreamer(1 << 20);

  app.get('/api/files', { config: { access: 'viewer' } }, async (): Promise<FileListResponse> => ({
    files: await listFiles(deps.db),
    uploads: (await listUploads(deps.db, 'file')).filter((u) => u.state === 'receiving'),
    chunkMaxBytes: deps.config.uploadChunkBytes,
  }));

  app.get<{ Params: { ref: string } }>('/api/files/:ref', { config: { access: 'viewer' } }, async (request): Promise<FileResponse> => ({
    file: await findFile(deps.db, request.params.ref),
  }));

  app.post<{ Params: { ref: string } }>('/api/files/:ref/push', { config: { access: 'operator' } }, async (request, reply): Promise<FilePushResponse> => {
    const result = await pushFile(deps, request.actor!, request.params.ref, request.body, { requestId: request.id, inputPath: 'body' });
    void reply.code(202);
    return result;
  });

  app.delete<{ Params: { ref: string } }>('/api/files/:ref', { config: { access: 'operator' } }, async (request, reply) => {
    await removeFile(deps, request.actor!, request.params.ref, { requestId: request.id });
    return reply.status(204).send();
  });

  await uploadSessionRoutes(app, area, '/api/files/uploads', (scope) => {
    scope.post('/api/files', { config: { access: 'operator' } }, async (request, reply) => {
      const { upload, resumed } = await startFileUpload(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
      return reply.status(resumed ? 200 : 201).send({ upload, resumed, chunkMaxBytes: deps.config.uploadChunkBytes });
    });
    scope.post<{ Params: { id: string } }>('/api/files/uploads/:id/complete', { config: { access: 'operator' } }, async (request, reply) => {
      const file = await finishFileUpload(deps, request.actor!, request.params.id, request.body, { requestId: request.id, inputPath: 'body' });
      return reply.status(201).send({ file } satisfies FileResponse);
    });
  });

  /** Sends this Striker's copy of a file's bytes (whole, or the one Range asked for). */
  async function sendContent(request: FastifyRequest, reply: FastifyReply, file: SyncedFile, path: string): Promise<FastifyReply> {
    const size = await stat(path).then((s) => s.size, () => undefined);
    // This Striker has no copy yet (it is fetching it from a peer): the agent asks the next.
    if (size === undefined) throw new NotFoundError(`the bytes of ${file.name} on this Striker`, file.id);
    if (size !== file.sizeBytes) throw new StrikerError('CONFLICT', `this Striker's copy of ${file.name} has ${size} bytes, not ${file.sizeBytes}`);
    const range = request.headers.range === undefined ? undefined : selectRange(request.headers.range, size);
    const headers: Record<string, string | number> = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'x-content-sha256': file.sha256 };
    if (range === 'unsatisfiable') {
      return reply.status(416).headers(headers).header('content-range', `bytes */${size}`).send();
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range !== undefined) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    headers['content-length'] = end - start + 1;
    const handle = await open(path, 'r');
    // The body goes from the descriptor straight to the socket (sendfile(2) where it can), past fastify's reply.
    reply.hijack();
    try {
      reply.raw.writeHead(range === undefined ? 200 : 206, headers);
      if (end >= start) await streamer.send(reply.raw, handle.fd, end - start + 1, start);
      else reply.raw.end();
    } catch (error) {
      request.log.warn({ err: error, file: file.id }, 'file content stream failed');
    } finally {
      await handle.close();
    }
    return reply;
  }

  app.get<{ Params: { id: string } }>('/api/agent/files/:id/content', { config: { access: 'agent' as const } }, async (request, reply) => {
    const { file, path } = await fileForHost(deps, request.agent!.hostId, request.params.id);
    return sendContent(request, reply, file, path);
  });

  app.get<{ Params: { id: string } }>('/api/agent/files/:id/held', { config: { access: 'agent' as const } }, async (request): Promise<FileHeldResponse> => {
    const { file, path } = await fileForHost(deps, request.agent!.hostId, request.params.id);
    return { held: (await stat(path).then((s) => s.size, () => undefined)) === file.sizeBytes };
  });

  // A peer Striker fetching its own copy (its peer credential for this Striker).
  app.get<{ Params: { id: string } }>('/api/peering/files/:id/content', { config: { access: 'public' } }, async (request, reply) => {
    if (deps.peers === undefined) throw new StrikerError('UNAUTHENTICATED', 'this Striker has no peers');
    await deps.peers.authenticate(request.headers);
    const file = await findFileById(deps, request.params.id);
    return sendContent(request, reply, file, strikerPathOf(deps, file));
  });

  app.post<{ Params: { id: string } }>('/api/agent/files/:id/state', { config: { access: 'agent' as const } }, async (request) =>
    reportHostState(deps, request.agent!.hostId, request.params.id, request.body));
}
