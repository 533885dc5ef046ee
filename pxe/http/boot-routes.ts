/**
 * Boot routes as a fastify plugin (registered by `striker serve`), rendered per request:
 *   GET /boot/ipxe/:mac  and  GET /boot/ipxe?mac=${net0/mac}   the machine's iPXE script
 *   GET /boot/grub/grub.cfg                                    loads grub.cfg-01-$net_default_mac
 *   GET /boot/grub/grub.cfg-01-:mac                            the machine's GRUB config
 *   GET /boot/grub/http-probe                                  GRUB sources it to learn it can use HTTP
 *   GET /boot/loaders/:name                                    a boot loader (UEFI HTTP boot: ipxe.efi)
 * Machines have no session or token, so every route is `access: 'public'` (striker/http/access.ts)
 * and reveals only what the machine's own MAC selects. A malformed MAC is a 404 (counted, logged
 * at debug), never a broken script. Every file served is an `http.file` boot timeline step.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BootTimeline } from '../boot/timeline.js';
import type { BootFormat, BootResolver } from './boot-resolver.js';
import { GRUB_HTTP_PROBE, GRUB_HTTP_PROBE_TEXT, renderGrubDispatch } from './grub-config.js';
import { normalizeMac } from '../../striker/core/net/mac.js';
import { systemClock, type Clock } from '../../striker/core/clock.js';
import { FileStreamer } from '../../repo-sync/index.js';

export interface BootRouteCounters {
  served: Record<string, number>;
  notFound: number;
  failed: number;
  loaderBytes: number;
}

export function createBootRouteCounters(): BootRouteCounters {
  return { served: {}, notFound: 0, failed: 0, loaderBytes: 0 };
}

export interface BootRouteDeps {
  resolver: BootResolver;
  timeline: BootTimeline;
  logger: Logger;
  /** Striker's base URL as machines reach it (for the generic grub.cfg). */
  strikerUrl: string;
  /** Loader file name → absolute path (pxe/boot/loaders.ts `availableLoaders`); served under /boot/loaders/. */
  loaders?: ReadonlyMap<string, string>;
  /** The MAC that holds `ip` (the DHCP lease table), to put loader downloads on the machine's timeline. */
  macOfIp?: (ip: string) => string | undefined;
  counters?: BootRouteCounters;
  now?: Clock;
  /** Sends loader files (sendfile(2) when the addon is built); one is made when not given. */
  streamer?: FileStreamer;
}

export function bootRoutes(deps: BootRouteDeps): FastifyPluginAsync {
  const counters = deps.counters ?? createBootRouteCounters();
  const now = deps.now ?? systemClock;
  const log = deps.logger;
  const streamer = deps.streamer ?? new FileStreamer();
  const opts = { config: { access: 'public' as const } };
  const count = (what: string): void => {
    counters.served[what] = (counters.served[what] ?? 0) + 1;
  };

  function notFound(req: FastifyRequest, reply: FastifyReply, why: string): FastifyReply {
    counters.notFound++;
    log.debug({ peer: req.ip, path: req.routeOptions.url, why }, 'boot route: nothing for this request');
    return reply.code(404).type('text/plain').send(`${why}\n`);
  }

  async function serveBoot(req: FastifyRequest, reply: FastifyReply, rawMac: string | undefined, format: BootFormat): Promise<FastifyReply> {
    const mac = rawMac === undefined ? undefined : normalizeMac(rawMac);
    if (mac === undefined) return notFound(req, reply, 'not a MAC address');
    const started = Date.now();
    let resolved;
    try {
      resolved = await deps.resolver.resolve(mac, format);
    } catch (error) {
      counters.failed++;
      log.warn({ err: error, mac, peer: req.ip, format }, 'boot file could not be rendered');
      deps.timeline.record({ step: 'http.file', mac, ip: req.ip, at: now(), details: { file: `boot/${format}`, outcome: 'failed', bytes: 0 } });
      return reply.code(503).type('text/plain').send('Striker could not prepare this machine\'s boot file; see the Striker log\n');
    }
    count(format);
    const bytes = Buffer.byteLength(resolved.text);
    log.info({ mac, peer: req.ip, format, ...resolved.facts }, 'boot file served');
    deps.timeline.record({ step: 'http.file', mac, ip: req.ip, at: now(), details: { file: `boot/${format}`, bytes, durationMs: Date.now() - started, outcome: 'ok', plan: resolved.facts } });
    return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(resolved.text);
  }

  return async (app) => {
    app.get<{ Params: { mac: string } }>('/boot/ipxe/:mac', opts, (req, reply) => serveBoot(req, reply, req.params.mac, 'ipxe'));
    app.get<{ Querystring: { mac?: unknown } }>('/boot/ipxe', opts, (req, reply) =>
      serveBoot(req, reply, typeof req.query.mac === 'string' ? req.query.mac : undefined, 'ipxe'),
    );
    app.get('/boot/grub/grub.cfg', opts, async (_req, reply) => {
      count('grub-dispatch');
      return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(renderGrubDispatch(deps.strikerUrl));
    });
    app.get(GRUB_HTTP_PROBE, opts, async (_req, reply) => {
      count('grub-http-probe');
      return reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(GRUB_HTTP_PROBE_TEXT);
    });
    app.get<{ Params: { file: string } }>('/boot/grub/:file', opts, (req, reply) => {
      const match = /^grub\.cfg-01-(.+)$/.exec(req.params.file);
      return serveBoot(req, reply, match?.[1], 'grub');
    });
    app.get<{ Params: { name: string } }>('/boot/loaders/:name', opts, async (req, reply) => {
      const path = deps.loaders?.get(req.params.name);
      if (path === undefined) return notFound(req, reply, 'no such loader');
      let file: FileHandle | undefined;
      let size: number;
      try {
        file = await open(path, 'r');
        size = (await file.stat()).size;
      } catch (error) {
        await file?.close().catch(() => undefined);
        counters.failed++;
        log.warn({ err: error, path }, 'boot loader missing on disk');
        return reply.code(503).type('text/plain').send(`loader ${req.params.name} is configured but missing\n`);
      }
      const started = Date.now();
      const mac = deps.macOfIp?.(req.ip);
      // 'close' always comes; 'finish' never does when a client that has read every byte hangs up
      // before the server's end() (busybox wget, iPXE under load).
      reply.raw.once('close', () => {
        const outcome = reply.raw.writableFinished ? 'ok' : 'closed-by-client';
        counters.loaderBytes += size;
        const event = { step: 'http.file' as const, ip: req.ip, at: now(), details: { file: `boot/loaders/${req.params.name}`, bytes: size, durationMs: Date.now() - started, outcome } };
        deps.timeline.record(mac === undefined ? event : { ...event, mac });
      });
      count('loader');
      // The body goes past fastify's reply, from the opened descriptor (file-streamer.ts).
      reply.hijack();
      reply.raw.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
      if (req.method === 'HEAD') reply.raw.end();
      else await streamer.send(reply.raw, file.fd, size).catch((error: unknown) => log.warn({ err: error, path }, 'boot loader send failed'));
      await file.close().catch(() => undefined);
      return reply;
    });
  };
}
