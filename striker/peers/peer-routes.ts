/**
 * The peering API. For admins and the UI: the peers and their state, add, remove, re-seed, key
 * rotation, conflicts. Between Strikers: `/api/peering/*` — `node` and `join` take an admin API
 * token of the Striker called; `leave`, `keys` and `reseed` take the shared peer token
 * (x-striker-peer, x-striker-peer-token headers) that the join set up.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody, parseQuery } from '../http/body.js';
import { acceptJoin, acceptKeyOffer, acceptLeave, addPeer, authenticatePeer, nodeFacts, peerActor, removePeer, reseedFromPeer, reseedPeer, rotateKeys, type PeeringDeps } from './actions.js';
import { resolveConflict } from './conflict-actions.js';
import { conflictView } from './conflict-view.js';
import { columnContext } from '../core/secrets/index.js';
import { localNodeName } from './peer-store.js';
import { peersOverview } from './peers-overview.js';

const PEERING_BODY_LIMIT = 256 * 1024;
const conflictQuery = z.strictObject({
  unresolved: z.enum(['true', 'false']).default('true'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const reseedBody = z.strictObject({ side: z.enum(['peer', 'here']).default('peer') });

export function peerRoutes(app: FastifyInstance, deps: PeeringDeps): void {
  app.get('/api/peers', { config: { access: 'viewer' } }, async () => peersOverview(deps));

  app.post('/api/peers', { config: { access: 'admin' } }, async (request, reply) => {
    const added = await addPeer(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' });
    return reply.status(201).send(added);
  });

  app.delete<{ Params: { name: string } }>('/api/peers/:name', { config: { access: 'admin' } }, async (request) =>
    removePeer(deps, request.actor!, request.params.name, { requestId: request.id }),
  );

  app.post<{ Params: { name: string } }>('/api/peers/:name/reseed', { config: { access: 'admin' } }, async (request, reply) => {
    const { side } = parseReseed(request.body);
    const options = { requestId: request.id };
    const result = side === 'here' ? await reseedFromPeer(deps, request.actor!, request.params.name, options) : await reseedPeer(deps, request.actor!, request.params.name, options);
    return reply.status(202).send({ ...result, side });
  });

  app.post('/api/secrets/rotate', { config: { access: 'admin' } }, async (request) => rotateKeys(deps, request.actor!, { requestId: request.id }));

  app.get('/api/conflicts', { config: { access: 'viewer' } }, async (request) => {
    const q = parseQuery(conflictQuery, request.query);
    const sealed = new Set(deps.registry.flatMap((t) => t.columns.map((c) => columnContext(t.table, c))));
    return (await deps.replication.conflicts(deps.db, { unresolvedOnly: q.unresolved === 'true', limit: q.limit })).map((c) => conflictView(c, sealed));
  });

  app.post<{ Params: { id: string } }>('/api/conflicts/:id/resolve', { config: { access: 'admin' } }, async (request) =>
    resolveConflict(deps, request.actor!, request.params.id, request.body, { requestId: request.id, inputPath: 'body' }),
  );

  // Between Strikers.
  app.post('/api/peering/node', { config: { access: 'admin' }, bodyLimit: PEERING_BODY_LIMIT }, async () => nodeFacts(deps.db));

  app.post('/api/peering/join', { config: { access: 'admin' }, bodyLimit: PEERING_BODY_LIMIT }, async (request) =>
    acceptJoin(deps, request.actor!, request.body, { requestId: request.id, inputPath: 'body' }),
  );

  app.post('/api/peering/leave', { config: { access: 'public' }, bodyLimit: PEERING_BODY_LIMIT }, async (request) => {
    const peer = await authenticatePeer(deps, request.headers);
    return acceptLeave(deps, peer, { requestId: request.id });
  });

  app.post('/api/peering/keys', { config: { access: 'public' }, bodyLimit: PEERING_BODY_LIMIT }, async (request) => {
    const peer = await authenticatePeer(deps, request.headers);
    return acceptKeyOffer(deps, peer, request.body, { requestId: request.id });
  });

  app.post('/api/peering/reseed', { config: { access: 'public' }, bodyLimit: PEERING_BODY_LIMIT }, async (request) => {
    const peer = await authenticatePeer(deps, request.headers);
    const result = await reseedFromPeer(deps, peerActor(peer), peer.id, { requestId: request.id });
    return { peer: await localNodeName(deps.db), reseededFrom: result.peer };
  });
}

function parseReseed(body: unknown): z.output<typeof reseedBody> {
  return parseBody(reseedBody, body ?? {});
}
