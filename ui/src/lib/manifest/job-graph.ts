/**
 * A manifest run's jobs as a graph the page can draw: each job in the column of its depth (a job
 * with nothing to wait for is in the first; one that waits for others is one column after the
 * deepest of them), each job as the live feed last showed it, and its state in plain words — what
 * it is doing, what it waits for, why it is held. Pure: views in, columns and words out.
 */
import type { JobStatus, LiveJob } from '../api-types.js';
import { isFinished, mergeJob } from '../job-merge.js';
import type { RunJob } from './manifest-types.js';

/** One job of the run as shown: the run's view of it, brought up to date by the live feed. */
export interface GraphJob {
  id: string;
  key: string;
  kind: string;
  title: string;
  /** node1, node2, dr or striker. */
  target: string;
  hostId: string | null;
  status: JobStatus | 'gone';
  progress: number;
  text: string;
  heldReason: string | null;
  waitsFor: string[];
  lastError: string | null;
}

export interface GraphNode {
  job: GraphJob;
  depth: number;
  /** The jobs of the run it waits for. */
  after: GraphJob[];
}

/** The run's view of a job and the feed's (when it has one), by the one merge rule. */
export function graphJob(run: RunJob, live: LiveJob | undefined, title: string): GraphJob {
  const base: GraphJob = {
    id: run.jobId, key: run.key, kind: run.kind, title, target: run.target, hostId: run.hostId, status: run.status, progress: run.progress,
    text: run.text, heldReason: run.heldReason, waitsFor: run.waitsFor, lastError: run.lastError,
  };
  if (live === undefined || run.status === 'gone') return base;
  const shown = mergeJob<{ status: JobStatus; progress: number; text: string; heldReason: string | null; lastError: string | null }>(
    { status: run.status, progress: run.progress, text: run.text, heldReason: run.heldReason, lastError: run.lastError },
    { status: live.status, progress: live.progress, text: live.text, heldReason: live.heldReason, lastError: live.lastError },
  );
  return { ...base, status: shown.status, progress: shown.progress, text: shown.text, heldReason: shown.heldReason, lastError: shown.lastError };
}

/** Jobs by column; a dependency outside the run (or a cycle) does not move a job deeper. */
export function layerJobs(jobs: readonly GraphJob[]): GraphNode[][] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (job: GraphJob): number => {
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
  const columns: GraphNode[][] = [];
  for (const job of jobs) {
    const d = depthOf(job);
    (columns[d] ??= []).push({ job, depth: d, after: job.waitsFor.map((id) => byId.get(id)).filter((j) => j !== undefined) });
  }
  return columns.filter((c) => c !== undefined);
}

/** Whether the job waits to be released (held) rather than for a runner. */
export function isHeld(job: GraphJob): boolean {
  return job.heldReason !== null && (job.status === 'queued' || job.status === 'interrupted');
}

/** A job by its title and, for a host's job, the host: `Configure the host's networks (node1)`. */
export function jobName(job: GraphJob): string {
  return job.target === 'striker' ? job.title : `${job.title} (${job.target})`;
}

/** What the job is doing or waiting for, in words a tech reads. */
export function jobState(job: GraphJob, after: readonly GraphJob[]): string {
  if (isHeld(job)) return `Held: ${job.heldReason}`;
  const pending = after.filter((j) => j.status !== 'succeeded');
  switch (job.status) {
    case 'gone':
      return job.text;
    case 'queued':
      if (pending.length > 0) return `Waiting for ${pending.map(jobName).join(', ')} to finish`;
      return job.hostId ? `Queued: waiting for the agent on ${job.target} (${job.hostId}) to take it` : 'Queued: waiting for the Striker’s job runner';
    case 'running':
      return job.text || 'Running';
    case 'interrupted':
      return `Interrupted: ${job.text || 'its worker stopped'}; it will be tried again`;
    case 'succeeded':
      return job.text || 'Done';
    case 'failed':
      return `Failed: ${job.lastError ?? job.text}`;
    case 'cancelled':
      return `Cancelled${job.text ? `: ${job.text}` : ''}`;
  }
}

/** The run's overall progress: the mean of its jobs' progress. */
export function runProgress(jobs: readonly GraphJob[]): number {
  if (jobs.length === 0) return 0;
  return Math.floor(jobs.reduce((sum, j) => sum + (j.status === 'gone' ? 100 : j.progress), 0) / jobs.length);
}

export { isFinished };
