/**
 * HTTP routes for kickstarts, as a fastify plugin the lead registers in buildApp:
 *   GET  /ks/:hostId.ks           the host's kickstart (issues a fresh one-time registration token);
 *                                 a signature rides as `?exp=…&sig=…`
 *   GET  /ks/:hostId/:exp.:sig.ks the same with the signature in the path: no `&` or `?` for boot
 *                                 loaders that treat them specially (GRUB script metacharacters)
 *   POST /ks/:hostId/events       `{ "event": "install.finished" }` from %post → boot timeline
 *   POST /ks/:hostId/failed       `{ "token": "srt_…", "reason", "logs": [{ "file", "tail" }] }` from
 *                                 %onerror: the install this kickstart's token belongs to failed →
 *                                 the machine is `failed` with the reason (deps.onFailed), and a
 *                                 `kickstart.failed` timeline event with the log tails (redacted)
 *   POST /ks/:hostId/register     `{ "token": "srt_…" }` from %post → exchanged once (deps.register) for
 *                                 the answer, the host's agent credentials
 * GET, events and failure reports are allowed only from the host's reserved IP/MAC or with a valid
 * signature (access-decision.ts); a failure report must also carry the registration token served
 * with the kickstart, so only the install that kickstart started can be reported failed (not an
 * earlier one's stray report after a reinstall). Every refusal is 403 with an empty body, the
 * reason goes to the log.
 * Nothing secret is logged: the request URL is logged with its signature redacted, the
 * kickstart body never.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BootTimeline } from '../pxe/index.js';
import { StrikerError } from '../striker/core/errors/index.js';
import { parseInput } from '../striker/core/validation/zod-problems.js';
import { decideAccess } from './access-decision.js';
import type { KickstartConfig } from './config.js';
import type { KickstartInputDraft } from './kickstart-input.js';
import { redactSecrets, redactString } from './redact.js';
import { generateToken, hashToken, presentedTokenHash, type RegistrationExchange, type TokenStore } from './registration-token.js';
import { renderKickstart } from './render.js';
import { signedPath, signHost } from './signed-url.js';
import { systemClock, type Clock } from '../striker/core/clock.js';

/** What the lead's host lookup returns for a host that may be installed from Striker. */
export interface KickstartHost {
  hostId: string;
  reservedIp?: string;
  /** false when no admin set or confirmed the reservation: the reserved address alone then gets nothing (access-decision.ts). */
  reservedIpConfirmed?: boolean;
  reservedMac?: string;
  /** Render input without the per-request parts (token, timeline URL). */
  input: Omit<KickstartInputDraft, 'registration' | 'timelineUrl'>;
  /** Outcome of the last pre-boot check (lint + %packages), stored with the host. */
  check: { status: 'ready' } | { status: 'failed'; problems: readonly string[] } | { status: 'unchecked' };
}

export interface KickstartHostLookup {
  find(hostId: string): Promise<KickstartHost | undefined>;
}

export interface KickstartCounters {
  served: number;
  refused: number;
  blocked: number;
  events: number;
  failed: number;
  registered: number;
  registrationRefused: number;
}

export function createKickstartCounters(): KickstartCounters {
  return { served: 0, refused: 0, blocked: 0, events: 0, failed: 0, registered: 0, registrationRefused: 0 };
}

export interface KickstartRouteDeps {
  hosts: KickstartHostLookup;
  tokens: TokenStore;
  timeline: BootTimeline;
  /** HMAC key for signed URLs, at least 32 bytes. */
  signingKey: Uint8Array;
  config: KickstartConfig;
  log: Logger;
  counters?: KickstartCounters;
  /** MAC the server associates with a peer IP (DHCP lease table); never from request headers. */
  peerMac?: (ip: string) => Promise<string | undefined>;
  /**
   * Exchanges a presented token for the registration's answer (the agent credentials), all or
   * nothing. Without it the token is consumed from `tokens` and the answer is `{ hostId }`.
   */
  register?: RegistrationExchange;
  /** Called when a registration is refused (for the audit log); its failure does not change the 403. */
  onRegistrationRefused?: (hostId: string, peerIp: string, reason: string) => Promise<void>;
  /**
   * Called once a kickstart was served (the installer has started): the machine moves to
   * `installing`. Its failure is logged and does not change the reply.
   */
  onServed?: (hostId: string) => Promise<void>;
  /**
   * The installer reported its install failed: the machine whose latest token has this hash
   * becomes `failed` with the reason. False when the hash is not that machine's latest token (the
   * report is refused, nothing changes).
   */
  onFailed: (report: InstallFailure) => Promise<boolean>;
  now?: Clock;
}

/** A failure report the installer made, as handed to `onFailed`. */
export interface InstallFailure {
  hostId: string;
  tokenHash: string;
  /** One line, at most `installErrorChars`, secrets redacted. */
  reason: string;
  at: Date;
}

/** The longest reason a machine keeps for its failed install. */
export const installErrorChars = 1000;

const hostIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** What %onerror may send (render-onerror.ts sends at most 4 tails of 6,000 characters and a reason of at most 1,000). */
const logTailLimits = { logs: 6, fileChars: 255, tailChars: 8192, reasonChars: 2000 } as const;
/** Room for the largest valid failure report, JSON escapes included. */
const failedBodyLimit = 64 * 1024;

const eventBodySchema = z.object({ event: z.literal('install.finished', { error: 'must be "install.finished"' }), hostId: z.string().max(64).optional() });

const failureBodySchema = z.strictObject({
  token: z.string().max(100).regex(/^srt_[A-Za-z0-9_-]{43}$/, 'must be the registration token served with the kickstart'),
  reason: z.string().min(1).max(logTailLimits.reasonChars),
  hostId: z.string().max(64).optional(),
  logs: z.array(z.strictObject({
    file: z.string().max(logTailLimits.fileChars).regex(/^\/[A-Za-z0-9._\/-]*$/, 'must be an absolute path of letters, digits, dot, dash, underscore and slash'),
    tail: z.string().max(logTailLimits.tailChars),
  })).max(logTailLimits.logs).default([]),
});

/**
 * The reason a machine keeps: one line (control characters and runs of white space become one
 * space), secrets redacted, at most `installErrorChars`.
 */
export function installErrorOf(reason: string): string {
  const line = redactString(reason).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
  const text = line === '' ? 'the installer reported a failure without a reason' : line;
  return text.length <= installErrorChars ? text : `${text.slice(0, installErrorChars - 1)}…`;
}

/**
 * The signed path at which a host fetches its kickstart, `/ks/<hostId>/<exp>.<sig>.ks`: put it
 * in the boot config as `inst.ks=<strikerUrl><path>`. Only URL-safe characters, no query string.
 */
export function kickstartPath(key: Uint8Array, hostId: string, now: Date, ttlSeconds: number): string {
  const { exp, sig } = signHost(key, 'ks', hostId, now, ttlSeconds);
  return `/ks/${hostId}/${exp}.${sig}.ks`;
}

const pathSignature = /^(\d{1,12})\.([A-Za-z0-9_-]{43})\.ks$/;

function requestFacts(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: redactString(req.url), peer: req.ip };
}

