/**
 * HTTP routes for mirrored repos and installation trees:
 *   GET|HEAD /repos/<name>/<path>       → <reposDir>/<name>/current/<path> (the published snapshot)
 *   GET|HEAD /repos/RPM-GPG-KEY-striker → Striker's repo signing key
 *   GET|HEAD /repos/<name>/RPM-GPG-KEY-upstream → the repo's configured upstream key (beside its snapshots)
 *   GET|HEAD /trees/<name>/<path>       → <treesDir>/<name>/<path> (an imported installation tree)
 *
 * What is served is someone else's bytes, so:
 * - Every path segment is checked before touching the disk: `..`, `.`, empty segments, NUL and
 *   backslashes are refused with 400 and counted; unknown names are 404.
 * - Every file is opened through safe-open.ts: its real location must be inside the root (the
 *   real published snapshot, the real tree directory), and only a regular file is ever opened, so a
 *   symlink leaving the tree, a FIFO, a socket or a device answers 404, is counted in `refused`
 *   and logged at warn (once per path). Nothing is opened or stat'ed synchronously.
 * - Every answer, errors included, carries the inert headers of file-headers.ts (CSP sandbox,
 *   nosniff, a type that never executes).
 * - Range (RFC 9110 §14) and conditional requests (§13) are answered here (content-conditions.ts):
 *   206 with Content-Range, 416 with an unsatisfied-range Content-Range naming the size, 304, 412.
 *
 * Small files are answered from memory (small-file-cache.ts), large ones sent from the opened
 * descriptor (file-streamer.ts: sendfile(2) when its addon is built, else reused buffers). With a front door (striker/http/front-door.ts),
 * a plain GET/HEAD of a URL this route has already answered from memory is answered again from
 * memory before fastify routes it (hot-url-index.ts): a Map lookup, no disk access, so the
 * synchronous front door can never block. Everything else reaches these routes.
 */
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../striker/core/errors/index.js';
import { toErrorBody } from '../striker/http/error-handler.js';
import type { FrontDoor } from '../striker/http/front-door.js';
import { answerFor } from './content-conditions.js';
import { inertHeaders, fileHeaders, type FileHeaders } from './file-headers.js';
import { FileStreamer } from './file-streamer.js';
import { loadSendFileAddon } from './send-file-addon.js';
import { HotUrlIndex } from './hot-url-index.js';
import { UPSTREAM_KEY_FILE } from './repo-paths.js';
import { openUnderRoot, resolveRoot, type OpenedFile } from './safe-open.js';
import { SmallFileCache } from './small-file-cache.js';
import { SnapshotLinks } from './snapshot-links.js';

export interface RepoRouteOptions {
  reposDir: string;
  treesDir: string;
  /** Read size for file streams (default 256 KiB; memory per in-flight download). */
  readChunkBytes?: number;
  /** Large files with sendfile(2) when its addon is built (default true); false streams them (benchmarks compare the two). */
  sendfile?: boolean;
  /**
   * When given, plain GET/HEAD requests (no Range, no If-*) for small files these routes have
   * already answered from memory are answered before fastify routes them, with the same bytes and
   * headers; everything else goes on to the routes below.
   */
  frontDoor?: FrontDoor;
}

export interface RepoRouteCounters {
  served: number;
  /** Requests refused: unsafe request paths (400), and files outside the tree or not regular files (404). */
  refused: number;
  /** Responses answered from the in-memory small-file cache (front door or route). */
  fromMemory: number;
}

const namePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/**
 * Read size for the stream path (TLS, or without the sendfile addon): 256 KiB reads come close to
 * memory bandwidth while bounding memory at 2 × 256 KiB per in-flight download (file-streamer.ts).
 */
const defaultReadChunkBytes = 256 * 1024;

/** Distinct refused paths logged at warn; a client repeating one is counted but not logged again. */
const maxWarnedPaths = 1024;

/** Checks a wildcard tail from the URL (already percent-decoded by fastify); undefined when unsafe. */
export function safeTail(tail: string): string | undefined {
  if (tail === '' || tail.length > 4096) return undefined;
  if (/[\u0000\\]/.test(tail)) return undefined;
  const parts = tail.split('/');
  if (parts.some((s, i) => s === '..' || s === '.' || (s === '' && i !== parts.length - 1))) return undefined;
  return tail;
}

