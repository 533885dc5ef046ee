/**
 * A job as stored in the `jobs` table, and how it is read from a row.
 */
export const jobStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const finishedStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  targetHost: string | null;
  status: JobStatus;
  progress: number;
  /** Message template with `{name}` variables, rendered with `messageVars`. */
  message: string;
  messageVars: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  workerId: string | null;
  heartbeatAt: Date | null;
  cancelRequested: boolean;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Jobs that must all succeed before this one runs. */
  waitsFor: string[];
  /** Set while the job is held: why, in plain words ("cluster formation is not available yet"). */
  heldReason: string | null;
}

export interface JobMessage {
  id: string;
  at: Date;
  level: 'info' | 'warn' | 'error';
  progress: number;
  message: string;
  vars: Record<string, unknown>;
}

export interface JobRow {
  id: string;
  kind: string;
  payload: unknown;
  target_host: string | null;
  status: JobStatus;
  progress: number;
  message: string;
  message_vars: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  worker_id: string | null;
  heartbeat_at: Date | null;
  cancel_requested: boolean;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  waits_for: string[];
  held_reason: string | null;
}

export function jobFromRow(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    payload: r.payload,
    targetHost: r.target_host,
    status: r.status,
    progress: r.progress,
    message: r.message,
    messageVars: r.message_vars,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    workerId: r.worker_id,
    heartbeatAt: r.heartbeat_at,
    cancelRequested: r.cancel_requested,
    createdBy: r.created_by,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    waitsFor: r.waits_for,
    heldReason: r.held_reason,
  };
}

/** Renders a message template: `Copied {files} files` with `{files: 3}` → `Copied 3 files`. Unknown variables stay visible. */
export function renderMessage(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\{([a-zA-Z0-9_]+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
