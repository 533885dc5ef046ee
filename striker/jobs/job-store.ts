/**
 * All SQL about jobs, one function a statement. Workers claim with FOR UPDATE SKIP LOCKED; every
 * write by a worker names its worker id, so a worker that lost its job (reaped as stale) can no
 * longer change it.
 *
 * With several Strikers replicating, where a claim lives depends on the job's target:
 * - Striker's own jobs (no target host) are owned by the Striker whose database they were inserted
 *   into (`owner_node`, stamped by migration 0015's insert trigger, which does not fire for a
 *   replicated row). Only the owner claims one, reaps it when its worker went silent, and requeues it
 *   after a restart: claims never race across databases because only one database grants them. A
 *   job whose owner is down waits for it.
 * - A host's jobs have exactly one claimant, the host's agent, which talks to one Striker at a time
 *   and may fail over to any: any Striker grants the claim, and the agent never starts a job id it
 *   has already started (striker/agent's runtime keeps them), so a claim replayed through a second
 *   Striker before the first one's replicated does not run the job again.
 */
import { ConflictError, NotFoundError } from '../core/errors/index.js';
import type { DbReader, DbWriter } from '../db/database.js';
import { jobFromRow, type Job, type JobMessage, type JobRow, type JobStatus } from './job.js';

export interface NewJob {
  kind: string;
  payload: unknown;
  targetHost?: string | null;
  maxAttempts: number;
  retryOnStale: boolean;
  createdBy?: string | null;
  message?: string;
  /** Jobs that must all succeed before this one may be claimed (see migration 0017). */
  waitsFor?: readonly string[];
  /** Set: the job is held (never claimed) until released, for this reason in plain words. */
  heldReason?: string | null;
}

export async function insertJob(q: DbWriter, job: NewJob): Promise<Job> {
  const { rows } = await q.write<JobRow>(
    `INSERT INTO jobs (kind, payload, target_host, max_attempts, retry_on_stale, created_by, message, waits_for, held_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      job.kind,
      JSON.stringify(job.payload),
      job.targetHost ?? null,
      job.maxAttempts,
      job.retryOnStale,
      job.createdBy ?? null,
      job.message ?? waitingMessage(job),
      job.waitsFor ?? [],
      job.heldReason ?? null,
    ],
  );
  return jobFromRow(rows[0]!);
}

function waitingMessage(job: NewJob): string {
  if (job.heldReason) return `Waiting: ${job.heldReason}`;
  const n = job.waitsFor?.length ?? 0;
  return n === 0 ? 'Waiting to start' : n === 1 ? 'Waiting for 1 job to succeed' : `Waiting for ${n} jobs to succeed`;
}

/**
 * The condition a queued job `j` meets to be claimed besides its target: not held, and every job
 * it waits for has succeeded.
 */
const READY = `j.held_reason IS NULL AND NOT EXISTS (SELECT 1 FROM jobs d WHERE d.id = ANY (j.waits_for) AND d.status <> 'succeeded')`;

/**
 * Claims up to `limit` queued jobs of `kinds` for `workerId`. `targetHost` null: jobs with no
 * target host (Striker's own runner); a host id: only jobs addressed to that host (its agent).
 * Neither ever claims the other's jobs, and neither claims a held job or one still waiting for
 * another.
 */
export async function claimJobs(q: DbWriter, args: { workerId: string; kinds: readonly string[]; targetHost: string | null; limit: number }): Promise<Job[]> {
  if (args.limit <= 0 || args.kinds.length === 0) return [];
  const { rows } = await q.write<JobRow>(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, worker_id = $1, heartbeat_at = clock_timestamp(),
            started_at = COALESCE(started_at, clock_timestamp())
      WHERE id IN (SELECT j.id FROM jobs j
                    WHERE j.status = 'queued' AND j.run_after <= clock_timestamp() AND j.kind = ANY($2)
                      AND j.target_host IS NOT DISTINCT FROM $3
                      AND (j.target_host IS NOT NULL OR j.owner_node = public.striker_node_name())
                      AND ${READY}
                    ORDER BY j.created_at LIMIT $4 FOR UPDATE OF j SKIP LOCKED)
      RETURNING *`,
    [args.workerId, args.kinds, args.targetHost, args.limit],
  );
  return rows.map(jobFromRow);
}

