/**
 * Sessions: who am I, log in, log out, and first-run setup of the admin user.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StrikerError } from '../core/errors/index.js';
import { createFirstAdmin } from './actions.js';
import { login, loginSchema, startSession } from './login.js';
import { parseWithPassword } from './password-input.js';
import { deleteSession } from './session-store.js';
import { maySetUp } from './setup-access.js';
import { countUsers } from './user-store.js';
import { SESSION_COOKIE } from '../http/access.js';
import type { AppDeps } from '../http/app-deps.js';
import type { Role } from './roles.js';

/** GET /api/session: who is logged in, and whether the first admin still has to be created. */
export type SessionResponse =
  | { authenticated: false; setupRequired: boolean }
  | {
      authenticated: true;
      setupRequired: boolean;
      /** `id` is null only for the built-in system actor. */
      user: { id: string | null; username: string; role: Role };
      /** Goes with every state-changing request as `x-csrf-token`; null for an API token. */
      csrfToken: string | null;
      expiresAt: Date | null;
    };

export async function setupRequired(deps: AppDeps): Promise<boolean> {
  return (await countUsers(deps.db)) === 0;
}

export function sessionRoutes(app: FastifyInstance, deps: AppDeps): void {
  const setCookie = (reply: FastifyReply, token: string, expires: Date) =>
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.http.secureCookies, expires });

  app.get('/api/session', { config: { access: 'public' } }, async (request): Promise<SessionResponse> => {
    const setup = await setupRequired(deps);
    if (!request.actor) return { authenticated: false, setupRequired: setup };
    return {
      authenticated: true,
      setupRequired: setup,
      user: { id: request.actor.userId, username: request.actor.name, role: request.actor.role },
      csrfToken: request.session?.csrfToken ?? null,
      expiresAt: request.session?.expiresAt ?? null,
    };
  });

  const guard = { throttle: deps.throttle, hasher: deps.hasher, delay: deps.loginDelay };

  app.post('/api/session', { config: { access: 'public' } }, async (request, reply) => {
    const input = parseWithPassword(loginSchema, request.body, 'request body', 'body');
    const result = await login(deps.db, guard, input, {
      ip: request.ip,
      userAgent: String(request.headers['user-agent'] ?? ''),
      requestId: request.id,
      sessionHours: deps.config.auth.sessionHours,
    });
    setCookie(reply, result.session.token, result.session.expiresAt);
    return { user: result.user, csrfToken: result.session.csrfToken, expiresAt: result.session.expiresAt };
  });

  app.delete('/api/session', { config: { access: 'viewer' } }, async (request, reply) => {
    if (request.session) await deleteSession(deps.db, request.session.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  /**
   * First run only: creates the first admin and logs them in. Answered only from loopback or
   * `auth.setupAddresses` (setup-access.ts) until an admin exists; refused once any user exists.
   */
  app.post('/api/setup/admin', { config: { access: 'public' } }, async (request, reply) => {
    if (!maySetUp(request.ip, deps.config.auth.setupAddresses) && (await setupRequired(deps))) {
      throw new StrikerError(
        'FORBIDDEN',
        `the first admin can only be created from this Striker itself (loopback, e.g. through an SSH tunnel) or from an address in auth.setupAddresses — this request came from ${request.ip}; or run \`striker user add NAME --role admin\` on the Striker`,
        { details: { ip: request.ip } },
      );
    }
    const admin = await createFirstAdmin(deps.db, request.body, { requestId: request.id, inputPath: 'body', hasher: deps.hasher });
    const result = await startSession(deps.db, admin, {
      ip: request.ip,
      userAgent: String(request.headers['user-agent'] ?? ''),
      requestId: request.id,
      sessionHours: deps.config.auth.sessionHours,
    });
    setCookie(reply, result.session.token, result.session.expiresAt);
    return reply.status(201).send({ user: result.user, csrfToken: result.session.csrfToken });
  });
}
