/**
 * HTTP routes for mirrored repos and installation trees, with @fastify/static (`send`: Range
 * requests per RFC 9110 §14, ETag/Last-Modified validators per §8.8, sendfile(2)):
 *   GET|HEAD /repos/<name>/<path>      → <reposDir>/<name>/current/<path> (the published snapshot)
 *   GET|HEAD /repos/RPM-GPG-KEY-striker → Striker's repo signing key
 *   GET|HEAD /trees/<name>/<path>      → <treesDir>/<name>/<path> (an imported installation tree)
 * Every path segment is checked before touching the disk: `..`, `.`, empty segments, NUL and
 * backslashes are refused with 400 and counted; unknown names are 404.
 */
import fastifyStatic, { type SendOptions } from '@fastify/static';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FrontDoor } from '../striker/api/front-door.js';
import { SmallFileCache, type CachedFile } from './small-file-cache.js';
import { HotUrlIndex } from './hot-url-index.js';
import { readLinkTarget, SnapshotLinks } from './snapshot-links.js';

export interface RepoRouteOptions {
  reposDir: string;
  treesDir: string;
  /** Read size for file streams (default 256 KiB; memory per in-flight download). */
  readChunkBytes?: number;
  /**
   * When given, plain GET/HEAD requests for files already in the small-file cache are answered
   * here before fastify routes them (same bytes and headers as the route); all else goes on to
   * the routes below.
   */
  frontDoor?: FrontDoor;
}

export interface RepoRouteCounters {
  served: number;
  refused: number;
  /** Responses answered from the in-memory small-file cache. */
  fromMemory: number;
}

const namePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

/**
 * Read size for file streams. @fastify/send reads with fs streams (Node has no sendfile(2));
 * 64 KiB reads cap a 10 MiB transfer at a fraction of nginx, 256 KiB reads come close to memory
 * bandwidth while bounding memory at 256 KiB per in-flight download.
 */
const defaultReadChunkBytes = 256 * 1024;

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

/**
 * True when the request has a Range or any If-* header (RFC 9110 §13, §14.2): those go to
 * @fastify/send, which implements them. Scans rawHeaders, because `req.headers` is built per
 * request on first use, which costs more than this whole check.
 */
function asksForPartOrCondition(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 5 && name.toLowerCase() === 'range') return true;
    if (name.length > 3 && name.charCodeAt(2) === 0x2d /* - */ && name.slice(0, 2).toLowerCase() === 'if') return true;
  }
  return false;
}

export async function registerRepoRoutes(app: FastifyInstance, options: RepoRouteOptions): Promise<RepoRouteCounters> {
  const counters: RepoRouteCounters = { served: 0, refused: 0, fromMemory: 0 };
  const cache = new SmallFileCache();
  const links = new SnapshotLinks();
  const hot = new HotUrlIndex();
  app.addHook('onClose', async () => links.close());
  // @fastify/static passes these through to @fastify/send, whose highWaterMark its types omit.
  const sendOptions = { highWaterMark: options.readChunkBytes ?? defaultReadChunkBytes } as SendOptions;
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: options.reposDir, serve: false, index: false, dotfiles: 'allow' });
    const refuse = (req: FastifyRequest, reply: FastifyReply, why: string) => {
      counters.refused += 1;
      req.log.debug({ path: req.url, why }, 'repo route refused');
      return reply.code(400).send({ code: 'VALIDATION_FAILED', message: `path refused: ${why}` });
    };
    /** `link` is the symlink naming the published snapshot (`<name>/current`, or the tree `<name>`). */
    const serve = (root: string, link: (name: string) => string) => async (req: FastifyRequest<{ Params: { name: string; '*': string } }>, reply: FastifyReply) => {
      const { name } = req.params;
      if (!namePattern.test(name)) return refuse(req, reply, 'bad repo or tree name');
      const tail = safeTail(req.params['*']);
      if (tail === undefined) return refuse(req, reply, 'unsafe path');
      counters.served += 1;
      const h = req.headers;
      if (h.range === undefined && h['if-none-match'] === undefined && h['if-modified-since'] === undefined && !tail.endsWith('/')) {
        // Read on every routed request, so a switch shows at once (the front door may lag by one event-loop turn).
        const snapshot = readLinkTarget(join(root, link(name)));
        const hit = snapshot === undefined ? undefined : await cache.get(join(snapshot, tail));
        if (hit) {
          counters.fromMemory += 1;
          return reply.headers(hit.headers).send(hit.body);
        }
      }
      return reply.sendFile(`${link(name)}/${tail}`, root, sendOptions);
    };
    /** The small file a plain URL names, if it is in memory now (no disk access but the link). */
    const inMemory = (url: string): CachedFile | undefined => {
      const m = plainUrl.exec(url);
      if (m === null || safeTail(m[3]!) === undefined || m[3]!.endsWith('/')) return undefined;
      const [root, linkPath] = m[1] === 'repos' ? [options.reposDir, `${m[2]!}/current`] : [options.treesDir, m[2]!];
      const snapshot = links.resolve(join(root, linkPath));
      return snapshot === undefined ? undefined : cache.peek(join(snapshot, m[3]!));
    };
    /** The front-door twin of `serve`, for cache hits only; anything unusual returns false. */
    const answerFromMemory = (req: IncomingMessage, res: ServerResponse): boolean => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (asksForPartOrCondition(req.rawHeaders)) return false;
      const url = req.url ?? '';
      const generation = links.generation;
      let hit = hot.get(url, generation);
      if (hit === undefined) {
        hit = inMemory(url);
        if (hit === undefined) return false;
        hot.set(url, hit, generation);
      }
      counters.served += 1;
      counters.fromMemory += 1;
      res.writeHead(200, hit.headers);
      res.end(req.method === 'HEAD' ? undefined : hit.body);
      return true;
    };
    options.frontDoor?.add(answerFromMemory);
    // `access: 'public'`: installers fetch repos and trees without credentials (read by the API's auth hook).
    scope.get('/repos/RPM-GPG-KEY-striker', { config: { access: 'public' } }, async (_req, reply) => reply.sendFile('RPM-GPG-KEY-striker', options.reposDir));
    scope.get('/repos/:name/*', { config: { access: 'public' } }, serve(options.reposDir, (n) => `${n}/current`));
    scope.get('/trees/:name/*', { config: { access: 'public' } }, serve(options.treesDir, (n) => n));
  });
  return counters;
}
