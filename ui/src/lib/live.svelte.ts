/**
 * The live channel of every page: ONE EventSource per tab on `/api/live?topics=...` (each change
 * an `event: change` with `{"topic","key"}`), carrying the union of the topics the open pages
 * follow. A page follows topics and reads again what it shows when one of them changes; nothing
 * polls. When a page needs a topic the open stream does not carry, the stream is opened again
 * with the new union; when the last page stops following, it closes a few seconds later (so
 * moving between pages keeps it).
 *
 * When the stream drops, it is opened again after a back-off (1 s doubling to 30 s, reset once a
 * stream opens); `state` says `live` or `reconnecting` for the LiveBadge. On a re-open (and on the
 * server's `event: resync`) every follower reads again, for what the channel could not tell while
 * it was away.
 *
 * The `jobs` topic also carries each job's content (`event: job`, a JobView: status, progress,
 * message) on every change; the live-jobs store (live-jobs.svelte.ts) follows it with `onJob`
 * and is where pages read jobs from.
 */
import { checkSession } from './api';
import type { LiveChangeEvent, LiveJob, LiveTopic } from './api-types';

export type LiveState = 'idle' | 'connecting' | 'live' | 'reconnecting';

interface Follower {
  topics: ReadonlySet<LiveTopic>;
  onChange: (change: LiveChangeEvent | null) => void;
  /** Whether this follower has seen the stream open (a later open means it may have missed changes). */
  seenOpen: boolean;
  handlers: FollowHandlers;
}

export interface FollowHandlers {
  /** The stream opened (the first time, or again after a drop or a change of topics). */
  onOpen?: () => void;
  /** A job changed (only with the `jobs` topic): its view as the server read it. */
  onJob?: (job: LiveJob) => void;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
const LINGER_MS = 5_000;

class LiveChannel {
  state = $state<LiveState>('idle');

  #followers = new Set<Follower>();
  #source: EventSource | null = null;
  #sourceTopics = new Set<LiveTopic>();
  #retry: ReturnType<typeof setTimeout> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #linger: ReturnType<typeof setTimeout> | undefined;
  #reopenQueued = false;

  /**
   * Calls `onChange` with each change to these topics (and with `null` when changes may have been
   * missed: read everything again) until the returned function is called.
   */
  follow(topics: readonly LiveTopic[], onChange: (change: LiveChangeEvent | null) => void, handlers: FollowHandlers = {}): () => void {
    const follower: Follower = { topics: new Set(topics), onChange, seenOpen: this.state === 'live', handlers };
    this.#followers.add(follower);
    clearTimeout(this.#linger);
    this.#linger = undefined;
    if (topics.some((t) => !this.#sourceTopics.has(t)) || this.#source === null) this.#queueOpen();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#followers.delete(follower);
      if (this.#followers.size === 0) this.#linger = setTimeout(() => this.#close(), LINGER_MS);
    };
  }

  /**
   * Follows topics with a page's reader: `read` runs after a change (those `filter` accepts), at
   * most one at a time; changes that arrive while it runs make it run once more when it ends.
   */
  refresh(topics: readonly LiveTopic[], read: () => Promise<unknown>, filter: (change: LiveChangeEvent) => boolean = () => true): () => void {
    let running = false;
    let again = false;
    const run = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          await read().catch(() => {});
        } while (again);
      } finally {
        running = false;
      }
    };
    return this.follow(topics, (change) => {
      if (change === null || filter(change)) void run();
    });
  }

  /** Several pages following in the same tick open one stream. */
  #queueOpen(): void {
    if (this.#reopenQueued) return;
    this.#reopenQueued = true;
    queueMicrotask(() => {
      this.#reopenQueued = false;
      if (this.#followers.size > 0) this.#open();
    });
  }

  #open(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const topics = new Set<LiveTopic>();
    for (const f of this.#followers) for (const t of f.topics) topics.add(t);
    this.#source?.close();
    if (this.state === 'idle') this.state = 'connecting';
    const source = new EventSource(`/api/live?topics=${[...topics].sort().join(',')}`);
    this.#source = source;
    this.#sourceTopics = topics;
    source.addEventListener('open', () => {
      if (this.#source !== source) return;
      this.state = 'live';
      this.#retryMs = FIRST_RETRY_MS;
      for (const f of [...this.#followers]) {
        if (f.seenOpen) f.onChange(null);
        f.seenOpen = true;
        f.handlers.onOpen?.();
      }
    });
    source.addEventListener('job', (event) => {
      if (this.#source !== source) return;
      let job: LiveJob;
      try {
        job = JSON.parse((event as MessageEvent<string>).data) as LiveJob;
      } catch {
        return;
      }
      for (const f of [...this.#followers]) if (f.topics.has('jobs')) f.handlers.onJob?.(job);
    });
    source.addEventListener('change', (event) => {
      if (this.#source !== source) return;
      let change: LiveChangeEvent;
      try {
        change = JSON.parse((event as MessageEvent<string>).data) as LiveChangeEvent;
      } catch {
        return;
      }
      for (const f of [...this.#followers]) if (f.topics.has(change.topic)) f.onChange(change);
    });
    source.addEventListener('resync', () => {
      if (this.#source !== source) return;
      for (const f of [...this.#followers]) f.onChange(null);
    });
    source.addEventListener('error', () => {
      if (this.#source !== source) return;
      // Close it and open a new one ourselves: the browser gives up for good on an error status
      // (a 401, a 429), and its own retry has no back-off.
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
    this.#sourceTopics = new Set();
    this.#retryMs = FIRST_RETRY_MS;
    this.state = 'idle';
  }
}

export const live = new LiveChannel();
