/**
 * Jobs as the API shows them, and the live feed: one EventSource on /api/jobs/events
 * (server-sent events, `event: job` with the job as JSON on every change).
 */
export interface JobView {
  id: string;
  kind: string;
  title: string;
  text: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  progress: number;
  lastError: string | null;
  targetHost: string | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobMessageView {
  id: string;
  at: string;
  level: 'info' | 'warn' | 'error';
  progress: number;
  text: string;
}

export const activeStatuses = new Set(['queued', 'running', 'interrupted']);

/** Follows job changes until the returned function is called. */
export function followJobs(onJob: (job: JobView) => void, onState: (connected: boolean) => void): () => void {
  const source = new EventSource('/api/jobs/events');
  source.addEventListener('open', () => onState(true));
  source.addEventListener('error', () => onState(false));
  source.addEventListener('job', (event) => onJob(JSON.parse((event as MessageEvent<string>).data) as JobView));
  return () => source.close();
}

/** Milliseconds the job has run (or ran), or undefined before it started. */
export function jobDuration(job: JobView, now: number): number | undefined {
  if (!job.startedAt) return undefined;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return end - Date.parse(job.startedAt);
}
