/**
 * Users (admin only) and API tokens (each user their own; admins all).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listAudit } from '../audit/audit-store.js';
import { createApiToken, listApiTokens, revokeApiToken } from './sessions.js';
import { changeUser, createUser, getUser, listUsers, newUserSchema, userChangeSchema, type User } from './users.js';
import { NotFoundError } from '../core/errors/index.js';
import type { AppDeps } from '../http/app-deps.js';
import { isUuid, parseBody, parseQuery } from '../http/body.js';

/** GET /api/users */
export interface UserListResponse {
  users: User[];
}

/** POST /api/users, GET and PATCH /api/users/:id */
export interface UserResponse {
  user: User;
}

const tokenSchema = z.strictObject({
  name: z.string().min(1, 'is required').max(100),
  days: z.number().int().min(1).max(3650).nullable().default(365),
});

export function userRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/api/users', { config: { access: 'admin' } }, async (): Promise<UserListResponse> => ({ users: await listUsers(deps.db) }));

  app.post('/api/users', { config: { access: 'admin' } }, async (request, reply) => {
    const input = parseBody(newUserSchema, request.body);
    return reply.status(201).send({ user: await createUser(deps.db, request.actor!, input, request.id) });
  });

  app.get<{ Params: { id: string } }>('/api/users/:id', { config: { access: 'admin' } }, async (request): Promise<UserResponse> => {
    if (!isUuid(request.params.id)) throw new NotFoundError('user', request.params.id);
    return { user: await getUser(deps.db, request.params.id) };
  });

  app.patch<{ Params: { id: string } }>('/api/users/:id', { config: { access: 'admin' } }, async (request): Promise<UserResponse> => {
    if (!isUuid(request.params.id)) throw new NotFoundError('user', request.params.id);
    const change = parseBody(userChangeSchema, request.body);
    return { user: await changeUser(deps.db, request.actor!, request.params.id, change, request.id) };
  });

  app.get('/api/tokens', { config: { access: 'viewer' } }, async (request) => {
    const actor = request.actor!;
    return { tokens: await listApiTokens(deps.db, actor.role === 'admin' ? null : actor.userId) };
  });

  app.post('/api/tokens', { config: { access: 'viewer' } }, async (request, reply) => {
    const input = parseBody(tokenSchema, request.body);
    const actor = request.actor!;
    const { token, info } = await createApiToken(deps.db, actor, actor.userId!, input.name, input.days, request.id);
    return reply.status(201).send({ token, info });
  });

  app.delete<{ Params: { id: string } }>('/api/tokens/:id', { config: { access: 'viewer' } }, async (request, reply) => {
    if (!isUuid(request.params.id)) throw new NotFoundError('API token', request.params.id);
    await revokeApiToken(deps.db, request.actor!, request.params.id, request.id);
    return reply.status(204).send();
  });

  app.get('/api/audit', { config: { access: 'admin' } }, async (request) => {
    const q = parseQuery(z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }), request.query);
    return { entries: await listAudit(deps.db, q.limit) };
  });
}
