import { StrikerError } from '../errors/index.js';

export type CommandFailure = 'exit' | 'timeout' | 'spawn' | 'signal' | 'cancelled';

/** An external command failed: carries argv, exit code, stderr and why (execa's error as cause). */
export class CommandError extends StrikerError {
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly stdout: string;
  readonly failure: CommandFailure;

  constructor(init: { argv: readonly string[]; exitCode: number | undefined; stderr: string; stdout: string; failure: CommandFailure; reason: string; cause?: unknown }) {
    const tail = init.stderr.trim().split('\n').slice(-5).join('\n');
    super('COMMAND_FAILED', `${init.argv[0] ?? '(none)'} ${init.reason}${tail ? `: ${tail}` : ''}`, {
      details: { argv: init.argv, exitCode: init.exitCode, stderr: init.stderr.slice(-4000), failure: init.failure },
      cause: init.cause,
    });
    this.argv = init.argv;
    this.exitCode = init.exitCode;
    this.stderr = init.stderr;
    this.stdout = init.stdout;
    this.failure = init.failure;
  }
}
