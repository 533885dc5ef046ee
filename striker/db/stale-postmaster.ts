/**
 * A PostgreSQL that a striker which died (kill -9, out of memory) left running on the embedded
 * data directory, found and dealt with before the embedded PostgreSQL starts.
 *
 * PostgreSQL records its postmaster in `<pgDir>/postmaster.pid`, one item per line: the pid, the
 * data directory, the start time, the port, the socket directory, the listen address, the
 * shared-memory key and the status (`starting`, `ready`, `stopping`). What is found decides:
 *
 * | found | done |
 * | --- | --- |
 * | no file, or its pid no longer runs | start: PostgreSQL replaces a file whose pid is gone itself |
 * | a postgres working in this directory, and the data-directory lock was taken over from a dead striker | stop it, then start |
 * | a postgres working in this directory that is already stopping | wait for it to end, then start |
 * | a postgres working in this directory while the lock was free | refuse: nothing says it is Striker's |
 * | the pid runs something else, or the postgres of another directory | refuse: PostgreSQL would refuse too, and the file must stay while its shared memory may be in use |
 *
 * It is stopped rather than reused: its log pipe went with the dead striker, it runs with the port
 * and flags of the previous start, and an adopted process could not be watched for its exit. A fast
 * shutdown (SIGINT) rolls back open transactions and writes a checkpoint; if that does not end in
 * time, an immediate shutdown (SIGQUIT) follows, after which PostgreSQL's next start runs crash
 * recovery.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { StrikerError } from '../core/errors/index.js';
import type { LockHolder } from './data-dir-lock.js';
import { isAlive, processFacts, type ProcessFacts } from '../core/process-probe.js';

export interface PostmasterRecord {
  pid: number;
  dataDir: string;
  port?: number;
  /** `starting`, `ready` or `stopping` (line 8), once PostgreSQL has written it. */
  status?: string;
}

export type PostmasterFinding =
  | { kind: 'none' }
  | { kind: 'gone'; pid: number }
  | { kind: 'ours'; pid: number; status?: string }
  | { kind: 'foreign'; pid: number; why: string };

export type PostmasterPlan = { action: 'start' } | { action: 'stop'; pid: number } | { action: 'wait'; pid: number } | { action: 'refuse'; message: string };

export interface StopBounds {
  /** How long a fast shutdown (SIGINT) may take before an immediate one (SIGQUIT). */
  fastMs: number;
  /** How long an immediate shutdown may take before start-up gives up. */
  immediateMs: number;
}

export const defaultStopBounds: StopBounds = { fastMs: 30_000, immediateMs: 10_000 };

export function postmasterPidFile(pgDir: string): string {
  return join(pgDir, 'postmaster.pid');
}

/** The first lines of `postmaster.pid`; undefined when the pid line is not a pid. */
export function parsePostmasterPid(text: string): PostmasterRecord | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const pid = Number(lines[0]);
  if (!/^\d+$/.test(lines[0] ?? '') || pid <= 0) return undefined;
  const port = Number(lines[3]);
  return {
    pid,
    dataDir: lines[1] ?? '',
    ...(Number.isInteger(port) && port > 0 ? { port } : {}),
    ...(lines[7] ? { status: lines[7] } : {}),
  };
}

/** What the recorded postmaster is now, given the facts about its pid (undefined: not running). */
export function classifyPostmaster(record: PostmasterRecord | undefined, facts: ProcessFacts | undefined, pgDir: string): PostmasterFinding {
  if (!record) return { kind: 'none' };
  const { pid } = record;
  if (!facts) return { kind: 'gone', pid };
  if (facts.command !== 'postgres') return { kind: 'foreign', pid, why: `pid ${pid} now runs '${facts.command}', not PostgreSQL` };
  const dir = facts.cwd ?? (facts.dataDirArg === undefined ? undefined : resolve(facts.dataDirArg));
  if (dir === undefined) return { kind: 'foreign', pid, why: `cannot tell which data directory PostgreSQL pid ${pid} serves` };
  if (dir !== pgDir) return { kind: 'foreign', pid, why: `PostgreSQL pid ${pid} serves ${dir}, not this directory` };
  return { kind: 'ours', pid, ...(record.status === undefined ? {} : { status: record.status }) };
}

