/**
 * HTTP routes for mirrored repos and installation trees, with @fastify/static (`send`: Range
 * requests per RFC 9110 §14, ETag/Last-Modified validators per §8.8, sendfile(2)):
 *   GET|HEAD /repos/<name>/<path>      → <reposDir>/<name>/current/<path> (the published snapshot)
 *   GET|HEAD /repos/RPM-GPG-KEY-striker → Striker's repo signing key
 *   GET|HEAD /trees/<name>/<path>      → <treesDir>/<name>/<path> (an imported installation tree)
 * Every path segment is checked before touching the disk: `..`, `.`, empty segments, NUL and
 * backslashes are refused with 400 and counted; unknown names are 404.
 * With a front door (striker/http/front-door.ts), the common case skips fastify: small files from
 * memory (looked up by raw URL, hot-url-index.ts) and large files streamed through reused buffers
 * (file-streamer.ts); measured in test/bench/repo.
 */
import fastifyStatic, { type SendOptions } from '@fastify/static';
import { closeSync, fstatSync, openSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FrontDoor } from '../striker/http/front-door.js';
import { SmallFileCache } from './small-file-cache.js';
import { fileHeaders } from './file-headers.js';
import { FileStreamer } from './file-streamer.js';
import { HotUrlIndex } from './hot-url-index.js';
import { readLinkTarget, SnapshotLinks } from './snapshot-links.js';

export interface RepoRouteOptions {
  reposDir: string;
  treesDir: string;
  /** Read size for file streams (default 256 KiB; memory per in-flight download). */
  readChunkBytes?: number;
  /**
   * When given, plain GET/HEAD requests (no Range, no If-*) for small files already in memory and
   * for large files are answered before fastify routes them, with the same bytes and headers as
   * the routes; everything else (misses, errors, hostile paths, partial and conditional requests)
   * goes on to the routes below.
   */
  frontDoor?: FrontDoor;
}

export interface RepoRouteCounters {
  served: number;
  refused: number;
  /** Responses answered from the in-memory small-file cache (front door or route). */
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
 * True when the request has a Range or any If-* header (RFC 9110 §13, §14.2): those are never
 * answered from memory but by @fastify/send, which implements them. Scans rawHeaders, because `req.headers` is built per
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

/** Where a URL prefix serves from: `link(name)` is the symlink naming the published snapshot, relative to `root`. */
interface Place {
  readonly root: string;
  readonly link: (name: string) => string;
}

function fstatSafe(fd: number): Stats | undefined {
  try {
    return fstatSync(fd);
  } catch {
    return undefined;
  }
}

export async function registerRepoRoutes(app: FastifyInstance, options: RepoRouteOptions): Promise<RepoRouteCounters> {
  const counters: RepoRouteCounters = { served: 0, refused: 0, fromMemory: 0 };
  const places: Record<'repos' | 'trees', Place> = {
    repos: { root: options.reposDir, link: (name) => `${name}/current` },
    trees: { root: options.treesDir, link: (name) => name },
  };
  const cache = new SmallFileCache();
  const links = new SnapshotLinks();
  const hot = new HotUrlIndex();
  const streamer = new FileStreamer(options.readChunkBytes ?? defaultReadChunkBytes);
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
    const serve = ({ root, link }: Place) => async (req: FastifyRequest<{ Params: { name: string; '*': string } }>, reply: FastifyReply) => {
      const { name } = req.params;
      if (!namePattern.test(name)) return refuse(req, reply, 'bad repo or tree name');
      const tail = safeTail(req.params['*']);
      if (tail === undefined) return refuse(req, reply, 'unsafe path');
      counters.served += 1;
      if (!asksForPartOrCondition(req.raw.rawHeaders) && !tail.endsWith('/')) {
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
    /** The file a plain URL names (links resolved, no disk access otherwise), or undefined for anything unusual. */
    const pathOf = (url: string): string | undefined => {
      const m = plainUrl.exec(url);
      if (m === null || safeTail(m[3]!) === undefined || m[3]!.endsWith('/')) return undefined;
      const { root, link } = m[1] === 'repos' ? places.repos : places.trees;
      const snapshot = links.resolve(join(root, link(m[2]!)));
      return snapshot === undefined ? undefined : join(snapshot, m[3]!);
    };
    /** Large files stream from disk through reused buffers; false (nothing sent) for anything else. */
    const answerFromDisk = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch {
        return false; // missing, or not readable: the route answers (404 and the like)
      }
      const st = fstatSafe(fd);
      if (st === undefined || !st.isFile() || st.size <= cache.maxFileBytes) {
        closeSync(fd); // small files go through the route, which puts them in memory
        return false;
      }
      counters.served += 1;
      res.writeHead(200, fileHeaders(path, st).headers);
      if (req.method === 'HEAD') {
        closeSync(fd);
        res.end();
        return true;
      }
      streamer.send(res, fd, st.size)
        .catch((error: unknown) => app.log.warn({ err: error, path }, 'repo file stream failed'))
        .finally(() => closeSync(fd));
      return true;
    };
    /** The front-door twin of `serve`: files in memory, and large files; anything unusual returns false. */
    const answerPlainGet = (req: IncomingMessage, res: ServerResponse): boolean => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (asksForPartOrCondition(req.rawHeaders)) return false;
      const url = req.url ?? '';
      const generation = links.generation;
      let hit = hot.get(url, generation);
      if (hit === undefined) {
        const path = pathOf(url);
        if (path === undefined) return false;
        hit = cache.peek(path);
        if (hit === undefined) return answerFromDisk(req, res, path);
        hot.set(url, hit, generation);
      }
      counters.served += 1;
      counters.fromMemory += 1;
      res.writeHead(200, hit.headers);
      res.end(req.method === 'HEAD' ? undefined : hit.body);
      return true;
    };
    options.frontDoor?.add(answerPlainGet);
    // `access: 'public'`: installers fetch repos and trees without credentials (read by the API's auth hook).
    scope.get('/repos/RPM-GPG-KEY-striker', { config: { access: 'public' } }, async (_req, reply) => reply.sendFile('RPM-GPG-KEY-striker', options.reposDir));
    scope.get('/repos/:name/*', { config: { access: 'public' } }, serve(places.repos));
    scope.get('/trees/:name/*', { config: { access: 'public' } }, serve(places.trees));
  });
  return counters;
}
