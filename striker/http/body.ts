import { z } from 'zod';
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

const instantText = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A point in time in a query string: an ISO 8601 date or date-time with a four-digit year
 * (`2026-01-31`, `2026-01-31T12:00:00.000Z`). Anything else — other formats, years past 9999,
 * numbers — is a validation problem, never a value handed to the database.
 */
export const queryInstant = z
  .string()
  .max(40, 'must be a date like 2026-01-31 or 2026-01-31T12:00:00Z')
  .refine((s) => instantText.test(s) && !Number.isNaN(Date.parse(s)), 'must be a date like 2026-01-31 or 2026-01-31T12:00:00Z')
  .transform((s) => new Date(s));

export { isUuid } from '../core/validation/uuid.js';
