/**
 * Users (admin only) and API tokens (each user their own; admins all). The changes are the auth
 * actions (actions.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listAudit } from '../audit/audit-store.js';
import { changeUser, createApiToken, createUser, revokeApiToken } from './actions.js';
import { listApiTokens } from './api-token-store.js';
import { getUser, listUsers, type User } from './user-store.js';

/** GET /api/users */
export interface UserListResponse {
  users: User[];
}

/** POST /api/users, GET and PATCH /api/users/:id */
export interface UserResponse {
  user: User;
}
import { NotFoundError } from '../core/errors/index.js';
import type { AppDeps } from '../http/app-deps.js';
import { isUuid, parseQuery } from '../http/body.js';

export function userRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/api/users', { config: { access: 'admin' } }, async (): Promise<UserListResponse> => ({ users: await listUsers(deps.db) }));

  app.post('/api/users', { config: { access: 'admin' } }, async (request, reply) => {
    const user = await createUser(deps.db, request.actor!, request.body, { requestId: request.id, inputPath: 'body', hasher: deps.hasher });
    return reply.status(201).send({ user });
  });

  app.get<{ Params: { id: string } }>('/api/users/:id', { config: { access: 'admin' } }, async (request): Promise<UserResponse> => {
    if (!isUuid(request.params.id)) throw new NotFoundError('user', request.params.id);
    return { user: await getUser(deps.db, request.params.id) };
  });

  app.patch<{ Params: { id: string } }>('/api/users/:id', { config: { access: 'admin' } }, async (request): Promise<UserResponse> => ({
    user: await changeUser(deps.db, request.actor!, request.params.id, request.body, { requestId: request.id, inputPath: 'body', hasher: deps.hasher }),
  }));

  app.get('/api/tokens', { config: { access: 'viewer' } }, async (request) => {
    const actor = request.actor!;
    return { tokens: await listApiTokens(deps.db, actor.role === 'admin' ? null : actor.userId) };
  });

  app.post('/api/tokens', { config: { access: 'viewer' } }, async (request, reply) => {
    const actor = request.actor!;
    const { token, info } = await createApiToken(deps.db, actor, actor.userId!, request.body, {
      requestId: request.id,
      inputPath: 'body',
      ...(request.apiToken ? { creatorExpiresAt: request.apiToken.expiresAt } : {}),
    });
    return reply.status(201).send({ token, info });
  });

  app.delete<{ Params: { id: string } }>('/api/tokens/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    await revokeApiToken(deps.db, request.actor!, request.params.id, { requestId: request.id });
    return reply.status(204).send();
  });

  app.get('/api/audit', { config: { access: 'admin' } }, async (request) => {
    const q = parseQuery(z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }), request.query);
    return { entries: await listAudit(deps.db, q.limit) };
  });
}
