/**
 * The seam through which `striker.configure` changes this machine: write a file, run a command.
 * The real one is used only when `host.manage` is on; otherwise the job only records its plan.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CommandRunner } from '../command/run-command.js';

export interface HostApplier {
  writeFile(path: string, content: string, mode: number): Promise<void>;
  run(argv: readonly string[], signal: AbortSignal): Promise<void>;
}

/** Writes atomically (temporary file, then rename) and runs commands through the one command adapter. */
export function systemHostApplier(runCommand: CommandRunner): HostApplier {
  return {
    async writeFile(path, content, mode) {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.striker-new`;
      await writeFile(temporary, content, { mode });
      await rename(temporary, path);
    },
    async run(argv, signal) {
      await runCommand(argv, { timeoutMs: 60_000, signal });
    },
  };
}
