/**
 * CPU time of a process, for the replication benchmarks: the apply worker's CPU per row is a
 * figure other work on a shared machine inflates far less than wall-clock time.
 */
import { readFileSync } from 'node:fs';
import type { Database } from '../../../striker/db/database.js';

/** CPU time (user + system) of a process so far, ms, from the scheduler's count in ns; NaN once it is gone. */
export function cpuMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** The pid of the subscriber's apply worker (not a table-sync worker), 0 while none runs. */
export async function applyWorkerPid(db: Database): Promise<number> {
  return (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_subscription WHERE pid IS NOT NULL AND relid IS NULL')).rows[0]?.pid ?? 0;
}

/** The pid of the walsender serving `subscription` on the publisher, 0 while none runs. */
export async function walSenderPid(db: Database, subscription: string): Promise<number> {
  return (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_replication WHERE application_name = $1', [subscription])).rows[0]?.pid ?? 0;
}
