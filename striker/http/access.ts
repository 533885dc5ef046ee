/**
 * Who may call what. Every route declares `config.access` ('public' or the least role it needs);
 * a route without one refuses to register. Credentials are a session cookie (browser) or a
 * Bearer API token (CLI, agents). A state-changing request made with a session cookie must carry
 * the session's CSRF token in `x-csrf-token`. A public state-changing request (logging in,
 * first-run setup) must name Striker in its Host header and, from a browser, come from Striker's
 * own origin, both checked against the host allow-list (host-allow-list.ts) so a DNS-rebinding
 * page cannot log in through a victim's browser. Public GETs are not held to the list: they
 * answer only what any client on the network may fetch without credentials, a rebinding page
 * never gets the session cookie (it belongs to Striker's own host name), and machines fetch boot
 * files, repos and kickstarts under whatever name or address they were given.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import { StrikerError } from '../core/errors/index.js';
import type { Actor } from '../audit/audit-store.js';
import { hasRole, type Role } from '../auth/roles.js';
import { resolveApiToken } from '../auth/api-token-store.js';
import { resolveSession, type ResolvedSession } from '../auth/session-store.js';
import { HostAllowList } from './host-allow-list.js';

/**
 * 'agent': a host agent's route (`/api/agent/*` only), called with the host's agent credential;
 * no user credential opens it, and an agent credential opens nothing else.
 */
export type Access = 'public' | Role | 'agent';

/** A request made with a host's agent credential. */
export interface AgentPrincipal {
  hostId: string;
  credentialId: string;
}

/** How access control recognises agent credentials (the agent area provides it through the app). */
export interface AgentCredentialCheck {
  /** Whether a bearer secret is spelled as an agent credential (no lookup). */
  recognizes(secret: string): boolean;
  /** The host a live credential belongs to; undefined when unknown or revoked. */
  resolve(secret: string): Promise<AgentPrincipal | undefined>;
  /** Records a refused agent request (an audit row); errors here never change the answer. */
  refused(request: FastifyRequest, refusal: 'unknown-credential' | 'not-agent-route', principal: AgentPrincipal | null): Promise<void>;
}

export const AGENT_ROUTE_PREFIX = '/api/agent/';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
    session: ResolvedSession | null;
    /** The API token the request came with, when it came with one. */
    apiToken: { id: string; expiresAt: Date | null } | null;
    /** The host agent the request came from, when it came with an agent credential. */
    agent: AgentPrincipal | null;
  }
}

export const SESSION_COOKIE = 'striker_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ANONYMOUS_PREFIXES = ['/_app/', '/repos/', '/trees/', '/ks/', '/boot/'];

export function installAccessControl(app: FastifyInstance, deps: { db: Database; hosts?: HostAllowList | undefined; agentCredentials?: AgentCredentialCheck | undefined }): void {
  const { db } = deps;
  const hosts = deps.hosts ?? new HostAllowList();
  const agents = deps.agentCredentials;
  app.decorateRequest('actor', null);
  app.decorateRequest('session', null);
  app.decorateRequest('apiToken', null);
  app.decorateRequest('agent', null);

  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (access === undefined && !route.url.startsWith('/ui-internal')) {
      throw new Error(`route ${String(route.method)} ${route.url} must declare config.access`);
    }
    if ((access === 'agent') !== route.url.startsWith(AGENT_ROUTE_PREFIX)) {
      throw new Error(`route ${String(route.method)} ${route.url}: access 'agent' is for ${AGENT_ROUTE_PREFIX}* routes, and only they may declare it`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return; // 404s and non-API handlers
    // Machines fetching boot files, repos and kickstarts, and the UI's static assets, never need a
    // session: skip the lookup (and its write) on those hot paths.
    if (access === 'public' && ANONYMOUS_PREFIXES.some((p) => request.url.startsWith(p))) return;
    if (await identifyAgent(request, agents)) {
      if (access === 'agent') return;
      await agents!.refused(request, 'not-agent-route', request.agent).catch(() => undefined);
      throw new StrikerError('FORBIDDEN', `an agent credential may only call ${AGENT_ROUTE_PREFIX}* routes`, { details: { hostId: request.agent!.hostId } });
    }
    if (access === 'agent') {
      throw new StrikerError(request.headers.authorization === undefined ? 'UNAUTHENTICATED' : 'FORBIDDEN', "this route is for host agents: present the host's agent credential as a Bearer token");
    }
    await identify(request, db);
    if (access === 'public') {
      if (!SAFE_METHODS.has(request.method)) checkPublicWrite(request, hosts);
      return;
    }
    if (!request.actor) throw new StrikerError('UNAUTHENTICATED', 'log in or present an API token');
    if (request.session && !SAFE_METHODS.has(request.method)) checkCsrf(request, request.session);
    if (!hasRole(request.actor.role, access)) {
      throw new StrikerError('FORBIDDEN', `this needs the ${access} role; you are ${request.actor.role}`, { details: { needed: access, role: request.actor.role } });
    }
  });
}

/**
 * A Bearer secret spelled as an agent credential: resolved to its host, or refused (unknown,
 * forged or revoked) with an audit row. True when the request is an agent's.
 */
async function identifyAgent(request: FastifyRequest, agents: AgentCredentialCheck | undefined): Promise<boolean> {
  const auth = request.headers.authorization;
  if (agents === undefined || auth === undefined) return false;
  const secret = /^Bearer\s+(\S{10,200})$/i.exec(auth)?.[1];
  if (secret === undefined || !agents.recognizes(secret)) return false;
  const principal = await agents.resolve(secret);
  if (principal === undefined) {
    await agents.refused(request, 'unknown-credential', null).catch(() => undefined);
    throw new StrikerError('UNAUTHENTICATED', 'the agent credential is unknown or revoked; register the host again');
  }
  request.agent = principal;
  return true;
}

async function identify(request: FastifyRequest, db: Database): Promise<void> {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S{10,200})$/i.exec(auth);
    const resolved = match ? await resolveApiToken(db, match[1]!) : undefined;
    if (!resolved) throw new StrikerError('UNAUTHENTICATED', 'the API token is unknown, revoked or expired');
    request.actor = resolved.actor;
    request.apiToken = { id: resolved.tokenId, expiresAt: resolved.expiresAt };
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

/**
 * Public state-changing requests (login, first-run setup): the Host header must name Striker, and
 * a browser's Origin must be on the allow-list and the same host as the request.
 */
function checkPublicWrite(request: FastifyRequest, hosts: HostAllowList): void {
  const host = request.headers.host;
  if (host === undefined || !hosts.allowsHost(host)) {
    throw new StrikerError('FORBIDDEN', `Striker does not accept logins or setup under the host name ${JSON.stringify((host ?? '').slice(0, 100))}; use its address, localhost, or a name listed in http.allowedHosts`);
  }
  const origin = request.headers.origin;
  if (origin === undefined) return; // not a browser, or a same-origin GET-initiated form in old browsers
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new StrikerError('CSRF_FAILED', 'the Origin header is malformed');
  }
  if (!hosts.allowsOrigin(origin) || originHost !== new URL(`http://${host}`).host) throw new StrikerError('CSRF_FAILED', `requests from ${origin.slice(0, 100)} are not accepted`);
}
