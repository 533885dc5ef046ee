/**
 * Parsing input that carries a password (login, a new user, the first admin, a password change).
 * Problems never quote what was typed in a `password` field — not in the error body, not in the
 * log line the error handler writes — and a password that passes the schema is held to the
 * password policy (password-policy.ts).
 */
import type { z } from 'zod';
import { ValidationError, type Problem } from '../core/errors/index.js';
import { parseInput, problemsFromZod } from '../core/validation/zod-problems.js';
import { passwordWeakness } from './password-policy.js';

const PASSWORD_FIELD = 'password';

/**
 * Parses `input` like `parseInput` (problems under `path`), without quoting the password. With
 * `policy`, a password that fits the schema must also satisfy the password policy, its user inputs
 * (user name, display name) given by `policy.userInputs`.
 */
export function parseWithPassword<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  path = '',
  policy?: { userInputs: readonly string[] },
): z.output<S> {
  if (input === undefined || input === null) return parseInput(schema, input, what, path);
  const result = schema.safeParse(input);
  const problems: Problem[] = result.success ? [] : problemsFromZod(result.error, withoutPassword(input), path);
  const passwordPath = [path, PASSWORD_FIELD].filter((p) => p !== '').join('.');
  const password = isRecord(input) ? input[PASSWORD_FIELD] : undefined;
  if (policy && typeof password === 'string' && !problems.some((p) => p.path === passwordPath)) {
    const weakness = passwordWeakness(password, policy.userInputs);
    if (weakness !== undefined) problems.push({ path: passwordPath, message: weakness });
  }
  if (problems.length > 0 || !result.success) throw new ValidationError(problems, what);
  return result.data;
}

/** The text fields of an input object that say who the user is (for the policy's user inputs). */
export function textFields(input: unknown, ...names: string[]): string[] {
  if (!isRecord(input)) return [];
  return names.map((n) => input[n]).filter((v): v is string => typeof v === 'string');
}

/** A copy of `input` without its password, for describing problems. */
function withoutPassword(input: unknown): unknown {
  if (!isRecord(input) || !(PASSWORD_FIELD in input)) return input;
  const { [PASSWORD_FIELD]: _hidden, ...rest } = input;
  return rest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