/** What to do about the finding; `staleLock` is the dead striker whose lock this start took over. */
export function planPostmaster(finding: PostmasterFinding, staleLock: LockHolder | undefined, pgDir: string): PostmasterPlan {
  const file = postmasterPidFile(pgDir);
  switch (finding.kind) {
    case 'none':
    case 'gone':
      return { action: 'start' };
    case 'foreign':
      return { action: 'refuse', message: `${file} names a process that is not this directory's PostgreSQL (${finding.why}); PostgreSQL cannot start while it runs. Stop that process, or remove ${file} once sure no PostgreSQL uses ${pgDir}` };
    case 'ours':
      if (staleLock) return { action: 'stop', pid: finding.pid };
      if (finding.status === 'stopping') return { action: 'wait', pid: finding.pid };
      return { action: 'refuse', message: `PostgreSQL pid ${finding.pid} is already running on ${pgDir}, but no striker held the data directory, so it was not left by a striker that died; stop it (kill -INT ${finding.pid}) and start again` };
  }
}

/**
 * Reads `<pgDir>/postmaster.pid` and acts on it: returns when PostgreSQL may start on `pgDir`,
 * throws DATABASE_UNAVAILABLE with the reason when it may not.
 */
export async function clearStalePostmaster(pgDir: string, staleLock: LockHolder | undefined, log: Logger, bounds: StopBounds = defaultStopBounds): Promise<void> {
  const file = postmasterPidFile(pgDir);
  if (!existsSync(file)) return;
  const dir = realpathSync(pgDir);
  const record = parsePostmasterPid(readText(file));
  const finding = classifyPostmaster(record, record && processFacts(record.pid), dir);
  const plan = planPostmaster(finding, staleLock, dir);
  switch (plan.action) {
    case 'start':
      if (finding.kind === 'gone') log.info({ postgresPid: finding.pid, path: file }, 'postmaster.pid names a PostgreSQL that is gone; PostgreSQL replaces it at start');
      return;
    case 'refuse':
      throw new StrikerError('DATABASE_UNAVAILABLE', plan.message, { details: { path: file, pid: record?.pid } });
    case 'wait':
      log.warn({ postgresPid: plan.pid, path: dir }, 'waiting for a stopping PostgreSQL on the data directory to end');
      if (await waitForExit(plan.pid, bounds.fastMs)) return;
      throw new StrikerError('DATABASE_UNAVAILABLE', `PostgreSQL pid ${plan.pid} on ${dir} was stopping but had not ended after ${bounds.fastMs} ms`, { details: { pid: plan.pid } });
    case 'stop':
      log.warn({ postgresPid: plan.pid, path: dir, deadStriker: staleLock?.pid }, 'stopping the PostgreSQL left running by a striker that died');
      await stopPostmaster(plan.pid, dir, bounds);
      log.info({ postgresPid: plan.pid }, 'stale PostgreSQL stopped');
  }
}

/** Fast shutdown, then immediate shutdown; resolves once the postmaster has ended. */
export async function stopPostmaster(pid: number, pgDir: string, bounds: StopBounds = defaultStopBounds): Promise<void> {
  for (const [signal, ms] of [['SIGINT', bounds.fastMs], ['SIGQUIT', bounds.immediateMs]] as const) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw error;
    }
    if (await waitForExit(pid, ms)) return;
  }
  throw new StrikerError('DATABASE_UNAVAILABLE', `PostgreSQL pid ${pid} on ${pgDir} did not stop after SIGINT and SIGQUIT`, { details: { pid } });
}

/** Polls until `pid` no longer runs; false if it still runs after `ms`. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
