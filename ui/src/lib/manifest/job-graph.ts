/**
 * A manifest run's jobs as a graph the page can draw: each job in the column of its depth (a job
 * with nothing to wait for is in the first; one that waits for others is one column after the
 * deepest of them), and each job's state in plain words — what it is doing, what it waits for,
 * why it is held. Pure: job views in, columns and words out.
 */
import type { LiveJob } from '../api-types';
import { isFinished } from '../job-merge';

export interface GraphJob {
  job: LiveJob;
  depth: number;
  /** The jobs it waits for that are in the run. */
  after: LiveJob[];
}

/** Jobs by column; a dependency outside the run (or a cycle) does not move a job deeper. */
export function layerJobs(jobs: readonly LiveJob[]): GraphJob[][] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (job: LiveJob): number => {
    const known = depth.get(job.id);
    if (known !== undefined) return known;
    if (visiting.has(job.id)) return 0;
    visiting.add(job.id);
    const parents = job.waitsFor.map((id) => byId.get(id)).filter((j) => j !== undefined);
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map(depthOf));
    visiting.delete(job.id);
    depth.set(job.id, d);
    return d;
  };
  const columns: GraphJob[][] = [];
  for (const job of jobs) {
    const d = depthOf(job);
    (columns[d] ??= []).push({ job, depth: d, after: job.waitsFor.map((id) => byId.get(id)).filter((j) => j !== undefined) });
  }
  return columns.filter((c) => c !== undefined);
}

/** What the job is doing or waiting for, in words a tech reads. */
export function jobState(job: LiveJob, after: readonly LiveJob[]): string {
  if (job.heldReason && !isFinished(job.status)) return `Held: ${job.heldReason}`;
  const pending = after.filter((j) => j.status !== 'succeeded');
  switch (job.status) {
    case 'queued':
      if (pending.length > 0) return `Waiting for ${pending.map((j) => j.title).join(', ')} to finish`;
      return job.targetHost ? `Queued: waiting for the agent on ${job.targetHost} to take it` : 'Queued: waiting for the job runner';
    case 'running':
      return job.text || 'Running';
    case 'interrupted':
      return `Interrupted: ${job.text || 'its worker stopped'}; it will be retried`;
    case 'succeeded':
      return job.text || 'Done';
    case 'failed':
      return `Failed: ${job.lastError ?? job.text}`;
    case 'cancelled':
      return `Cancelled${job.text ? `: ${job.text}` : ''}`;
  }
}

/** The run's overall progress: the mean of its jobs' progress (a held job counts as not started). */
export function runProgress(jobs: readonly LiveJob[]): number {
  if (jobs.length === 0) return 0;
  return Math.floor(jobs.reduce((sum, j) => sum + j.progress, 0) / jobs.length);
}
