/**
 * The live jobs of every page, carried by the one live channel (live.svelte.ts): while a page
 * follows, the store follows the `jobs` topic, whose `event: job` brings a job's view (status,
 * progress, message) on every change. Every view of a job — the channel, a page's list, an
 * action's answer — goes through `put`, which applies the one merge rule (job-merge.ts), so a
 * page never shows progress going backwards or a finished job running again.
 *
 * Followers are told on every (re)open of the channel, so they can read their lists again for
 * what it could not tell while it was away.
 */
import { live } from './live.svelte';
import type { LiveJob } from './api-types';
import { mergeJob, type JobState } from './job-merge.js';

export interface Follower {
  /** A job changed; `job` is what is shown now (after the merge rule), `before` what was. */
  onJob?: (job: LiveJob, before: LiveJob | undefined) => void;
  /** The channel opened (first time, after a drop, or again with more topics). */
  onOpen?: () => void;
}

class LiveJobs {
  /** Every job seen, by id, as shown. */
  jobs = $state<Record<string, LiveJob>>({});

  #followers = new Set<Follower>();
  #stop: (() => void) | undefined;

  get(id: string): LiveJob | undefined {
    return this.jobs[id];
  }

  /** Merges one view of a job (from a list, an answer or the channel); returns what is shown now. */
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

  /** Follows the jobs until the returned function is called; the first follower adds `jobs` to the channel. */
  follow(follower: Follower = {}): () => void {
    this.#followers.add(follower);
    this.#stop ??= live.follow(['jobs'], () => {}, {
      onOpen: () => {
        for (const f of [...this.#followers]) f.onOpen?.();
      },
      onJob: (job) => this.#arrived(job),
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#followers.delete(follower);
      if (this.#followers.size === 0) {
        this.#stop?.();
        this.#stop = undefined;
      }
    };
  }

  #arrived(job: LiveJob): void {
    const before = this.jobs[job.id];
    const shown = this.put(job);
    if (shown === before) return;
    for (const f of [...this.#followers]) f.onJob?.(shown, before);
  }
}

export const liveJobs = new LiveJobs();
