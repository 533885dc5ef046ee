/**
 * The job runner: claims jobs of the kinds it knows (FOR UPDATE SKIP LOCKED), runs each with a
 * context that reports progress and carries an abort signal, heartbeats them, notices cancellation,
 * reaps jobs whose worker died, and on stop lets running jobs reach a checkpoint or marks them
 * interrupted so the next start picks them up again.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { problemsFromZod } from '../core/validation/zod-problems.js';
import { formatProblems, StrikerError } from '../core/errors/index.js';
import type { Job } from './job.js';
import { JobAbort, type AbortReason, type JobCatalog, type JobContext } from './job-kind.js';
import { addMessage, claimJobs, finishJob, heartbeat, reapStaleJobs, reportProgress, requeueInterrupted, type JobOutcome } from './job-store.js';

export interface RunnerOptions {
  db: Database;
  catalog: JobCatalog;
  logger: Logger;
  /**
   * This Striker's host name (in the log). The runner claims only jobs with no target host: a job
   * addressed to a host is run by that host's agent, never by Striker.
   */
  host: string;
  workers: number;
  pollSeconds: number;
  heartbeatSeconds: number;
  staleAfterSeconds: number;
}

export interface RunnerState {
  running: boolean;
  workerId: string;
  activeJobs: string[];
  lastPollAt: Date | null;
  lastError: string | null;
  counts: { claimed: number; succeeded: number; failed: number; cancelled: number; interrupted: number; reaped: number };
}

interface Active {
  job: Job;
  controller: AbortController;
  done: Promise<void>;
  lastProgress: number;
  /** Why the run changes nothing, once the handler said so (`ctx.nothingChanged`). */
  noChange: string | null;
}

export class JobRunner {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly active = new Map<string, Active>();
  private timer: NodeJS.Timeout | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private started = false;
  private polling: Promise<void> | undefined;
  private lastPollAt: Date | null = null;
  private lastError: string | null = null;
  private readonly counts = { claimed: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0, reaped: 0 };

