/**
 * One sync (or import) per repo at a time, also across processes: an exclusive lock file holding
 * the owner's pid. A lock left by a process that died (kill -9) is taken over; a live owner makes
 * the second caller fail with CONFLICT instead of both writing the same snapshot directory.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { ConflictError } from '../../striker/core/errors/index.js';
import { isAlive } from '../../striker/core/process-probe.js';

/** `what` names the thing ("repo base"), `activity` what the owner does to it ("synced", "imported"). */
export async function acquireDirLock(path: string, what: string, activity = 'synced'): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new ConflictError(`${what} is already being ${activity} by process ${owner}`, { lock: path, pid: owner });
      }
      await rm(path, { force: true });
    }
  }
  throw new ConflictError(`${what}: could not take the lock ${path}`, { lock: path });
}
