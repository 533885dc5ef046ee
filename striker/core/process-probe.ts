/**
 * What Linux says about a process, read from /proc: whether it still runs (a zombie does not), its
 * command name and its working directory. Used to tell whether a pid written in a lock file still
 * belongs to the process that wrote it.
 */
import { readFileSync, readlinkSync } from 'node:fs';

export interface ProcessFacts {
  /** `/proc/<pid>/comm`: the executable's name, cut at 15 characters. */
  command: string;
  /** The working directory (a PostgreSQL postmaster works in its data directory), if readable. */
  cwd?: string;
  /** The argument after `-D` on its command line, if there is one. */
  dataDirArg?: string;
}

/** True while `pid` runs; false once it has exited, even if its parent has not reaped it yet. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processState(pid);
  return state !== 'Z' && state !== 'X';
}

/** Facts about a running process; undefined when it does not run. */
export function processFacts(pid: number): ProcessFacts | undefined {
  if (!isAlive(pid)) return undefined;
  const command = readOr(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
  if (command === undefined) return undefined;
  const cwd = readOr(() => readlinkSync(`/proc/${pid}/cwd`));
  const argv = readOr(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')) ?? [];
  const d = argv.indexOf('-D');
  const dataDirArg = d >= 0 && argv[d + 1] ? argv[d + 1] : undefined;
  return { command, ...(cwd === undefined ? {} : { cwd }), ...(dataDirArg === undefined ? {} : { dataDirArg }) };
}

/** The state letter of `/proc/<pid>/stat` (R, S, D, Z, ...), after the parenthesised command name. */
function processState(pid: number): string | undefined {
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

function readOr<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
