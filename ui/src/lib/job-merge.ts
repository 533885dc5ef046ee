/**
 * The one rule for two views of the same job that arrive in an unknown order (the live feed, a
 * page's list, an action's answer, events replayed across a reconnect): progress never goes
 * backwards, and a finished job never returns to queued, running or interrupted.
 * Pure: no Svelte, no browser, so vitest runs it as it is.
 */
import type { JobStatus } from '../../../striker/jobs/job.js';

/** What the rule reads of a job; the rest of the view comes along with the winner. */
export interface JobState {
  status: JobStatus;
  progress: number;
}

const finished: ReadonlySet<JobStatus> = new Set<JobStatus>(['succeeded', 'failed', 'cancelled']);

export function isFinished(status: JobStatus): boolean {
  return finished.has(status);
}

/**
 * The view to show after `incoming` arrives while `known` is shown:
 * - a finished job stays finished: an unfinished `incoming` is an older snapshot and is dropped;
 * - a finished `incoming` wins over an unfinished `known`, keeping the higher progress;
 * - between unfinished views, one with less progress is older and is dropped; equal or more
 *   progress wins (a new message, or a retry going back to queued at the same progress).
 */
export function mergeJob<T extends JobState>(known: T | undefined, incoming: T): T {
  if (known === undefined) return incoming;
  if (isFinished(known.status) && !isFinished(incoming.status)) return known;
  if (isFinished(incoming.status)) {
    return incoming.progress >= known.progress ? incoming : { ...incoming, progress: known.progress };
  }
  return incoming.progress < known.progress ? known : incoming;
}
