/**
 * The one place errors become HTTP responses. A StrikerError keeps its code, message and details;
 * fastify's own client errors (bad JSON, body too large) get stable codes too; anything else is a
 * 500 with the request id and no stack trace (the stack goes to the log).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StrikerError, statusForCode, type ErrorCode } from '../core/errors/index.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown>; requestId: string };
}

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
    return reply.status(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`, requestId: request.id } };
    return reply.status(404).send(body);
  });
}

export function toErrorBody(error: unknown, requestId: string): ErrorBody {
  if (error instanceof StrikerError) {
    const expose = statusForCode(error.code) < 500 || error.code === 'DATABASE_UNAVAILABLE' || error.code === 'COMMAND_FAILED';
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
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is larger than allowed', requestId } };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    return { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request body must be application/json', requestId } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const message = fe.code === 'FST_ERR_CTP_INVALID_JSON' || error instanceof SyntaxError ? 'request body is not valid JSON' : (fe.message ?? 'bad request');
    return { error: { code: 'VALIDATION_FAILED', message, details: { problems: [{ path: 'body', message }] }, requestId } };
  }
  return { error: { code: 'INTERNAL', message: `internal error; quote request id ${requestId} when reporting it`, requestId } };
}
