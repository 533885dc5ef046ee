/**
 * The one adapter for external commands. Takes an argv array (never a shell string) and a timeout;
 * a failure is a CommandError carrying argv, exit code and stderr. Every module that runs a program
 * (createrepo_c, ipmitool, pcs, drbdadm, gpg…) goes through `CommandRunner` so tests can see what
 * would run and production runs it for real.
 */
import { execa, type ExecaError } from 'execa';
import { CommandError } from './command-error.js';

export interface CommandOptions {
  /** Milliseconds before the command is killed (SIGTERM, then SIGKILL 2 s later). Required. */
  timeoutMs: number;
  cwd?: string;
  /** Extra environment variables; the parent environment is inherited. */
  env?: Record<string, string>;
  input?: string | Uint8Array;
  signal?: AbortSignal;
  /** Exit codes that are not failures (default [0]). */
  okExitCodes?: readonly number[];
  /** Do not buffer stdout beyond this many bytes (default 64 MiB). */
  maxBuffer?: number;
}

export interface CommandResult {
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export type CommandRunner = (argv: readonly string[], options: CommandOptions) => Promise<CommandResult>;

export const runCommand: CommandRunner = async (argv, options) => {
  const [file, ...args] = argv;
  if (file === undefined || file === '') throw new TypeError('runCommand needs a non-empty argv array');
  const started = performance.now();
  const ok = options.okExitCodes ?? [0];
  try {
    const result = await execa(file, args, {
      timeout: options.timeoutMs,
      forceKillAfterDelay: 2000,
      cwd: options.cwd,
      env: options.env,
      input: options.input,
      cancelSignal: options.signal,
      reject: false,
      stripFinalNewline: false,
      maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
      shell: false,
    });
    const durationMs = performance.now() - started;
    const stdout = String(result.stdout ?? '');
    const stderr = String(result.stderr ?? '');
    if (result.failed && result.exitCode !== undefined && ok.includes(result.exitCode) && !result.timedOut && !result.isCanceled) {
      return { argv, exitCode: result.exitCode, stdout, stderr, durationMs };
    }
    if (result.failed) throw failureOf(argv, result as unknown as ExecaError, options.timeoutMs);
    return { argv, exitCode: result.exitCode ?? 0, stdout, stderr, durationMs };
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw failureOf(argv, error as ExecaError, options.timeoutMs);
  }
};

function failureOf(argv: readonly string[], error: ExecaError, timeoutMs: number): CommandError {
  const stderr = String(error.stderr ?? '');
  const stdout = String(error.stdout ?? '');
  const base = { argv, exitCode: error.exitCode, stderr, stdout, cause: error };
  if (error.timedOut) return new CommandError({ ...base, failure: 'timeout', reason: `timed out after ${timeoutMs} ms` });
  if (error.isCanceled) return new CommandError({ ...base, failure: 'cancelled', reason: 'was cancelled' });
  if (error.exitCode === undefined && error.signal) return new CommandError({ ...base, failure: 'signal', reason: `was killed by ${error.signal}` });
  if (error.exitCode === undefined) {
    const code = (error.cause as NodeJS.ErrnoException | undefined)?.code ?? (error as unknown as NodeJS.ErrnoException).code;
    return new CommandError({ ...base, failure: 'spawn', reason: `could not start (${code ?? error.shortMessage})` });
  }
  return new CommandError({ ...base, failure: 'exit', reason: `exited with code ${error.exitCode}` });
}
