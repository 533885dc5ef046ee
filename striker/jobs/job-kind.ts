/**
 * What a kind of job is: its payload schema, its retry policy, and the code that runs it.
 * Payloads are typed data validated on enqueue and on claim; never a shell command.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Job } from './job.js';

export interface JobContext<P> {
  job: Job;
  payload: P;
  /** Aborted when the job is cancelled, the process shuts down, or the job was taken from this worker. */
  signal: AbortSignal;
  logger: Logger;
  /**
   * Reports progress (clamped to what was already reported and to 99; 100 is set on success only)
   * with a message template and its variables. Written to the job; its message history keeps
   * milestones only: a new template, a new 10 % step, or a report marked `milestone` (a step of
   * its own, such as one file written of a plan).
   */
  progress(percent: number, message?: string, vars?: Record<string, unknown>, options?: { milestone?: boolean }): Promise<void>;
  /**
   * Says the run changes nothing, and why (plain words, e.g. "host.manage is off: the plan was
   * recorded, not applied"). If the run then succeeds, the job is a success that did nothing:
   * its message and the UI say so instead of "Finished".
   */
  nothingChanged(reason: string): void;
  /** Adds a line to the job's message history without changing progress. */
  note(message: string, vars?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
  /** Throws the abort reason if the job should stop now: call between steps. */
  checkpoint(): void;
}

export interface JobKindDefinition<S extends z.ZodType = z.ZodType> {
  kind: string;
  /** Plain words for the UI: the kind in general ("Sync a repo"). */
  title: string;
  /**
   * What a job of this kind acts on, from its payload (stored with the job when it is enqueued),
   * and the job's title naming it: `title` holds `{subject}`, e.g. "Sync {subject}".
   */
  subject?: { of(payload: z.output<S>): string; title: string };
  payload: S;
  /** Attempts in all, including the first (1 = never retried). */
  maxAttempts: number;
  /** When the worker running it dies: run it again (if attempts remain) or fail it. */
  onStale: 'retry' | 'fail';
  /** Seconds to wait before a retry after a failure, by attempt number (1-based). */
  retryDelaySeconds?: (attempt: number) => number;
  run(ctx: JobContext<z.output<S>>): Promise<void>;
}

export type JobCatalog = ReadonlyMap<string, JobKindDefinition>;

/**
 * A job kind Striker's runner does not run (a host's agent does: the agent area's host kinds):
 * not in the catalog, but listed and titled with the rest.
 */
export interface HostJobKindTitle {
  kind: string;
  title: string;
  maxAttempts: number;
  onStale: 'retry' | 'fail';
}

export function defineJobKind<S extends z.ZodType>(def: JobKindDefinition<S>): JobKindDefinition {
  return def as unknown as JobKindDefinition;
}

export function catalogOf(defs: readonly JobKindDefinition[]): JobCatalog {
  const map = new Map<string, JobKindDefinition>();
  for (const d of defs) {
    if (map.has(d.kind)) throw new Error(`job kind ${d.kind} is defined twice`);
    map.set(d.kind, d);
  }
  return map;
}

/** Why a job's signal was aborted. */
export type AbortReason = 'cancel' | 'shutdown' | 'lost';

export class JobAbort extends Error {
  constructor(readonly reason: AbortReason) {
    super(reason === 'cancel' ? 'cancelled by an operator' : reason === 'shutdown' ? 'Striker is shutting down' : 'the job was taken from this worker');
    this.name = 'JobAbort';
  }
}
