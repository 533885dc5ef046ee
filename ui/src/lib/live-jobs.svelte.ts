/**
 * The live jobs of every page: ONE EventSource on /api/jobs/events (`event: job`, a JobView as
 * JSON, on every change), opened when the first page follows it and closed a few seconds after
 * the last one stops (so going from page to page keeps the same stream). Every view of a job — the feed, a page's list, an action's answer — goes through
 * `put`, which applies the one merge rule (job-merge.ts), so a page never shows progress going
 * backwards or a finished job running again.
 *
 * When the stream drops, the store closes it and opens a new one after a back-off (1 s doubling
 * to 30 s, reset once a stream opens); `state` says `live` or `reconnecting` for the LiveBadge.
 * Followers are told on every (re)open, so they can read their lists again for what the feed
 * could not tell while it was away.
 */
import { checkSession } from './api';
import type { LiveJob } from './api-types';
import { mergeJob, type JobState } from './job-merge.js';

export type FeedState = 'idle' | 'connecting' | 'live' | 'reconnecting';

export interface Follower {
  /** A job changed; `job` is what is shown now (after the merge rule), `before` what was. */
  onJob?: (job: LiveJob, before: LiveJob | undefined) => void;
  /** The stream opened (first time or after a drop). */
  onOpen?: () => void;
}

const EVENTS_URL = '/api/jobs/events';
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** How long the stream stays open after the last follower left, so moving between pages keeps it. */
const LINGER_MS = 5_000;

class LiveJobs {
  state = $state<FeedState>('idle');
  /** Every job seen, by id, as shown. */
  jobs = $state<Record<string, LiveJob>>({});

  #followers = new Set<Follower>();
  #source: EventSource | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #linger: ReturnType<typeof setTimeout> | undefined;

  get(id: string): LiveJob | undefined {
    return this.jobs[id];
  }

  /** Merges one view of a job (from a list, an answer or the feed); returns what is shown now. */
  put(job: LiveJob): LiveJob {
    const known = this.jobs[job.id];
    const shown = mergeJob(known, job);
    if (shown !== known) this.jobs[job.id] = shown;
    return this.jobs[job.id]!;
  }

  /**
   * What to show for a view a page read (its list, a repo's latest job): the merge rule applied
   * to it and what the store holds. Reads only, so a page may call it while deriving.
   */
  view<T extends JobState & { id: string }>(job: T): T | LiveJob {
    const known = this.jobs[job.id];
    return known === undefined ? job : mergeJob<JobState>(known, job) as T | LiveJob;
  }

  /** Follows the feed until the returned function is called; the first follower opens it. */
  follow(follower: Follower = {}): () => void {
    this.#followers.add(follower);
    clearTimeout(this.#linger);
    this.#linger = undefined;
    if (this.state === 'idle') this.#open();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#followers.delete(follower);
      if (this.#followers.size === 0) this.#linger = setTimeout(() => this.#close(), LINGER_MS);
    };
  }

  #open(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.state === 'idle') this.state = 'connecting';
    const source = new EventSource(EVENTS_URL);
    this.#source = source;
    source.addEventListener('open', () => {
      if (this.#source !== source) return;
      this.state = 'live';
      this.#retryMs = FIRST_RETRY_MS;
      for (const f of [...this.#followers]) f.onOpen?.();
    });
    source.addEventListener('job', (event) => {
      if (this.#source !== source) return;
      let job: LiveJob;
      try {
        job = JSON.parse((event as MessageEvent<string>).data) as LiveJob;
      } catch {
        return;
      }
      const before = this.jobs[job.id];
      const shown = this.put(job);
      if (shown === before) return;
      for (const f of [...this.#followers]) f.onJob?.(shown, before);
    });
    source.addEventListener('error', () => {
      if (this.#source !== source) return;
      // Close it and open a new one ourselves: the browser gives up for good on an error status,
      // and its own retry has no back-off.
      source.close();
      this.#source = null;
      this.state = 'reconnecting';
      void checkSession();
      const wait = this.#retryMs;
      this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
      this.#retry = setTimeout(() => this.#open(), wait);
    });
  }

  #close(): void {
    this.#linger = undefined;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#source?.close();
    this.#source = null;
    this.#retryMs = FIRST_RETRY_MS;
    this.state = 'idle';
  }
}

export const liveJobs = new LiveJobs();