export function kickstartRoutes(deps: KickstartRouteDeps): FastifyPluginAsync {
  if (deps.signingKey.length < 32) throw new TypeError('kickstart signing key must be at least 32 bytes');
  const now = deps.now ?? systemClock;
  const counters = deps.counters ?? createKickstartCounters();
  const log = deps.log;
  const register: RegistrationExchange = deps.register ?? (async (hostId, hash, _peerIp, at) => ((await deps.tokens.consume(hostId, hash, at)) ? { hostId } : undefined));
  // `access: 'public'` for the API's access control (striker/http/access.ts): machines have no
  // session or API token; these routes authorize by reserved address, signature or token instead.
  const routeOptions = { config: { access: 'public' as const }, logSerializers: { req: requestFacts } };

  return async (app) => {
    async function allowed(req: FastifyRequest, hostId: string, purpose: 'ks' | 'events', query: Record<string, unknown>): Promise<KickstartHost | undefined> {
      const valid = hostIdPattern.test(hostId);
      // The host and the peer's lease are independent lookups: made together.
      const [host, peerMac] = await Promise.all([valid ? deps.hosts.find(hostId) : undefined, valid ? deps.peerMac?.(req.ip) : undefined]);
      const at = now();
      const decision = decideAccess(host, { peerIp: req.ip, ...(peerMac === undefined ? {} : { peerMac }), query }, deps.signingKey, purpose, at);
      if (decision.allowed) return host;
      counters.refused++;
      log.info({ hostId: hostIdPattern.test(hostId) ? hostId : '(invalid)', peer: req.ip, purpose, reason: decision.reason }, 'kickstart request refused');
      if (host !== undefined && purpose === 'ks') {
        deps.timeline.record({ step: 'kickstart.fetched', ip: req.ip, at, details: { outcome: 'refused', reason: decision.reason } });
      }
      return undefined;
    }

    async function serveKickstart(req: FastifyRequest, reply: FastifyReply, hostId: string | undefined, query: Record<string, unknown>): Promise<FastifyReply> {
      reply.header('cache-control', 'no-store');
      if (hostId === undefined) {
        counters.refused++;
        log.debug({ peer: req.ip }, 'kickstart path not understood, refused');
        return reply.code(403).send();
      }
      const host = await allowed(req, hostId, 'ks', query);
      if (host === undefined) return reply.code(403).send();
      const at = now();
      if (deps.config.requireReadyCheck && host.check.status !== 'ready') {
        counters.blocked++;
        log.warn({ hostId: host.hostId, peer: req.ip, check: host.check.status }, 'kickstart withheld: pre-boot check has not passed');
        deps.timeline.record({ step: 'kickstart.fetched', ip: req.ip, at, details: { outcome: 'blocked', check: host.check.status } });
        return reply.code(409).type('text/plain').send(`kickstart for ${host.hostId} is not ready: its pre-boot check has ${host.check.status === 'failed' ? 'failed' : 'not run'}\n`);
      }
      // Render first, store the token's hash only once the kickstart exists: a host whose data
      // cannot be rendered keeps whatever token it had.
      const issued = generateToken(at, deps.config.tokenTtlSeconds);
      const events = signedPath(`/ks/${host.hostId}/events`, signHost(deps.signingKey, 'events', host.hostId, at, deps.config.urlTtlSeconds));
      let text: string;
      try {
        text = renderKickstart({
          ...host.input,
          registration: { url: `${host.input.strikerUrl}/ks/${host.hostId}/register`, token: issued.token },
          timelineUrl: `${host.input.strikerUrl}${events}`,
        });
      } catch (error) {
        const problems = error instanceof StrikerError ? error.details.problems : undefined;
        log.error({ hostId: host.hostId, problems }, 'kickstart could not be rendered');
        return reply.code(500).send();
      }
      await deps.tokens.put(host.hostId, issued.hash, issued.expiresAt);
      counters.served++;
      log.info({ hostId: host.hostId, peer: req.ip, bytes: text.length }, 'kickstart served');
      deps.timeline.record({ step: 'kickstart.fetched', ip: req.ip, at, details: { outcome: 'served', bytes: text.length } });
      await deps.onServed?.(host.hostId).catch((error: unknown) => log.error({ err: error, hostId: host.hostId }, 'could not mark the machine installing'));
      return reply.type('text/plain; charset=utf-8').send(text);
    }

    app.get<{ Params: { file: string } }>('/ks/:file', routeOptions, async (req, reply) =>
      serveKickstart(req, reply, /^(.+)\.ks$/.exec(req.params.file)?.[1], (req.query ?? {}) as Record<string, unknown>));

    app.get<{ Params: { hostId: string; signed: string } }>('/ks/:hostId/:signed', routeOptions, async (req, reply) => {
      const m = pathSignature.exec(req.params.signed);
      return serveKickstart(req, reply, m === null ? undefined : req.params.hostId, m === null ? {} : { exp: m[1], sig: m[2] });
    });

    app.post<{ Params: { hostId: string } }>('/ks/:hostId/events', { ...routeOptions, bodyLimit: 4096 }, async (req, reply) => {
      const host = await allowed(req, req.params.hostId, 'events', (req.query ?? {}) as Record<string, unknown>);
      if (host === undefined) return reply.code(403).send();
      parseInput(eventBodySchema, req.body, 'kickstart event', 'body');
      counters.events++;
      log.info({ hostId: host.hostId, peer: req.ip }, 'install finished');
      deps.timeline.record({ step: 'install.finished', ip: req.ip, at: now(), details: { hostId: host.hostId } });
      return reply.code(204).send();
    });

    app.post<{ Params: { hostId: string } }>('/ks/:hostId/failed', { ...routeOptions, bodyLimit: failedBodyLimit }, async (req, reply) => {
      const host = await allowed(req, req.params.hostId, 'events', (req.query ?? {}) as Record<string, unknown>);
      if (host === undefined) return reply.code(403).send();
      const body = parseInput(failureBodySchema, req.body, 'install failure report', 'body');
      const at = now();
      const reason = installErrorOf(body.reason);
      const recorded = await deps.onFailed({ hostId: host.hostId, tokenHash: hashToken(body.token), reason, at });
      if (!recorded) {
        counters.refused++;
        log.info({ hostId: host.hostId, peer: req.ip, reason: 'not-current-token' }, 'install failure report refused');
        return reply.code(403).send();
      }
      counters.failed++;
      log.warn({ hostId: host.hostId, peer: req.ip, reason, logs: body.logs.map((l) => l.file) }, 'install failed');
      const logs = body.logs.map((l) => ({ file: l.file, tail: redactString(l.tail) }));
      deps.timeline.record({ step: 'kickstart.failed', ip: req.ip, at, details: redactSecrets({ hostId: host.hostId, reason, logs }) as Record<string, unknown> });
      return reply.code(204).send();
    });

    app.post<{ Params: { hostId: string } }>('/ks/:hostId/register', { ...routeOptions, bodyLimit: 4096 }, async (req, reply) => {
      const hostId = req.params.hostId;
      const at = now();
      const hash = hostIdPattern.test(hostId) ? presentedTokenHash((req.body as { token?: unknown } | undefined)?.token) : undefined;
      const answer = hash === undefined ? undefined : await register(hostId, hash, req.ip, at);
      if (answer === undefined) {
        const reason = hash === undefined ? 'malformed' : 'invalid';
        counters.registrationRefused++;
        log.info({ hostId: hostIdPattern.test(hostId) ? hostId : '(invalid)', peer: req.ip, reason }, 'registration refused');
        await deps.onRegistrationRefused?.(hostIdPattern.test(hostId) ? hostId : '(invalid)', req.ip, reason).catch((error: unknown) => log.error({ err: error }, 'could not record a refused registration'));
        return reply.code(403).send();
      }
      counters.registered++;
      log.info({ hostId, peer: req.ip }, 'host registered');
      deps.timeline.record({ step: 'host.registered', ip: req.ip, at, details: { hostId } });
      return reply.send(answer);
    });
  };
}
