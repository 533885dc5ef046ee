/**
 * Serves the built SvelteKit app (ui/build, adapter-node) from the same fastify instance and port
 * as the API: every request that no API route claims is handed to SvelteKit's handler. Paths under
 * /api/ never reach the UI: an unknown one stays a JSON 404. A page request carrying an expired
 * session cookie is sent to the UI's expired-session page with the cookie cleared. The app is a
 * static shell (no server-side rendering) that asks the API who is logged in, so when the session
 * cannot be looked up at all (the database is away) a page request still gets the app, which then
 * shows what failed; it is never answered with the API's JSON error.
 *
 * Every UI response is `nosniff` and may not be framed (`X-Frame-Options: DENY`, and
 * `frame-ancestors 'none'`): pages carry SvelteKit's own Content-Security-Policy (ui/svelte.config.js:
 * hashes of the app's inline script, nothing from other origins) as a header, or for prerendered
 * pages in a <meta> tag beside the header `UI_FALLBACK_CSP`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SESSION_COOKIE } from '../http/access.js';
import { rawSecurityHeaders } from '../http/security-headers.js';
import { StrikerError, statusForCode } from '../core/errors/index.js';

/**
 * The policy on UI responses SvelteKit sends without a CSP header: assets, and prerendered pages,
 * which carry their script policy in a <meta> tag (where frame-ancestors is ignored). It restricts
 * no script or style, so it never conflicts with that tag.
 */
export const UI_FALLBACK_CSP = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

export function uiBuildDir(projectRoot: string): string {
  return resolve(projectRoot, 'ui', 'build');
}

/** The project root (the folder holding package.json and ui/), from this file in the source tree or in dist/. */
export function projectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'ui'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no project root (package.json beside ui/) above ${from}`);
    dir = up;
  }
}

export function uiBuilt(buildDir: string): boolean {
  return existsSync(join(buildDir, 'handler.js'));
}

export async function uiPlugin(app: FastifyInstance, buildDir: string): Promise<void> {
  const handlerFile = join(buildDir, 'handler.js');
  if (!existsSync(handlerFile)) throw new Error(`the web UI is not built: ${handlerFile} is missing (run npm run build)`);
  const { handler } = (await import(pathToFileURL(handlerFile).href)) as { handler: NodeHandler };
  const forward = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    // Headers set here are defaults: SvelteKit's writeHead overrides one it sets itself (its CSP on pages).
    rawSecurityHeaders(reply.raw, false);
    reply.raw.setHeader('x-frame-options', 'DENY');
    reply.raw.setHeader('content-security-policy', UI_FALLBACK_CSP);
    handler(request.raw, reply.raw, () => {
      reply.raw.statusCode = 404;
      reply.raw.end('not found');
    });
  };
  await app.register(async (ui) => {
    ui.setErrorHandler((error, request, reply) => {
      const page = request.method === 'GET' || request.method === 'HEAD';
      const expired = error instanceof StrikerError && error.code === 'SESSION_EXPIRED';
      if (expired && page) {
        return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/session-expired', 303);
      }
      // A client error (a bad token, a refused origin) keeps its answer; a failure on our side while
      // looking up the session does not stop the shell from loading.
      if (page && !(error instanceof StrikerError && statusForCode(error.code) < 500)) {
        request.log.warn({ err: error, path: request.url }, 'could not look up the session for a page; serving the app, which shows the failure');
        return forward(request, reply);
      }
      throw error; // the app's one error map answers
    });
    ui.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      url: '/*',
      // The UI's pages do their own access checks through the API session; this route only forwards.
      config: { access: 'public' },
      handler: (request, reply) => {
        if (request.url === '/api' || request.url.startsWith('/api/') || request.url.startsWith('/api?')) {
          return reply.callNotFound();
        }
        forward(request, reply);
      },
    });
  });
}
