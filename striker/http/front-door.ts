/**
 * The front door: handlers that may answer a request before fastify routes it. Fastify's per-request
 * work (request/reply objects, hooks, routing) is most of the cost of the hottest requests, an
 * installer's repodata and small RPMs already held in memory (the repo bench's `serve` part
 * measures it against nginx). A front-door handler looks at the raw request, and either
 * answers it completely (returns true) or leaves it untouched (returns false) for fastify, which
 * stays the only place that handles everything else: errors, validation, Range, conditionals.
 *
 * Handlers must be synchronous and must not throw; one that throws anyway is logged and the
 * request goes on to fastify (when the handler had not started a response).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyServerOptions } from 'fastify';

/** Answers the request and returns true, or returns false without touching `res`. */
export type FrontDoorHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

type FastifyHandler = (req: IncomingMessage, res: ServerResponse) => void;

export class FrontDoor {
  private readonly handlers: FrontDoorHandler[] = [];

  constructor(private readonly onHandlerError: (error: unknown) => void = () => {}) {}

  add(handler: FrontDoorHandler): void {
    this.handlers.push(handler);
  }

  /**
   * Fastify's `serverFactory`: the HTTP/1.1 server fastify would build (same timeouts), with the
   * front door in front of fastify's own request handler.
   */
  readonly serverFactory = (fastifyHandler: FastifyHandler, options: FastifyServerOptions): Server => {
    const server = createServer((req, res) => {
      if (!this.tryHandlers(req, res)) fastifyHandler(req, res);
    });
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket !== undefined && options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };

  private tryHandlers(req: IncomingMessage, res: ServerResponse): boolean {
    for (const handler of this.handlers) {
      try {
        if (handler(req, res)) return true;
      } catch (error) {
        this.onHandlerError(error);
        if (res.headersSent) {
          res.destroy();
          return true;
        }
      }
    }
    return false;
  }
}