/** Heartbeats the worker's running jobs; returns the ones still its own, with their cancel flag. */
export async function heartbeat(q: DbWriter, workerId: string, ids: readonly string[]): Promise<Map<string, { cancelRequested: boolean }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await q.write<{ id: string; cancel_requested: boolean }>(
    `UPDATE jobs SET heartbeat_at = clock_timestamp() WHERE id = ANY($1) AND worker_id = $2 AND status = 'running'
     RETURNING id, cancel_requested`,
    [ids, workerId],
  );
  return new Map(rows.map((r) => [r.id, { cancelRequested: r.cancel_requested }]));
}

/** Raises progress (never lowers it; capped at 99) and records the message. False if the job is no longer ours. */
export async function reportProgress(
  q: DbWriter,
  args: { id: string; workerId: string; progress: number; message: string; vars: Record<string, unknown> },
): Promise<boolean> {
  const pct = Math.max(0, Math.min(99, Math.floor(args.progress)));
  const { rowCount } = await q.write(
    `WITH j AS (
       UPDATE jobs SET progress = GREATEST(progress, $3), message = $4, message_vars = $5, heartbeat_at = clock_timestamp()
        WHERE id = $1 AND worker_id = $2 AND status = 'running' RETURNING id, progress)
     INSERT INTO job_messages (job_id, progress, message, vars) SELECT id, progress, $4, $5 FROM j`,
    [args.id, args.workerId, pct, args.message, JSON.stringify(args.vars)],
  );
  return (rowCount ?? 0) > 0;
}

export async function addMessage(q: DbWriter, id: string, message: string, vars: Record<string, unknown>, level: 'info' | 'warn' | 'error'): Promise<void> {
  await q.write(
    `INSERT INTO job_messages (job_id, progress, message, vars, level) SELECT id, progress, $2, $3, $4 FROM jobs WHERE id = $1`,
    [id, message, JSON.stringify(vars), level],
  );
}

export type JobOutcome =
  | { kind: 'succeeded'; message?: string | undefined }
  | { kind: 'failed'; error: string; retryAfterSeconds: number | null }
  | { kind: 'cancelled' }
  | { kind: 'interrupted' };

/** Records how a run ended. False if the job was no longer this worker's. */
export async function finishJob(q: DbWriter, id: string, workerId: string, outcome: JobOutcome): Promise<boolean> {
  const where = `WHERE id = $1 AND worker_id = $2 AND status = 'running'`;
  let sql: string;
  let values: unknown[] = [id, workerId];
  switch (outcome.kind) {
    case 'succeeded':
      sql = `UPDATE jobs SET status = 'succeeded', progress = 100, finished_at = clock_timestamp(), worker_id = NULL, message = COALESCE($3, 'Finished'), message_vars = '{}' ${where}`;
      values = [id, workerId, outcome.message ?? null];
      break;
    case 'cancelled':
      sql = `UPDATE jobs SET status = 'cancelled', finished_at = clock_timestamp(), worker_id = NULL, message = 'Cancelled' ${where}`;
      break;
    case 'interrupted':
      sql = `UPDATE jobs SET status = 'interrupted', worker_id = NULL, message = 'Interrupted by shutdown; resumes at next start' ${where}`;
      break;
    case 'failed':
      if (outcome.retryAfterSeconds !== null) {
        sql = `UPDATE jobs SET status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                      finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE clock_timestamp() END,
                      run_after = clock_timestamp() + make_interval(secs => $4), last_error = $3, worker_id = NULL,
                      message = CASE WHEN attempts < max_attempts THEN 'Failed; will retry' ELSE 'Failed' END ${where}`;
        values = [id, workerId, outcome.error, outcome.retryAfterSeconds];
      } else {
        sql = `UPDATE jobs SET status = 'failed', finished_at = clock_timestamp(), last_error = $3, worker_id = NULL, message = 'Failed' ${where}`;
        values = [id, workerId, outcome.error];
      }
      break;
  }
  const { rowCount } = await q.write(sql, values);
  if ((rowCount ?? 0) > 0) {
    const level = outcome.kind === 'failed' ? 'error' : 'info';
    const text = outcome.kind === 'failed' ? 'Run {attempt} failed: {error}' : outcome.kind === 'succeeded' ? (outcome.message ?? 'Finished') : outcome.kind === 'cancelled' ? 'Cancelled' : 'Interrupted by shutdown';
    await q.write(
      `INSERT INTO job_messages (job_id, progress, message, vars, level) SELECT id, progress, $2, jsonb_build_object('attempt', attempts, 'error', $3::text), $4 FROM jobs WHERE id = $1`,
      [id, text, outcome.kind === 'failed' ? outcome.error : '', level],
    );
  }
  return (rowCount ?? 0) > 0;
}

