/**
 * A job started from the command line: the action enqueues it (with its audit row); with a
 * running `striker serve` the CLI follows it, and when this process started the database itself
 * (no serve can be running) it runs the job here with a runner of its own.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { StrikerError } from '../../core/errors/index.js';
import type { Database } from '../../db/database.js';
import type { Job } from '../../jobs/job.js';
import type { JobCatalog, JobKindDefinition } from '../../jobs/job-kind.js';
import { JobRunner } from '../../jobs/job-runner.js';
import { buildJobCatalog } from '../job-catalog.js';
import type { CliContext } from './cli-context.js';
import { followJob } from './wait-for-job.js';

/**
 * Inside `withDb`: starts the job with `start` and, when asked to or when no serve can run it,
 * follows it to its end. A job that did not succeed is an error, unless `returnFailed` (the
 * caller reports a failed check itself).
 */
export async function startJobHere(
  c: CliContext,
  here: { db: Database; logger: Logger; startedHere: boolean },
  kinds: readonly JobKindDefinition[],
  start: (db: Database, catalog: JobCatalog) => Promise<Job>,
  options: { wait: boolean; returnFailed?: boolean },
): Promise<Job> {
  const { db, logger } = here;
  const catalog = buildJobCatalog(db, kinds);
  const job = await start(db, catalog);
  if (!options.wait && !here.startedHere) return job;
  let runner: JobRunner | undefined;
  if (here.startedHere) {
    runner = new JobRunner({ db, catalog, logger, host: hostname(), workers: 1, pollSeconds: 0.5, heartbeatSeconds: 5, staleAfterSeconds: 30 });
    await runner.start();
  }
  const p = c.printer();
  try {
    const done = await followJob(db, job.id, (line) => (p.json ? undefined : p.out(line)));
    if (done.status !== 'succeeded' && !(options.returnFailed === true && done.status === 'failed')) throw new StrikerError('CONFLICT', `job ${done.id} ${done.status}: ${done.lastError ?? ''}`.trim(), { details: { job: done } });
    return done;
  } finally {
    await runner?.stop(5000);
  }
}

/** startJobHere on a database of its own. */
export async function runJobFromCli(
  c: CliContext,
  kinds: (db: Database) => readonly JobKindDefinition[],
  start: (db: Database, catalog: JobCatalog) => Promise<Job>,
  options: { wait: boolean },
): Promise<Job> {
  return c.withDb((db, logger, opened) => startJobHere(c, { db, logger, startedHere: opened.startedHere }, kinds(db), start, options));
}
