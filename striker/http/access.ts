/**
 * Who may call what. Every route declares `config.access` ('public' or the least role it needs);
 * a route without one refuses to register. Credentials are a session cookie (browser) or a
 * Bearer API token (CLI, agents). A state-changing request made with a session cookie must carry
 * the session's CSRF token in `x-csrf-token`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { StrikerError } from '../core/errors/index.js';
import type { Actor } from '../audit/audit-store.js';
import { hasRole, type Role } from '../auth/roles.js';
import { resolveApiToken } from '../auth/api-token-store.js';
import { resolveSession, type ResolvedSession } from '../auth/session-store.js';

export type Access = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
    session: ResolvedSession | null;
  }
}

export const SESSION_COOKIE = 'striker_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ANONYMOUS_PREFIXES = ['/_app/', '/repos/', '/trees/', '/ks/', '/boot/'];

export function installAccessControl(app: FastifyInstance, db: Database): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('session', null);

  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (access === undefined && !route.url.startsWith('/ui-internal')) {
      throw new Error(`route ${String(route.method)} ${route.url} must declare config.access`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return; // 404s and non-API handlers
    // Machines fetching boot files, repos and kickstarts, and the UI's static assets, never need a
    // session: skip the lookup (and its write) on those hot paths.
    if (access === 'public' && ANONYMOUS_PREFIXES.some((p) => request.url.startsWith(p))) return;
    await identify(request, db);
    if (access === 'public') {
      if (!SAFE_METHODS.has(request.method)) checkOrigin(request);
      return;
    }
    if (!request.actor) throw new StrikerError('UNAUTHENTICATED', 'log in or present an API token');
    if (request.session && !SAFE_METHODS.has(request.method)) checkCsrf(request, request.session);
    if (!hasRole(request.actor.role, access)) {
      throw new StrikerError('FORBIDDEN', `this needs the ${access} role; you are ${request.actor.role}`, { details: { needed: access, role: request.actor.role } });
    }
  });
}

async function identify(request: FastifyRequest, db: Database): Promise<void> {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S{10,200})$/i.exec(auth);
    const actor = match ? await resolveApiToken(db, match[1]!) : undefined;
    if (!actor) throw new StrikerError('UNAUTHENTICATED', 'the API token is unknown, revoked or expired');
    request.actor = actor;
    return;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie !== undefined && cookie.length > 0 && cookie.length < 200) {
    const session = await resolveSession(db, cookie);
    if (session) {
      request.session = session;
      request.actor = session.actor;
    }
  }
}

function checkCsrf(request: FastifyRequest, session: ResolvedSession): void {
  const sent = request.headers['x-csrf-token'];
  const a = Buffer.from(typeof sent === 'string' ? sent : '');
  const b = Buffer.from(session.csrfToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new StrikerError('CSRF_FAILED', 'missing or wrong x-csrf-token header; reload the page');
  }
}

/** Public state-changing requests (login, first-run setup) from a browser must come from our own origin. */
function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return; // not a browser, or a same-origin GET-initiated form in old browsers
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new StrikerError('CSRF_FAILED', 'the Origin header is malformed');
  }
  if (host !== request.headers.host) throw new StrikerError('CSRF_FAILED', `requests from ${origin} are not accepted`);
}
