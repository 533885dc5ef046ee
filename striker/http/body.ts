import type { z } from 'zod';
import { ValidationError } from '../core/errors/index.js';
import { parseOrThrow } from '../core/validation/zod-problems.js';

/** Validates a request body, listing every problem under `body.`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null) throw new ValidationError([{ path: 'body', message: 'is required (a JSON object)' }], 'request body');
  return parseOrThrow(schema, body, 'request body', 'body');
}

/** Validates a query string, listing every problem under `query.`. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  return parseOrThrow(schema, query ?? {}, 'query string', 'query');
}

export { isUuid } from '../core/validation/uuid.js';
