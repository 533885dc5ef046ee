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
import { readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SmallFileCache } from './small-file-cache.js';

export interface RepoRouteOptions {
  reposDir: string;
  treesDir: string;
  /** Read size for file streams (default 256 KiB; memory per in-flight download). */
  readChunkBytes?: number;
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

/** The immutable directory a snapshot link points at (read on every request, so a switch shows at once). */
function snapshotOf(linkPath: string): string | undefined {
  try {
    return resolve(dirname(linkPath), readlinkSync(linkPath));
  } catch {
    return undefined;
  }
}

export async function registerRepoRoutes(app: FastifyInstance, options: RepoRouteOptions): Promise<RepoRouteCounters> {
  const counters: RepoRouteCounters = { served: 0, refused: 0, fromMemory: 0 };
  const cache = new SmallFileCache();
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
        const snapshot = snapshotOf(join(root, link(name)));
        const hit = snapshot === undefined ? undefined : await cache.get(join(snapshot, tail));
        if (hit) {
          counters.fromMemory += 1;
          return reply
            .header('content-type', hit.contentType).header('etag', hit.etag).header('last-modified', hit.lastModified)
            .header('accept-ranges', 'bytes').header('cache-control', 'public, max-age=0').send(hit.body);
        }
      }
      return reply.sendFile(`${link(name)}/${tail}`, root, sendOptions);
    };
    // `access: 'public'`: installers fetch repos and trees without credentials (read by the API's auth hook).
    scope.get('/repos/RPM-GPG-KEY-striker', { config: { access: 'public' } }, async (_req, reply) => reply.sendFile('RPM-GPG-KEY-striker', options.reposDir));
    scope.get('/repos/:name/*', { config: { access: 'public' } }, serve(options.reposDir, (n) => `${n}/current`));
    scope.get('/trees/:name/*', { config: { access: 'public' } }, serve(options.treesDir, (n) => n));
  });
  return counters;
}
