/**
 * Jobs as the API shows them (the server's `JobView`, through `Wire`), and the words and numbers
 * the pages derive from them. The live feed is live-jobs.svelte.ts.
 */
import type { JobRecord, JobStatus, LiveJob } from './api-types';

export type { JobMessage, LiveJob } from './api-types';

export const activeStatuses: ReadonlySet<JobStatus> = new Set<JobStatus>(['queued', 'running', 'interrupted']);

/** Milliseconds the job has run (or ran), or undefined before it started. */
export function jobDuration(job: LiveJob, now: number): number | undefined {
  if (!job.startedAt) return undefined;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return end - Date.parse(job.startedAt);
}

/**
 * A job as stored (the answer of a route that starts one) as a first view for the live store,
 * until the feed brings its title and rendered message.
 */
export function firstView(job: JobRecord): LiveJob {
  return { ...job, title: job.kind, text: '' };
}
