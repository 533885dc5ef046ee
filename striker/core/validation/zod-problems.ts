/**
 * Turns a zod error into Striker's `Problem[]`: one problem per offending key path, saying what
 * was expected and what was seen. Unknown keys are listed one by one.
 */
import type { z } from 'zod';
import type { Problem } from '../errors/index.js';
import { ValidationError } from '../errors/index.js';

export function problemsFromZod(error: z.ZodError, input: unknown, prefix = ''): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: joinPath(prefix, [...base, key]), message: 'is not a known setting' });
      }
      continue;
    }
    // A record key that fails its own schema: the key's message says what a key must look like.
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    if (inner !== undefined) {
      problems.push({ path: joinPath(prefix, base), message: `${inner} — got '${String(issue.path[issue.path.length - 1] ?? '')}'` });
      continue;
    }
    const seen = valueAt(input, issue.path);
    const got = seen.found ? ` — got ${describe(seen.value)}` : '';
    problems.push({ path: joinPath(prefix, base), message: `${issue.message}${got}` });
  }
  return problems;
}

/** Parses `input` with `schema`, or throws ValidationError listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(problemsFromZod(result.error, input, prefix), what);
}

/**
 * An action's input: like parseOrThrow, with problems under `path` ('body' for an API request,
 * '' for CLI options); a missing input is one problem.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string, path = ''): z.output<S> {
  if (input === undefined || input === null) throw new ValidationError([{ path: path === '' ? what : path, message: 'is required (a JSON object)' }], what);
  return parseOrThrow(schema, input, what, path);
}

/** Problems found in a part of an input, re-rooted under `path` ('body', or '' for none). */
export function problemsUnder(path: string, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({ path: joinPath(path, p.path === '' ? [] : [p.path]), message: p.message }));
}

function joinPath(prefix: string, parts: readonly string[]): string {
  return [prefix, ...parts].filter((p) => p !== '').join('.');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !(key in (cur as object))) return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 60)}…` : value}'`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
