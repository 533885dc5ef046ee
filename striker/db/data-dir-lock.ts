/**
 * One striker process per data directory. `<dataDir>/striker.lock` holds the owner's pid and what
 * it runs (`<pid>\n<purpose>\n`). A second `striker serve` on the same directory refuses to start.
 *
 * The lock is written whole or not at all: its text goes to a temporary file first, which is then
 * hard-linked to `striker.lock` (link(2) fails when the name exists, so creating and filling the
 * lock are one step; a crash mid-write leaves only a temporary file, removed at the next take).
 *
 * A lock whose process is gone is stale and taken over. The stale file is first renamed aside and
 * removed only if it still holds what was read, so two processes taking over the same stale lock at
 * once cannot delete each other's fresh lock. The returned lock names the dead owner it replaced:
 * start-up uses that to recognise what a crashed striker left running.
 *
 * The lock is released by `release()` and, when the process exits without calling it, by an 'exit'
 * listener, unless `keepOnExit()` was called (a process that leaves its embedded PostgreSQL behind
 * keeps the lock, so the next start knows that PostgreSQL was Striker's).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StrikerError } from '../core/errors/index.js';
import { isAlive } from '../core/process-probe.js';

export interface LockHolder {
  pid: number;
  purpose: string;
}

export interface DataDirLock {
  readonly path: string;
  /** The dead process whose stale lock this one replaced, if there was one. */
  readonly tookOverFrom?: LockHolder;
  /** From now on a hard exit leaves the lock in place instead of removing it. */
  keepOnExit(): void;
  release(): void;
}

const LOCK_FILE = 'striker.lock';
const SCRATCH = /^striker\.lock\.(\d+)\.[0-9a-f]+\.(?:tmp|stale)$/;

export function lockDataDir(dataDir: string, purpose: string): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  removeDeadScratch(dir);
  const path = join(dir, LOCK_FILE);
  const text = `${process.pid}\n${purpose}\n`;
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (linkLock(dir, path, text)) return heldLock(path, tookOverFrom);
    const seen = readText(path);
    if (seen === undefined) continue; // released between our link and our read
    const owner = parseLock(seen);
    if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
      throw new StrikerError('DATA_DIR_LOCKED', `data directory ${dir} is in use by another striker process (pid ${owner.pid}, ${owner.purpose}); stop it first or use another dataDir`, {
        details: { pid: owner.pid, dataDir: dir },
      });
    }
    // Stale: its process is gone, or it is this pid from an earlier life of the machine, or unreadable.
    if (removeIfUnchanged(dir, path, seen)) tookOverFrom = owner ?? { pid: 0, purpose: 'unreadable lock' };
  }
  throw new StrikerError('DATA_DIR_LOCKED', `could not take the lock ${path}: other processes keep taking it`, { details: { dataDir: dir } });
}

/** The process named in the data directory's lock, if the lock exists and is readable. */
export function lockOwner(dataDir: string): LockHolder | undefined {
  const text = readText(join(resolve(dataDir), LOCK_FILE));
  return text === undefined ? undefined : parseLock(text);
}

function parseLock(text: string): LockHolder | undefined {
  const [pid, purpose] = text.split('\n');
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 ? { pid: n, purpose: purpose ?? '' } : undefined;
}

function heldLock(path: string, tookOverFrom: LockHolder | undefined): DataDirLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const text = readText(path);
    if (text !== undefined && parseLock(text)?.pid === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return {
    path,
    tookOverFrom,
    keepOnExit: () => void process.off('exit', release),
    release,
  };
}

/** Writes `text` to a scratch file and links it as the lock; false when a lock already exists. */
function linkLock(dir: string, path: string, text: string): boolean {
  const scratch = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(scratch, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(scratch, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(scratch, { force: true });
  }
}

/**
 * Removes the lock at `path` if it still holds `expected`. It is renamed aside first (atomic), then
 * checked: a lock another process took in the meantime is linked back and kept.
 */
function removeIfUnchanged(dir: string, path: string, expected: string): boolean {
  const aside = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.stale`);
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const moved = readText(aside);
  if (moved === expected) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
  return false;
}

/** Scratch files of lock writers that died between writing and linking. */
function removeDeadScratch(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = SCRATCH.exec(name);
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
