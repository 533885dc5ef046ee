/**
 * The root logger (pino, JSON lines on stderr, or pino-pretty for people). Only `striker/app`
 * makes it; every module receives a child logger. Fields have fixed names across the code: `mac`,
 * `xid`, `iface`, `peer`, `hostId`, `jobId`, `path`, `err`. Secrets never reach a log: the paths
 * in `redactPaths` (pino's `redact`, fast-redact syntax) are censored, whatever module logs them.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines through pino-pretty instead of JSON. */
  pretty?: boolean;
  /** Object paths whose values are replaced by `[redacted]`. */
  redactPaths?: readonly string[];
  /** Where JSON lines go; default standard error. */
  destination?: DestinationStream;
}

/** Headers and fields every Striker log censors, besides those an area adds. */
export const baseRedactPaths: readonly string[] = [
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
  'password', '*.password', 'passwordHash', '*.passwordHash',
];

export function createLogger(options: LoggerOptions): Logger {
  const redact = { paths: [...new Set([...baseRedactPaths, ...(options.redactPaths ?? [])])], censor: '[redacted]' };
  const settings = { level: options.level, base: { pid: process.pid }, redact };
  if (options.pretty) return pino({ ...settings, transport: { target: 'pino-pretty', options: { destination: 2 } } });
  return pino(settings, options.destination ?? pino.destination(2));
}
