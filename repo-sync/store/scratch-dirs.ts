/**
 * Per-run scratch directories (a sync's decompressed metadata and keyrings, an ISO import's
 * working files, an import's half-extracted tree). Each run makes its own, named with its
 * process id (`<prefix>-pid<pid>-XXXXXX`), and removes it in `finally`. A run killed with
 * SIGKILL cannot, so every run first sweeps what dead runs left: an entry whose pid no longer
 * exists goes; one whose process is alive (this one or another Striker process) stays.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from '../../striker/core/process-probe.js';

const pidMark = /-pid(\d+)-/;

/** Makes `<parent>/<prefix>-pid<this pid>-XXXXXX` and returns its path. */
export function makeRunDir(parent: string, prefix: string): Promise<string> {
  return mkdtemp(join(parent, `${prefix}-pid${process.pid}-`));
}

/** The pid a run directory's name carries, or undefined. */
export function ownerPid(name: string): number | undefined {
  const m = pidMark.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Removes the entries of `parent` that start with `prefix` (every entry when it is '') and belong
 * to no live process: their pid is dead, or they carry none (made before runs were named so);
 * returns the names removed. A missing `parent` has nothing to sweep.
 */
export async function sweepDeadRuns(parent: string, prefix = ''): Promise<string[]> {
  const names = await readdir(parent).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = ownerPid(name);
    if (pid !== undefined && (pid === process.pid || isAlive(pid))) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
