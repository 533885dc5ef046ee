/**
 * Following a job from the command line: prints each new message until the job ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../db/database.js';
import { finishedStatuses, renderMessage, type Job } from '../../jobs/job.js';
import { getJob, jobMessages } from '../../jobs/job-store.js';

export async function followJob(db: Database, id: string, print: (line: string) => void, pollMs = 500): Promise<Job> {
  const printed = new Set<string>();
  for (;;) {
    const job = await getJob(db, id);
    for (const m of await jobMessages(db, id)) {
      if (printed.has(m.id)) continue;
      printed.add(m.id);
      print(`${String(m.progress).padStart(3)}%  ${renderMessage(m.message, m.vars)}`);
    }
    if (finishedStatuses.includes(job.status)) return job;
    await sleep(pollMs);
  }
}
