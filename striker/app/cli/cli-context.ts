/**
 * What every `striker` subcommand receives: the process's I/O and the lazily loaded configuration,
 * printer, actor and database. Built once in program.ts and handed to each command group.
 */
import type { Logger } from 'pino';
import type { Actor } from '../../audit/audit-store.js';
import type { Database } from '../../db/database.js';
import type { StrikerConfig } from '../config/schema.js';
import type { Printer } from './output.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  makeLogger(config: Readonly<StrikerConfig>): Logger;
  /** Runs `striker serve` until a stop signal; resolves with the exit code. */
  runServe(config: Readonly<StrikerConfig>, logger: Logger): Promise<number>;
  /** Runs `striker agent` until a stop signal (the same start as agent-main.ts); resolves with the exit code. */
  runAgent(files: { configPath: string; credentialsPath: string }): Promise<number>;
}

export interface CliContext {
  io: CliIo;
  config(): Readonly<StrikerConfig>;
  printer(): Printer;
  cliActor(): Actor;
  withDb<T>(fn: (db: Database, logger: Logger, opened: { startedHere: boolean }) => Promise<T>): Promise<T>;
}