/** Jobs whose worker stopped heartbeating: retried if their kind allows and attempts remain, else failed. */
export async function reapStaleJobs(q: DbWriter, staleAfterSeconds: number): Promise<{ id: string; status: JobStatus }[]> {
  const { rows } = await q.write<{ id: string; status: JobStatus }>(
    `WITH stale AS (
       UPDATE jobs SET
         status = CASE WHEN retry_on_stale AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,
         finished_at = CASE WHEN retry_on_stale AND attempts < max_attempts THEN NULL ELSE clock_timestamp() END,
         last_error = 'worker ' || COALESCE(worker_id, '?') || ' stopped sending heartbeats (last at ' || heartbeat_at::text || ')',
         message = CASE WHEN retry_on_stale AND attempts < max_attempts THEN 'Worker died; will retry' ELSE 'Worker died' END,
         worker_id = NULL
        WHERE status = 'running' AND (target_host IS NOT NULL OR owner_node = public.striker_node_name()) AND heartbeat_at < clock_timestamp() - make_interval(secs => $1)
        RETURNING id, status, progress, last_error)
     INSERT INTO job_messages (job_id, progress, message, vars, level)
       SELECT id, progress, '{error}', jsonb_build_object('error', last_error), 'error' FROM stale
     RETURNING job_id AS id, (SELECT status FROM stale WHERE stale.id = job_messages.job_id) AS status`,
    [staleAfterSeconds],
  );
  return rows;
}

/**
 * After a restart: jobs interrupted by the last shutdown run again; that run does not count as an
 * attempt. `targetHost` null: Striker's own jobs; a host id: that host's (its agent restarted).
 */
export async function requeueInterrupted(q: DbWriter, targetHost: string | null = null): Promise<string[]> {
  const { rows } = await q.write<{ id: string }>(
    `UPDATE jobs SET status = 'queued', attempts = GREATEST(attempts - 1, 0), message = 'Resuming after restart'
      WHERE status = 'interrupted' AND target_host IS NOT DISTINCT FROM $1
        AND ($1::text IS NOT NULL OR owner_node = public.striker_node_name()) RETURNING id`,
    [targetHost],
  );
  return rows.map((r) => r.id);
}

/** Cancels a queued or interrupted job at once; asks a running one to stop. */
export async function requestCancel(q: DbReader & DbWriter, id: string): Promise<Job> {
  const { rows } = await q.write<JobRow>(
    `UPDATE jobs SET
       status = CASE WHEN status IN ('queued', 'interrupted') THEN 'cancelled' ELSE status END,
       finished_at = CASE WHEN status IN ('queued', 'interrupted') THEN clock_timestamp() ELSE finished_at END,
       message = CASE WHEN status IN ('queued', 'interrupted') THEN 'Cancelled' ELSE 'Cancelling' END,
       cancel_requested = true
     WHERE id = $1 AND status IN ('queued', 'interrupted', 'running') RETURNING *`,
    [id],
  );
  if (rows[0]) return jobFromRow(rows[0]);
  const existing = await getJob(q, id);
  throw new ConflictError(`job ${id} has already ${existing.status === 'succeeded' ? 'succeeded' : existing.status === 'failed' ? 'failed' : 'been cancelled'}; there is nothing to cancel`, {
    id,
    status: existing.status,
  });
}

