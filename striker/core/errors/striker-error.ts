/**
 * One base error for the whole project. Every error Striker raises on purpose carries a stable
 * `code` (documented in errors/codes.ts, mapped to an HTTP status in one place), structured
 * `details`, and the original `cause`. Messages say where, what was expected and what was seen.
 */
import type { ErrorCode } from './codes.js';

export interface Problem {
  /** Key path of the offending value, e.g. `http.port` or `body.username`. Empty for the whole input. */
  path: string;
  message: string;
}

export class StrikerError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  /**
   * False when trying the same thing again cannot succeed (input refused on purpose, such as a
   * file that leads out of its tree): a job failing with it is not retried. Undefined: unknown.
   */
  readonly retryable: boolean | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable;
  }
}

/** The configuration file or environment is invalid; lists every problem. */
export class ConfigError extends StrikerError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], source: string) {
    super('CONFIG_INVALID', `${source} has ${problems.length} problem(s):\n${formatProblems(problems)}`, {
      details: { problems, source },
    });
    this.problems = problems;
  }
}

/** Client input (an API body, a CLI argument, a manifest) is invalid; lists every problem. */
export class ValidationError extends StrikerError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], what = 'input') {
    super('VALIDATION_FAILED', `${what} is invalid:\n${formatProblems(problems)}`, { details: { problems } });
    this.problems = problems;
  }
}

/** Bytes on the wire or on disk could not be decoded; names the field and offset. */
export class DecodeError extends StrikerError {
  constructor(message: string, readonly field: string, readonly offset: number, options: { details?: Record<string, unknown> } = {}) {
    super('DECODE_FAILED', `${field} at offset ${offset}: ${message}`, { details: { field, offset, ...options.details } });
  }
}

export class NotFoundError extends StrikerError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} does not exist`, { details: { what, id } });
  }
}

export class ConflictError extends StrikerError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT', message, { details });
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  - ${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('\n');
}
