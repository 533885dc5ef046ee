/**
 * OS media uploads over the API (operators; viewers may look):
 *   POST   /api/media/uploads               { fileName, size } → 201 a new session, 200 the open one resumed
 *   GET    /api/media/uploads               open sessions first, then recent ones
 *   GET    /api/media/uploads/:id           one session (receivedBytes says where to go on)
 *   PUT    /api/media/uploads/:id           one chunk: application/octet-stream, Content-Range, Content-Digest
 *   POST   /api/media/uploads/:id/complete  { sha256 } → 202 the session and its import job
 *   DELETE /api/media/uploads/:id           cancel → 204
 * The routes sit in a plugin of their own so the raw-bytes body parser serves only them; the
 * session routes (GET/PUT/DELETE :id) are shared with the other upload purposes (uploadSessionRoutes).
 */
import type { FastifyInstance } from 'fastify';
import type { Job } from '../../striker/jobs/job.js';
import { cancelUpload, finishUpload, parseContentDigest, parseContentRange, readUpload, receiveChunk, startUpload, type UploadArea, type UploadDeps } from './upload-actions.js';
import { listUploads, type MediaUpload } from './upload-store.js';

export type { MediaUpload };

/** POST /api/media/uploads, GET /api/media/uploads/:id, PUT /api/media/uploads/:id */
export interface UploadResponse {
  upload: MediaUpload;
  /** Set by POST: whether an open upload of the same file was found and goes on. */
  resumed?: boolean;
  /** Size of the chunks to send (the largest a PUT may carry). */
  chunkMaxBytes: number;
}

/** GET /api/media/uploads */
export interface UploadListResponse {
  uploads: MediaUpload[];
  chunkMaxBytes: number;
}

/** POST /api/media/uploads/:id/complete */
export interface UploadFinishResponse {
  upload: MediaUpload;
  job: Job;
}

export async function uploadRoutes(app: FastifyInstance, deps: UploadDeps): Promise<void> {
  await uploadSessionRoutes(app, deps, '/api/media/uploads', (scope) => {
    scope.post('/api/media/uploads', { config: { access: 'operator' } }, async (request, reply) => {
      const { upload, resumed } = await startUpload(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
      const body: UploadResponse = { upload, resumed, chunkMaxBytes: deps.chunkBytes };
      return reply.status(resumed ? 200 : 201).send(body);
    });

    scope.get('/api/media/uploads', { config: { access: 'viewer' } }, async (): Promise<UploadListResponse> => ({
      uploads: await listUploads(deps.db, 'media'),
      chunkMaxBytes: deps.chunkBytes,
    }));

    scope.post<{ Params: { id: string } }>('/api/media/uploads/:id/complete', { config: { access: 'operator' } }, async (request, reply) => {
      const result: UploadFinishResponse = await finishUpload(deps, request.actor!, request.params.id, request.body, { requestId: request.id, inputPath: 'body' });
      return reply.status(202).send(result);
    });
  });
}

/**
 * The routes every upload purpose shares, under `base`: GET `base/:id` (where it stands), PUT
 * `base/:id` (one chunk) and DELETE `base/:id` (cancel), in a plugin of their own so the raw-bytes
 * body parser serves only them; `more` adds the purpose's own start and finish routes to the same
 * plugin.
 */
export async function uploadSessionRoutes(app: FastifyInstance, deps: UploadArea, base: string, more: (scope: FastifyInstance) => void): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: deps.chunkBytes }, (_request, body, done) => done(null, body));

    scope.get<{ Params: { id: string } }>(`${base}/:id`, { config: { access: 'viewer' } }, async (request): Promise<UploadResponse> => ({
      upload: await readUpload(deps, request.params.id),
      chunkMaxBytes: deps.chunkBytes,
    }));

    scope.put<{ Params: { id: string } }>(`${base}/:id`, { config: { access: 'operator' }, bodyLimit: deps.chunkBytes }, async (request): Promise<UploadResponse> => {
      const range = parseContentRange(request.headers['content-range']);
      const digest = parseContentDigest(request.headers['content-digest'] as string | undefined);
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return { upload: await receiveChunk(deps, request.params.id, range, digest, body), chunkMaxBytes: deps.chunkBytes };
    });

    scope.delete<{ Params: { id: string } }>(`${base}/:id`, { config: { access: 'operator' } }, async (request, reply) => {
      await cancelUpload(deps, request.actor!, request.params.id, { requestId: request.id });
      return reply.status(204).send();
    });

    more(scope);
  });
}
