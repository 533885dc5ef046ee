/**
 * One striker process per data directory. `<dataDir>/striker.lock` holds the owner's pid; a lock
 * whose process is gone is stale and taken over. A second `striker serve` refuses to start.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StrikerError } from '../core/errors/index.js';

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export function lockDataDir(dataDir: string, purpose: string): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'striker.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n${purpose}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          if (lockOwner(dataDir)?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = lockOwner(dataDir);
      if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
        throw new StrikerError('DATA_DIR_LOCKED', `data directory ${dir} is in use by another striker process (pid ${owner.pid}, ${owner.purpose}); stop it first or use another dataDir`, {
          details: { pid: owner.pid, dataDir: dir },
        });
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new StrikerError('DATA_DIR_LOCKED', `could not take the lock ${path}`);
}

/** The process holding the data directory, if one does. */
export function lockOwner(dataDir: string): { pid: number; purpose: string } | undefined {
  try {
    const [pid, purpose] = readFileSync(join(resolve(dataDir), 'striker.lock'), 'utf8').split('\n');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 ? { pid: n, purpose: purpose ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
