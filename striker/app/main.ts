/**
 * The entry point, and the only place that reads argv, the environment and signals.
 *
 * Every way out has an exit code: `process.exitCode` is a failure until `main()` settles, so a run
 * whose event loop empties while something is still awaited (a promise nothing will ever settle)
 * exits non-zero with a line on stderr instead of 0 with nothing. A `striker serve` that cannot
 * start logs the cause at error level and prints it as one line on stderr.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.js';
import { EXIT, exitCodeFor } from './cli/exit-codes.js';
import type { StrikerConfig } from './config/schema.js';
import { StrikerError } from '../core/errors/index.js';
import { createLogger } from '../core/log.js';
import { kickstartLogRedactPaths } from '../../kickstart/index.js';
import { serve } from './serve.js';
import { startAgent } from './agent-run.js';

const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function makeLogger(config: Readonly<StrikerConfig>): Logger {
  return createLogger({ level: config.log.level, pretty: config.log.pretty, redactPaths: kickstartLogRedactPaths });
}

/**
 * Runs `striker serve` until SIGTERM or SIGINT. Signals are handled from the start: one that arrives
 * during start-up stops Striker as soon as it has started (PostgreSQL stopped, lock released); a
 * second signal exits at once.
 */
async function runServe(config: Readonly<StrikerConfig>, logger: Logger): Promise<number> {
  let signals = 0;
  let stop: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second stop signal: exiting now');
      process.exit(EXIT.failure);
    }
    logger.info({ signal }, stop ? 'stop signal received' : 'stop signal received during start-up: stopping once started');
    stop?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let striker: Awaited<ReturnType<typeof serve>>;
  try {
    striker = await serve(config, logger, version);
  } catch (error) {
    logger.error({ err: error }, 'striker serve could not start');
    if (error instanceof StrikerError) throw error;
    throw new StrikerError('INTERNAL', `striker serve could not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (signals === 0) process.stdout.write(`Striker ${version} is running at ${striker.url}\n`);
  return new Promise((resolve) => {
    stop = () => {
      striker.stop().then(
        () => resolve(EXIT.ok),
        (error: unknown) => {
          logger.error({ err: error }, 'stop failed');
          resolve(EXIT.failure);
        },
      );
    };
    if (signals > 0) stop();
  });
}

/** Runs `striker agent` until SIGTERM or SIGINT (a second signal exits at once). */
async function runAgent(files: { configPath: string; credentialsPath: string }): Promise<number> {
  const agent = await startAgent({ ...files, version });
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(EXIT.failure);
    void agent.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await agent.done;
  return EXIT.ok;
}

async function main(): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(
    {
      env: process.env,
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      readStdin: async () => {
        if (process.stdin.isTTY) process.stderr.write('password: ');
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      },
      makeLogger,
      runServe,
      runAgent,
    },
    (code) => (exitCode = code),
  );
  try {
    await program.parseAsync(process.argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof StrikerError) {
      process.stderr.write(`striker: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    process.stderr.write(`striker: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failure;
  }
}

let settled = false;
process.exitCode = EXIT.failure;
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.stderr.write('striker: stopped before it finished: the work it was waiting for can no longer complete (see the log)\n');
  process.exit(EXIT.failure);
});

main().then(
  (code) => {
    settled = true;
    process.exitCode = code;
    // Let pino flush; then leave even if a stray handle is open.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    settled = true;
    process.stderr.write(`striker: ${String(error)}\n`);
    process.exit(EXIT.failure);
  },
);
