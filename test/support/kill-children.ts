import type { ChildProcess } from 'node:child_process';

/** SIGKILLs every child still running and waits for each exit (at most `graceMs` apiece). */
export async function killChildren(processes: Iterable<ChildProcess>, graceMs = 2000): Promise<void> {
  for (const p of processes) {
    if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) continue;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await Promise.race([done, new Promise((r) => setTimeout(r, graceMs))]);
  }
}