/**
 * Cancels jobs that have not started because something replaced them (`reason`, said in their
 * message and last error); the jobs waiting for them end with them. Returns the ids cancelled.
 */
export async function supersedeJobs(q: DbWriter, ids: readonly string[], reason: string): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.write<{ id: string }>(
    `WITH s AS (
       UPDATE jobs SET status = 'cancelled', cancel_requested = true, finished_at = clock_timestamp(), message = 'Superseded: {reason}',
                       message_vars = jsonb_build_object('reason', $2::text), last_error = 'superseded: ' || $2
        WHERE id = ANY($1) AND status IN ('queued', 'interrupted') RETURNING id, progress)
     INSERT INTO job_messages (job_id, progress, message, vars) SELECT id, progress, 'Superseded: {reason}', jsonb_build_object('reason', $2::text) FROM s
     RETURNING job_id AS id`,
    [ids, reason],
  );
  return rows.map((r) => r.id);
}

/**
 * Releases a held job: it becomes claimable once every job it waits for has succeeded. False
 * when the job is not held (released already, or ended).
 */
export async function releaseHeldJob(q: DbWriter, id: string): Promise<boolean> {
  const { rowCount } = await q.write(
    `WITH r AS (
       UPDATE jobs SET held_reason = NULL, message = CASE WHEN cardinality(waits_for) = 0 THEN 'Waiting to start' ELSE 'Released; waiting for the jobs it depends on' END
        WHERE id = $1 AND held_reason IS NOT NULL AND status IN ('queued', 'interrupted') RETURNING id, progress)
     INSERT INTO job_messages (job_id, progress, message) SELECT id, progress, 'Released' FROM r`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}

export async function getJob(q: DbReader, id: string): Promise<Job> {
  const { rows } = await q.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
  if (!rows[0]) throw new NotFoundError('job', id);
  return jobFromRow(rows[0]);
}

/** The jobs with these ids that still exist (finished jobs are purged after a while). */
export async function jobsByIds(q: DbReader, ids: readonly string[]): Promise<Job[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query<JobRow>('SELECT * FROM jobs WHERE id = ANY($1)', [ids]);
  return rows.map(jobFromRow);
}

export async function listJobs(q: DbReader, filter: { status?: JobStatus; kind?: string; limit: number; before?: Date }): Promise<Job[]> {
  const { rows } = await q.query<JobRow>(
    `SELECT * FROM jobs WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
       AND ($4::timestamptz IS NULL OR created_at < $4)
     ORDER BY created_at DESC LIMIT $3`,
    [filter.status ?? null, filter.kind ?? null, filter.limit, filter.before ?? null],
  );
  return rows.map(jobFromRow);
}

export async function jobMessages(q: DbReader, id: string): Promise<JobMessage[]> {
  const { rows } = await q.query<JobMessage>('SELECT id, at, level, progress, message, vars FROM job_messages WHERE job_id = $1 ORDER BY at, id', [id]);
  return rows;
}

/** Removes finished jobs older than `keepDays` (never `exceptId`, the purge's own job); returns how many. */
export async function purgeFinishedJobs(q: DbWriter, keepDays: number, exceptId: string): Promise<number> {
  const { rowCount } = await q.write(
    `DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') AND finished_at < clock_timestamp() - make_interval(days => $1) AND id <> $2`,
    [keepDays, exceptId],
  );
  return rowCount ?? 0;
}

/** When a job of `kind` was last created, and whether one is queued or running now. */
export async function kindActivity(q: DbReader, kind: string): Promise<{ last: Date | null; busy: boolean }> {
  const { rows } = await q.query<{ last: Date | null; busy: boolean | null }>(
    `SELECT max(created_at) AS last, bool_or(status IN ('queued', 'running')) AS busy FROM jobs WHERE kind = $1`,
    [kind],
  );
  return { last: rows[0]!.last, busy: rows[0]!.busy === true };
}