  constructor(private readonly o: RunnerOptions) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const resumed = await requeueInterrupted(this.o.db);
    if (resumed.length > 0) this.o.logger.info({ jobs: resumed, host: this.o.host }, 'requeued jobs interrupted by the last shutdown');
    this.timer = setInterval(() => void this.poke(), this.o.pollSeconds * 1000);
    this.beatTimer = setInterval(() => void this.beat(), this.o.heartbeatSeconds * 1000);
    void this.poke();
  }

  /** Claim now instead of at the next poll (called when a job is enqueued or changed). */
  poke(): Promise<void> {
    if (this.stopping || !this.started) return Promise.resolve();
    this.polling ??= this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  state(): RunnerState {
    return {
      running: this.started && !this.stopping,
      workerId: this.workerId,
      activeJobs: [...this.active.keys()],
      lastPollAt: this.lastPollAt,
      lastError: this.lastError,
      counts: { ...this.counts },
    };
  }

  /** Stops claiming; aborts running jobs with reason `shutdown` and waits up to `graceMs` for them. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    clearInterval(this.beatTimer);
    await this.polling;
    for (const a of this.active.values()) a.controller.abort(new JobAbort('shutdown'));
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timeout = setTimeout(r, graceMs)))]);
    clearTimeout(timeout);
    // Jobs that did not reach a checkpoint in time are marked interrupted; their handlers are abandoned.
    for (const a of this.active.values()) {
      await finishJob(this.o.db, a.job.id, this.workerId, { kind: 'interrupted' }).catch(() => undefined);
      this.counts.interrupted++;
    }
    this.active.clear();
  }

  private async poll(): Promise<void> {
    try {
      this.lastPollAt = new Date();
      const reaped = await reapStaleJobs(this.o.db, this.o.staleAfterSeconds);
      for (const r of reaped) {
        this.counts.reaped++;
        this.o.logger.warn({ jobId: r.id, status: r.status }, 'job worker stopped heartbeating');
      }
      const free = this.o.workers - this.active.size;
      if (free <= 0 || this.stopping) return;
      const jobs = await claimJobs(this.o.db, { workerId: this.workerId, kinds: [...this.o.catalog.keys()], targetHost: null, limit: free });
      for (const job of jobs) this.launch(job);
      this.lastError = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.o.logger.error({ err: error }, 'job poll failed');
    }
  }

  private launch(job: Job): void {
    this.counts.claimed++;
    const controller = new AbortController();
    const entry: Active = { job, controller, lastProgress: job.progress, noChange: null, done: Promise.resolve() };
    this.active.set(job.id, entry);
    entry.done = this.run(entry).finally(() => {
      this.active.delete(job.id);
      if (!this.stopping) void this.poke();
    });
  }

  private async run(entry: Active): Promise<void> {
    const { job, controller } = entry;
    const log = this.o.logger.child({ jobId: job.id, kind: job.kind });
    const def = this.o.catalog.get(job.kind)!;
    const parsed = def.payload.safeParse(job.payload);
    if (!parsed.success) {
      await this.finish(job, { kind: 'failed', error: `payload is invalid:\n${formatProblems(problemsFromZod(parsed.error, job.payload, 'payload'))}`, retryAfterSeconds: null }, log);
      return;
    }
    const ctx: JobContext<unknown> = {
      job,
      payload: parsed.data,
      signal: controller.signal,
      logger: log,
      progress: async (percent, message, vars, options) => {
        const pct = Math.max(entry.lastProgress, Math.min(99, Math.floor(percent)));
        entry.lastProgress = pct;
        const ours = await reportProgress(this.o.db, { id: job.id, workerId: this.workerId, progress: pct, message: message ?? '', vars: vars ?? {}, milestone: options?.milestone === true });
        if (!ours) controller.abort(new JobAbort('lost'));
      },
      nothingChanged: (reason) => {
        entry.noChange = reason;
      },
      note: (message, vars, level) => addMessage(this.o.db, job.id, message, vars ?? {}, level ?? 'info'),
      checkpoint: () => {
        if (controller.signal.aborted) throw controller.signal.reason as Error;
      },
    };
    log.info({ attempt: job.attempts }, 'job started');
    let outcome: JobOutcome;
    try {
      await def.run(ctx);
      outcome = controller.signal.aborted ? abortOutcome(controller.signal.reason) : { kind: 'succeeded', noChange: entry.noChange };
    } catch (error) {
      if (controller.signal.aborted) {
        outcome = abortOutcome(controller.signal.reason);
      } else {
        const delay = def.retryDelaySeconds?.(job.attempts) ?? Math.min(300, 5 * 2 ** (job.attempts - 1));
        const retry = def.maxAttempts > 1 && !(error instanceof StrikerError && error.retryable === false);
        outcome = { kind: 'failed', error: errorText(error), retryAfterSeconds: retry ? delay : null };
        log.warn({ err: error }, 'job run failed');
      }
    }
    if (outcome.kind === 'interrupted' && !this.stopping) outcome = { kind: 'failed', error: 'interrupted', retryAfterSeconds: null };
    if (reasonOf(controller.signal.reason) === 'lost') {
      log.warn('job was taken from this worker; its result is dropped');
      return;
    }
    await this.finish(job, outcome, log);
  }

  private async finish(job: Job, outcome: JobOutcome, log: Logger): Promise<void> {
    const ours = await finishJob(this.o.db, job.id, this.workerId, outcome).catch((error: unknown) => {
      log.error({ err: error }, 'could not record job outcome');
      return false;
    });
    if (!ours) return;
    if (outcome.kind === 'succeeded') this.counts.succeeded++;
    else if (outcome.kind === 'failed') this.counts.failed++;
    else if (outcome.kind === 'cancelled') this.counts.cancelled++;
    else this.counts.interrupted++;
    log.info({ outcome: outcome.kind }, 'job ended');
  }

  private async beat(): Promise<void> {
    if (this.active.size === 0) {
      void this.poke();
      return;
    }
    try {
      const ids = [...this.active.keys()];
      const mine = await heartbeat(this.o.db, this.workerId, ids);
      for (const id of ids) {
        const a = this.active.get(id);
        if (!a) continue; // finished while the heartbeat was in flight
        const state = mine.get(id);
        if (!state) a.controller.abort(new JobAbort('lost'));
        else if (state.cancelRequested) a.controller.abort(new JobAbort('cancel'));
      }
    } catch (error) {
      this.lastError = (error as Error).message;
      this.o.logger.error({ err: error }, 'job heartbeat failed');
    }
  }

  /** Checks the cancel flag of running jobs now (called on a job-changed notification). */
  checkCancellations(): Promise<void> {
    return this.active.size === 0 ? Promise.resolve() : this.beat();
  }
}

function reasonOf(reason: unknown): AbortReason | undefined {
  return reason instanceof JobAbort ? reason.reason : undefined;
}

function abortOutcome(reason: unknown): JobOutcome {
  const r = reasonOf(reason);
  if (r === 'cancel') return { kind: 'cancelled' };
  return { kind: 'interrupted' };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 4000);
  return String(error).slice(0, 4000);
}