/** A raw request URL the front door may answer: `/repos|trees/<name>/<tail>` of plain characters only. */
const plainUrl = /^\/(repos|trees)\/([a-z0-9][a-z0-9._-]{0,63})\/([A-Za-z0-9._~+@=:,/-]{1,4096})$/i;

/** True for a raw URL only this module answers (so its 404s from fastify carry the inert headers too). */
function isContentUrl(url: string): boolean {
  return url.startsWith('/repos/') || url.startsWith('/trees/') || url === '/repos' || url === '/trees' || url.startsWith('/repos?') || url.startsWith('/trees?');
}

/**
 * True when the request has a Range or any If-* header (RFC 9110 §13, §14.2): those are never
 * answered by the front door. Scans rawHeaders, because `req.headers` is built per request on
 * first use, which costs more than this whole check.
 */
function asksForPartOrCondition(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 5 && name.toLowerCase() === 'range') return true;
    if (name.length > 3 && name.charCodeAt(2) === 0x2d /* - */ && name.slice(0, 2).toLowerCase() === 'if') return true;
  }
  return false;
}

type ContentRequest = FastifyRequest<{ Params: { name: string; '*': string } }>;

/** What a file is served from: bytes in memory, or a descriptor the safe opener opened. */
type Body = { readonly kind: 'memory'; readonly bytes: Buffer } | { readonly kind: 'file'; readonly file: OpenedFile };

