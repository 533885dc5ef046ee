/**
 * Serves the built SvelteKit app (ui/build, adapter-node) from the same fastify instance and port
 * as the API: every request that no API route claims is handed to SvelteKit's handler.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

export function uiBuildDir(projectRoot: string): string {
  return resolve(projectRoot, 'ui', 'build');
}

export async function uiPlugin(app: FastifyInstance, buildDir: string): Promise<void> {
  const handlerFile = join(buildDir, 'handler.js');
  if (!existsSync(handlerFile)) throw new Error(`the web UI is not built: ${handlerFile} is missing (run npm run build)`);
  const { handler } = (await import(pathToFileURL(handlerFile).href)) as { handler: NodeHandler };
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    // The UI's pages do their own access checks through the API session; this route only forwards.
    config: { access: 'public' },
    handler: (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw, () => {
        reply.raw.statusCode = 404;
        reply.raw.end('not found');
      });
    },
  });
}
