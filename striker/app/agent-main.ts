/**
 * The agent's entry point on a host (`striker-agent`, bundled to one file with esbuild), and the
 * only place in it that reads argv and signals:
 *
 *   striker-agent [--config /etc/striker/agent.json] [--credentials /etc/striker/agent-credentials.json]
 *                 [--log-level info] [--version]
 *
 * The version is `__STRIKER_VERSION__` when the bundler defines it (esbuild
 * `--define:__STRIKER_VERSION__='"1.2.3"'`), else the checkout's package.json. SIGTERM or SIGINT
 * stops the agent gracefully (running jobs reach a checkpoint or are reported interrupted); a
 * second signal exits at once.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { StrikerError } from '../core/errors/index.js';
import { logLevels, type LogLevel } from '../core/log.js';
import { EXIT, exitCodeFor } from './cli/exit-codes.js';
import { startAgent } from './agent-run.js';

declare const __STRIKER_VERSION__: string | undefined;

function agentVersion(): string {
  if (typeof __STRIKER_VERSION__ === 'string') return __STRIKER_VERSION__;
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // not in a checkout laid out this way
    }
  }
  return 'unknown';
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        credentials: { type: 'string' },
        'log-level': { type: 'string' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`striker-agent: ${(error as Error).message}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    process.stdout.write('usage: striker-agent [--config FILE] [--credentials FILE] [--log-level LEVEL] [--version]\n');
    return EXIT.ok;
  }
  const version = agentVersion();
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  const level = values['log-level'];
  if (level !== undefined && !(logLevels as readonly string[]).includes(level)) {
    process.stderr.write(`striker-agent: --log-level must be one of ${logLevels.join(', ')} — got '${level}'\n`);
    return EXIT.usage;
  }
  return runUntilSignal(() => startAgent({ configPath: values.config, credentialsPath: values.credentials, logLevel: level as LogLevel | undefined, version }));
}

/** Starts the agent and runs it until SIGTERM or SIGINT; the exit code. */
async function runUntilSignal(start: () => ReturnType<typeof startAgent>): Promise<number> {
  let signals = 0;
  let stop: (() => Promise<void>) | undefined;
  const onSignal = () => {
    signals++;
    if (signals > 1) process.exit(EXIT.failure);
    void stop?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const agent = await start();
    stop = agent.stop;
    if (signals > 0) void agent.stop();
    await agent.done;
    return EXIT.ok;
  } catch (error) {
    if (error instanceof StrikerError) {
      process.stderr.write(`striker-agent: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    process.stderr.write(`striker-agent: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failure;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Let pino flush; then leave even if a stray handle is open.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    process.stderr.write(`striker-agent: ${String(error)}\n`);
    process.exit(EXIT.failure);
  },
);
