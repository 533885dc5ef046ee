import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { StrikerError } from '../core/errors/index.js';
import { isAlive } from '../core/process-probe.js';
import { classifyPostmaster, parsePostmasterPid, planPostmaster, stopPostmaster, type PostmasterFinding } from './stale-postmaster.js';

const pgDir = '/srv/striker/postgres';
const deadStriker = { pid: 4242, purpose: 'striker serve' };

describe('parsePostmasterPid', () => {
  it('reads pid, data directory, port and status', () => {
    const text = `1006\n${pgDir}\n1796537276\n36433\n\n127.0.0.1\n  2146646    360455\nready   \n`;
    expect(parsePostmasterPid(text)).toEqual({ pid: 1006, dataDir: pgDir, port: 36433, status: 'ready' });
  });

  it('reads a file PostgreSQL has only begun to write', () => {
    expect(parsePostmasterPid(`1006\n${pgDir}\n`)).toEqual({ pid: 1006, dataDir: pgDir });
  });

  it.each(['', '\n', 'abc\n/x\n', '-5\n/x\n', '0\n/x\n', '12abc\n'])('gives nothing for %j', (text) => {
    expect(parsePostmasterPid(text)).toBeUndefined();
  });
});

describe('classifyPostmaster', () => {
  const record = { pid: 1006, dataDir: pgDir, status: 'ready' };
  it.each<[string, Parameters<typeof classifyPostmaster>[1], PostmasterFinding]>([
    ['not running', undefined, { kind: 'gone', pid: 1006 }],
    ['a postgres working in this directory', { command: 'postgres', cwd: pgDir }, { kind: 'ours', pid: 1006, status: 'ready' }],
    ['a postgres started with -D this directory (cwd unreadable)', { command: 'postgres', dataDirArg: pgDir }, { kind: 'ours', pid: 1006, status: 'ready' }],
    ['another program', { command: 'node', cwd: pgDir }, { kind: 'foreign', pid: 1006, why: "pid 1006 now runs 'node', not PostgreSQL" }],
    ['the postgres of another directory', { command: 'postgres', cwd: '/var/lib/pgsql/data' }, { kind: 'foreign', pid: 1006, why: 'PostgreSQL pid 1006 serves /var/lib/pgsql/data, not this directory' }],
    ['a postgres whose directory cannot be read', { command: 'postgres' }, { kind: 'foreign', pid: 1006, why: 'cannot tell which data directory PostgreSQL pid 1006 serves' }],
  ])('%s', (_, facts, finding) => {
    expect(classifyPostmaster(record, facts, pgDir)).toEqual(finding);
  });

  it('finds nothing without a record', () => {
    expect(classifyPostmaster(undefined, undefined, pgDir)).toEqual({ kind: 'none' });
  });
});

describe('planPostmaster', () => {
  it.each<[string, PostmasterFinding, typeof deadStriker | undefined, string]>([
    ['no postmaster.pid', { kind: 'none' }, undefined, 'start'],
    ['a pid that is gone: PostgreSQL replaces the file', { kind: 'gone', pid: 7 }, undefined, 'start'],
    ['ours, lock taken over from a dead striker', { kind: 'ours', pid: 7, status: 'ready' }, deadStriker, 'stop'],
    ['ours, still starting, lock taken over', { kind: 'ours', pid: 7, status: 'starting' }, deadStriker, 'stop'],
    ['ours, stopping, lock was free', { kind: 'ours', pid: 7, status: 'stopping' }, undefined, 'wait'],
    ['ours, running, lock was free', { kind: 'ours', pid: 7, status: 'ready' }, undefined, 'refuse'],
    ['foreign, even with a stale lock', { kind: 'foreign', pid: 7, why: 'x' }, deadStriker, 'refuse'],
  ])('%s', (_, finding, staleLock, action) => {
    expect(planPostmaster(finding, staleLock, pgDir).action).toBe(action);
  });

  it('says what to do when it refuses', () => {
    expect(planPostmaster({ kind: 'ours', pid: 7, status: 'ready' }, undefined, pgDir)).toEqual({
      action: 'refuse',
      message: `PostgreSQL pid 7 is already running on ${pgDir}, but no striker held the data directory, so it was not left by a striker that died; stop it (kill -INT 7) and start again`,
    });
    const foreign = planPostmaster({ kind: 'foreign', pid: 7, why: "pid 7 now runs 'node', not PostgreSQL" }, deadStriker, pgDir);
    expect(foreign).toMatchObject({ action: 'refuse' });
    expect((foreign as { message: string }).message).toContain(`${pgDir}/postmaster.pid names a process that is not this directory's PostgreSQL (pid 7 now runs 'node', not PostgreSQL)`);
  });
});

describe('stopPostmaster', () => {
  /** A shell that ignores the signals named, and says so once the trap is set. */
  async function stubborn(ignored: string): Promise<number> {
    const child = spawn('sh', ['-c', `trap '' ${ignored}; echo set; while :; do sleep 0.1; done`], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    await new Promise((r) => child.stdout.once('data', r));
    child.unref();
    return child.pid!;
  }

  it('ends a process that ignores the fast shutdown signal with the immediate one', async () => {
    const pid = await stubborn('INT');
    try {
      await stopPostmaster(pid, pgDir, { fastMs: 300, immediateMs: 5000 });
      expect(isAlive(pid)).toBe(false);
    } finally {
      if (isAlive(pid)) process.kill(-pid, 'SIGKILL');
    }
  });

  it('gives up with the reason when the process ignores both', async () => {
    const pid = await stubborn('INT QUIT');
    try {
      let caught: unknown;
      await stopPostmaster(pid, pgDir, { fastMs: 200, immediateMs: 200 }).catch((e: unknown) => (caught = e));
      expect(caught).toBeInstanceOf(StrikerError);
      expect((caught as StrikerError).message).toBe(`PostgreSQL pid ${pid} on ${pgDir} did not stop after SIGINT and SIGQUIT`);
      expect(isAlive(pid)).toBe(true);
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
  });

  it('returns at once for a pid that is gone', async () => {
    const pid = spawnSync('true').pid!;
    await expect(stopPostmaster(pid, pgDir, { fastMs: 100, immediateMs: 100 })).resolves.toBeUndefined();
  });
});