export async function registerRepoRoutes(app: FastifyInstance, options: RepoRouteOptions): Promise<RepoRouteCounters> {
  const counters: RepoRouteCounters = { served: 0, refused: 0, fromMemory: 0 };
  /** The published link each prefix serves a name from: its real location is the root. */
  const places = {
    repos: { link: (name: string) => join(options.reposDir, name, 'current') },
    trees: { link: (name: string) => join(options.treesDir, name) },
  };
  const cache = new SmallFileCache();
  const links = new SnapshotLinks();
  const hot = new HotUrlIndex();
  const streamer = new FileStreamer(options.readChunkBytes ?? defaultReadChunkBytes, 8, options.sendfile === false ? null : loadSendFileAddon());
  const warned = new Set<string>();
  app.addHook('onClose', async () => links.close());
  // Answers fastify gives without reaching the routes below (no route for the URL or method) are inert too.
  app.addHook('onRequest', async (req, reply) => {
    if (isContentUrl(req.url)) void reply.headers(inertHeaders);
  });

  const urlPath = (req: FastifyRequest) => req.url.split('?')[0]!.slice(0, 1024);

  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).headers(inertHeaders).send(toErrorBody(new NotFoundError('file', urlPath(req).slice(0, 200)), req.id));

  /** An unsafe request path: 400, before anything touches the disk. */
  const badPath = (req: FastifyRequest, reply: FastifyReply, message: string) => {
    counters.refused += 1;
    req.log.debug({ path: urlPath(req), why: message }, 'repo route refused');
    return reply.code(400).headers(inertHeaders).send(toErrorBody(new ValidationError([{ path: 'url', message }], 'request path'), req.id));
  };

  /** Something on disk that must never be served: 404 like a missing file, counted, logged once per path. */
  const refuse = (req: FastifyRequest, reply: FastifyReply, why: string) => {
    counters.refused += 1;
    const path = urlPath(req);
    if (!warned.has(path)) {
      if (warned.size >= maxWarnedPaths) warned.clear();
      warned.add(path);
      req.log.warn({ path, why }, 'served path refused');
    }
    return notFound(req, reply);
  };

  /** Answers a file per RFC 9110 (validators, conditionals, one byte range); closes an opened file. */
  const respond = async (req: FastifyRequest, reply: FastifyReply, h: FileHeaders, body: Body): Promise<FastifyReply | undefined> => {
    const closeFile = () => (body.kind === 'file' ? body.file.handle.close().catch(() => undefined) : undefined);
    const answer = answerFor(req.method, req.headers, h);
    if (answer.status === 304 || answer.status === 412 || answer.status === 416) {
      await closeFile();
      if (answer.status === 304) {
        counters.served += 1;
        return reply.code(304).headers({ etag: h.etag, 'last-modified': h.lastModified, 'cache-control': h.headers['cache-control'] as string, ...inertHeaders }).send();
      }
      const range = answer.status === 416 ? { 'content-range': `bytes */${h.size}` } : {};
      return reply.code(answer.status).headers({ ...inertHeaders, ...range }).send();
    }
    counters.served += 1;
    const start = answer.status === 206 ? answer.start : 0;
    const length = answer.status === 206 ? answer.end - answer.start + 1 : h.size;
    const headers = answer.status === 206
      ? { ...h.headers, 'content-range': `bytes ${answer.start}-${answer.end}/${h.size}`, 'content-length': length }
      : h.headers;
    if (body.kind === 'memory') {
      counters.fromMemory += 1;
      return reply.code(answer.status).headers(headers).send(length === h.size ? body.bytes : body.bytes.subarray(start, start + length));
    }
    // Large files stream from the opened descriptor straight to the socket, past fastify's reply.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(answer.status, headers);
    if (req.method === 'HEAD') res.end();
    else await streamer.send(res, body.file.handle.fd, length, start).catch((error: unknown) => req.log.warn({ err: error, path: urlPath(req) }, 'repo file stream failed'));
    await closeFile();
    return undefined;
  };

  /**
   * Serves `tail` under the real location of `rootPath`. `link` is the published link whose
   * changes `links` watches: a plain GET of a plain URL answered from memory is then kept for the
   * front door until that link may have changed.
   */
  const serveUnder = async (req: FastifyRequest, reply: FastifyReply, rootPath: string, tail: string, link?: string) => {
    const generation = links.generation;
    const watched = link !== undefined && links.watch(link);
    const root = await resolveRoot(rootPath);
    if (root === undefined) return notFound(req, reply);
    const key = join(root, tail);
    let cached = cache.peek(key);
    if (cached === undefined) {
      const opened = await openUnderRoot(root, tail);
      if (opened.kind === 'missing') return notFound(req, reply);
      if (opened.kind === 'refused') return refuse(req, reply, opened.why);
      const { file } = opened;
      try {
        cached = await cache.load(key, file);
      } catch (error) {
        await file.handle.close().catch(() => undefined);
        throw error;
      }
      if (cached === undefined) return respond(req, reply, fileHeaders(key, file.stats), { kind: 'file', file });
      await file.handle.close().catch(() => undefined);
    }
    const url = req.raw.url ?? '';
    if (watched && (req.method === 'GET' || req.method === 'HEAD') && !asksForPartOrCondition(req.raw.rawHeaders) && plainUrl.test(url)) {
      hot.set(url, cached, generation);
    }
    return respond(req, reply, cached, { kind: 'memory', bytes: cached.body });
  };

  const serve = (place: { link: (name: string) => string }) => async (req: ContentRequest, reply: FastifyReply) => {
    const { name } = req.params;
    if (!namePattern.test(name)) return badPath(req, reply, `'${name.slice(0, 64)}' is not a repo or tree name (letters, digits, . _ -; 64 at most)`);
    const tail = safeTail(req.params['*']);
    if (tail === undefined) return badPath(req, reply, 'must not hold empty, . or .. segments, backslashes or NUL, and at most 4096 characters');
    const link = place.link(name);
    return serveUnder(req, reply, link, tail, link);
  };

  /** The front-door twin of the routes: a URL they answered from memory, answered again from memory. */
  const answerFromMemory = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const hit = hot.get(req.url ?? '', links.generation);
    if (hit === undefined || asksForPartOrCondition(req.rawHeaders)) return false;
    counters.served += 1;
    counters.fromMemory += 1;
    res.writeHead(200, hit.headers);
    res.end(req.method === 'HEAD' ? undefined : hit.body);
    return true;
  };
  options.frontDoor?.add(answerFromMemory);

  await app.register(async (scope) => {
    // `access: 'public'`: installers fetch repos and trees without credentials (read by the API's auth hook).
    scope.get('/repos/RPM-GPG-KEY-striker', { config: { access: 'public' } }, async (req, reply) => serveUnder(req, reply, options.reposDir, 'RPM-GPG-KEY-striker'));
    scope.get<{ Params: { name: string } }>(`/repos/:name/${UPSTREAM_KEY_FILE}`, { config: { access: 'public' } }, async (req, reply) => {
      if (!namePattern.test(req.params.name)) return notFound(req, reply);
      return serveUnder(req, reply, join(options.reposDir, req.params.name), UPSTREAM_KEY_FILE);
    });
    scope.get('/repos/:name/*', { config: { access: 'public' } }, serve(places.repos));
    scope.get('/trees/:name/*', { config: { access: 'public' } }, serve(places.trees));
  });
  return counters;
}
