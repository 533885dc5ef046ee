/**
 * Hostile input stops before any route sees it, as a 400 naming the field:
 *   - JSON bodies nesting deeper than `MAX_JSON_DEPTH` (a scan of the raw text before parsing, so a
 *     100,000-deep body never reaches a recursive parser, validator or logger);
 *   - JSON that is not valid, or carries `__proto__` / `constructor.prototype` keys
 *     (fastify's secure-json-parse, set to refuse them);
 *   - NUL characters in a path parameter, a query value or any string or key of the body
 *     (PostgreSQL refuses them in text, and no field of Striker's has a use for one).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError, type Problem } from '../core/errors/index.js';

/** Deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 64;

const NUL = '\u0000';

export function installInputGuards(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(new ValidationError([{ path: 'body', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }], 'request body'), undefined);
      return;
    }
    parse(request, text, (error, value) => {
      if (error) done(new ValidationError([{ path: 'body', message: text.trim() === '' ? 'is empty (send a JSON value)' : 'is not valid JSON, or carries a __proto__ or constructor.prototype key' }], 'request body'), undefined);
      else done(null, value);
    });
  });

  app.addHook('preValidation', async (request) => {
    const problems = nulProblems(request);
    if (problems.length > 0) throw new ValidationError(problems, 'request');
  });
}

/** Whether the JSON text nests arrays and objects deeper than `max` (brackets inside strings do not count). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function nulProblems(request: FastifyRequest): Problem[] {
  const problems: Problem[] = [];
  scan(request.params, 'params', problems, 0);
  scan(request.query, 'query', problems, 0);
  scan(request.body, 'body', problems, 0);
  return problems;
}

function scan(value: unknown, path: string, problems: Problem[], depth: number): void {
  if (typeof value === 'string') {
    if (value.includes(NUL)) problems.push({ path, message: 'must not contain NUL characters' });
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_JSON_DEPTH || problems.length >= 20) return;
  for (const [key, v] of Object.entries(value)) {
    const at = `${path}.${key.replaceAll(NUL, '\\0')}`;
    if (key.includes(NUL)) problems.push({ path: at, message: 'the key must not contain NUL characters' });
    scan(v, at, problems, depth + 1);
  }
}
