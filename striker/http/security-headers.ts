/**
 * Headers on every response fastify sends: `X-Content-Type-Options: nosniff` (a browser never
 * guesses an active type for served content), and `Cache-Control: no-store` on the JSON API,
 * whose answers are live state, often a logged-in user's, and sometimes secrets (a new API
 * token, the CSRF token of a session). Routes that take over the raw response (server-sent
 * events, the UI's pages) set theirs with `rawSecurityHeaders`.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    if (isApiPath(request.url)) void reply.header('cache-control', 'no-store');
    return payload;
  });
}

/** The same headers on a response written directly (after `reply.hijack()`). */
export function rawSecurityHeaders(res: ServerResponse, api: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  if (api) res.setHeader('cache-control', 'no-store');
}
