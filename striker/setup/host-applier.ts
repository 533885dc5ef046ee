/**
 * The seam through which `striker.configure` changes this machine: write a file, run a command.
 * The real one is used only when `host.manage` is on; otherwise the job only records its plan.
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CommandRunner } from '../core/command/run-command.js';

export interface HostApplier {
  writeFile(path: string, content: string, mode: number): Promise<void>;
  run(argv: readonly string[], signal: AbortSignal): Promise<void>;
}

/**
 * Writes atomically (temporary file, then rename) and runs commands through the one command
 * adapter. `root` is where the plan's absolute paths start: '/' on the appliance, a scratch
 * directory in tests.
 */
export function systemHostApplier(runCommand: CommandRunner, root = '/'): HostApplier {
  return {
    async writeFile(path, content, mode) {
      const target = join(root, path);
      await mkdir(dirname(target), { recursive: true });
      const temporary = `${target}.striker-new`;
      await writeFile(temporary, content, { mode });
      await chmod(temporary, mode); // the umask may have narrowed it
      await rename(temporary, target);
    },
    async run(argv, signal) {
      await runCommand(argv, { timeoutMs: 60_000, signal });
    },
  };
}
