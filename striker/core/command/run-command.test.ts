import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command.js';
import { CommandError } from './command-error.js';

describe('runCommand', () => {
  it('runs an argv array and captures output', async () => {
    const r = await runCommand(['printf', '%s|%s', 'a b', '$(id)'], { timeoutMs: 5000 });
    // No shell: the argument is passed literally, never expanded.
    expect(r.stdout).toBe('a b|$(id)');
    expect(r.exitCode).toBe(0);
  });

  it('reports a non-zero exit as CommandError with argv, exit code and stderr', async () => {
    const err = await runCommand(['sh', '-c', 'echo broken >&2; exit 3'], { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const ce = err as CommandError;
    expect(ce.code).toBe('COMMAND_FAILED');
    expect(ce.exitCode).toBe(3);
    expect(ce.argv).toEqual(['sh', '-c', 'echo broken >&2; exit 3']);
    expect(ce.stderr).toContain('broken');
    expect(ce.failure).toBe('exit');
    expect(ce.cause).toBeDefined();
  });

  it('accepts exit codes declared ok', async () => {
    const r = await runCommand(['sh', '-c', 'exit 1'], { timeoutMs: 5000, okExitCodes: [0, 1] });
    expect(r.exitCode).toBe(1);
  });

  it('kills a command at its timeout', async () => {
    const err = (await runCommand(['sleep', '10'], { timeoutMs: 200 }).catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.failure).toBe('timeout');
  });

  it('reports a missing program as a spawn failure', async () => {
    const err = (await runCommand(['/nonexistent/striker-no-such-tool'], { timeoutMs: 2000 }).catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.failure).toBe('spawn');
    expect(err.message).toContain('ENOENT');
  });

  it('refuses an empty argv', async () => {
    await expect(runCommand([], { timeoutMs: 1000 })).rejects.toThrow(TypeError);
  });
});
