/**
 * The one place errors become HTTP responses. A StrikerError keeps its code, message and details;
 * fastify's own client errors (bad JSON, body too large) and the HTTP errors of `send` (conditional
 * requests and ranges on served files) keep their status and meaning per RFC 9110 under a stable
 * code; any other client error is a 400; anything else is a 500 with the request id and no stack
 * trace (the stack goes to the log).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StrikerError, statusForCode, type ErrorCode } from '../core/errors/index.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown>; requestId: string };
}

/** Client-error statuses that keep their meaning (RFC 9110 §15.5), with the code and message they answer. */
const knownStatuses: ReadonlyMap<number, { code: ErrorCode; message: string }> = new Map([
  [403, { code: 'FORBIDDEN', message: 'this path may not be served' }],
  [404, { code: 'NOT_FOUND', message: 'no such file' }],
  [405, { code: 'METHOD_NOT_ALLOWED', message: 'this path does not accept that method' }],
  [412, { code: 'PRECONDITION_FAILED', message: 'a precondition (If-Match, If-Unmodified-Since) did not hold' }],
  [413, { code: 'PAYLOAD_TOO_LARGE', message: 'request body is larger than allowed' }],
  [415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request body must be application/json' }],
  [416, { code: 'RANGE_NOT_SATISFIABLE', message: 'the requested range lies beyond the end of the file' }],
  [431, { code: 'HEADERS_TOO_LARGE', message: 'request headers are larger than allowed' }],
]);

/** Headers an HTTP error may carry to the client (`send` puts `Content-Range: bytes *\/len` on a 416; 405 names `Allow`). */
const passedHeaders = ['content-range', 'allow'];

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const body = toErrorBody(error, request.id);
    const status = statusForCode(body.error.code);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code }, body.error.message);
    if (body.error.code === 'RATE_LIMITED') {
      const retry = (body.error.details?.retryAfterSeconds as number | undefined) ?? 60;
      void reply.header('retry-after', String(retry));
    }
    for (const [name, value] of Object.entries(errorHeaders(error))) void reply.header(name, value);
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`, requestId: request.id } };
    return reply.status(404).send(body);
  });
}

export function toErrorBody(error: unknown, requestId: string): ErrorBody {
  if (error instanceof StrikerError) {
    const expose = statusForCode(error.code) < 500 || error.code === 'DATABASE_UNAVAILABLE' || error.code === 'COMMAND_FAILED' || error.code === 'PEER_UNREACHABLE' || error.code === 'INSUFFICIENT_STORAGE';
    return {
      error: {
        code: error.code,
        message: expose ? error.message : 'internal error',
        ...(expose && Object.keys(error.details).length > 0 ? { details: error.details } : {}),
        requestId,
      },
    };
  }
  const fe = error as Partial<FastifyError>;
  const status = fe.statusCode ?? (fe as { status?: unknown }).status;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { error: { ...knownStatuses.get(413)!, requestId } };
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { error: { ...knownStatuses.get(415)!, requestId } };
  if (typeof status === 'number' && knownStatuses.has(status)) return { error: { ...knownStatuses.get(status)!, requestId } };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = fe.code === 'FST_ERR_CTP_INVALID_JSON' || error instanceof SyntaxError ? 'request body is not valid JSON' : (fe.message ?? 'bad request');
    return { error: { code: 'VALIDATION_FAILED', message, details: { problems: [{ path: 'body', message }] }, requestId } };
  }
  return { error: { code: 'INTERNAL', message: `internal error; quote request id ${requestId} when reporting it`, requestId } };
}

/** The headers of an HTTP error (http-errors' `headers` property) that the client needs. */
function errorHeaders(error: unknown): Record<string, string> {
  const headers = (error as { headers?: unknown }).headers;
  if (headers === null || typeof headers !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (passedHeaders.includes(name.toLowerCase()) && typeof value === 'string') out[name.toLowerCase()] = value;
  }
  return out;
}
