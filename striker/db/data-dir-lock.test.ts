import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StrikerError } from '../core/errors/index.js';
import { lockDataDir, lockOwner } from './data-dir-lock.js';

let dir: string;
const lockFile = () => join(dir, 'striker.lock');

/** The pid of a process that has already exited. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'striker-lock-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('data-directory lock', () => {
  it('holds the owner pid and purpose, whole, and release removes it', () => {
    const lock = lockDataDir(dir, 'striker serve');
    expect(readFileSync(lockFile(), 'utf8')).toBe(`${process.pid}\nstriker serve\n`);
    expect(lock.tookOverFrom).toBeUndefined();
    expect(lockOwner(dir)).toEqual({ pid: process.pid, purpose: 'striker serve' });
    expect(readdirSync(dir)).toEqual(['striker.lock']);
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses while a live process holds it, naming that process', () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(lockFile(), `${sleeper.pid}\nstriker serve\n`);
      let caught: unknown;
      try {
        lockDataDir(dir, 'striker cli');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(StrikerError);
      expect((caught as StrikerError).code).toBe('DATA_DIR_LOCKED');
      expect((caught as StrikerError).message).toContain(`in use by another striker process (pid ${sleeper.pid}, striker serve)`);
      expect(readFileSync(lockFile(), 'utf8')).toBe(`${sleeper.pid}\nstriker serve\n`);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('takes over the lock of a dead process and says whose it was', () => {
    const dead = deadPid();
    writeFileSync(lockFile(), `${dead}\nstriker serve\n`);
    const lock = lockDataDir(dir, 'striker serve');
    expect(lock.tookOverFrom).toEqual({ pid: dead, purpose: 'striker serve' });
    expect(lockOwner(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over an unreadable (empty) lock', () => {
    writeFileSync(lockFile(), '');
    const lock = lockDataDir(dir, 'striker serve');
    expect(lock.tookOverFrom).toEqual({ pid: 0, purpose: 'unreadable lock' });
    expect(lockOwner(dir)?.pid).toBe(process.pid);
    lock.release();
  });

  it('does not remove a lock another process holds when released', () => {
    const lock = lockDataDir(dir, 'striker serve');
    writeFileSync(lockFile(), '1\nsomeone else\n');
    lock.release();
    expect(readFileSync(lockFile(), 'utf8')).toBe('1\nsomeone else\n');
  });

  it('removes scratch files left by writers that died, and keeps those of live ones', () => {
    const dead = deadPid();
    writeFileSync(join(dir, `striker.lock.${dead}.0a1b2c3d.tmp`), `${dead}\nstri`);
    writeFileSync(join(dir, `striker.lock.${dead}.0a1b2c3e.stale`), `${dead}\nstriker serve\n`);
    writeFileSync(join(dir, 'striker.lock.1.0a1b2c3d.tmp'), '1\n');
    const lock = lockDataDir(dir, 'striker serve');
    expect(readdirSync(dir).sort()).toEqual(['striker.lock', 'striker.lock.1.0a1b2c3d.tmp']);
    lock.release();
  });

  it('is released when the process exits without releasing it, unless told to keep it', () => {
    const script = (keep: boolean) => `
      import { lockDataDir } from ${JSON.stringify(new URL('./data-dir-lock.ts', import.meta.url).pathname)};
      const lock = lockDataDir(${JSON.stringify(dir)}, 'striker serve');
      ${keep ? 'lock.keepOnExit();' : ''}
      process.exit(3);`;
    const run = (keep: boolean) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(keep)], { encoding: 'utf8' });
    const released = run(false);
    expect(released.status, released.stderr).toBe(3);
    expect(existsSync(lockFile())).toBe(false);
    const kept = run(true);
    expect(kept.status, kept.stderr).toBe(3);
    expect(lockOwner(dir)).toEqual({ pid: kept.pid, purpose: 'striker serve' });
  });
});
