/**
 * The live channel's source: changes announced on NOTIFY `striker_live` (migration 0023's
 * `striker_notify_live` and the triggers of migration 0028), fanned out to the subscribers of
 * each change's topic. The payload names what changed, never its content, so nothing is read
 * here: a page that follows a topic reads what it shows again. The LISTEN is the process's shared
 * NotifyListener when one is given (else one of its own): a lost connection is opened again a
 * second later, and subscribers are told (`onReconnect`) so they can read again what they may
 * have missed while it was away.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { decodeLiveChange, type LiveChange, type LiveTopic } from './live-topics.js';
import { NotifyListener } from './notify-listener.js';

export const LIVE_CHANNEL = 'striker_live';

export interface LiveSubscriber {
  topics: ReadonlySet<LiveTopic>;
  onChange: (change: LiveChange) => void;
  /** The LISTEN connection was lost and is back: changes in between were not seen. */
  onReconnect?: () => void;
}

export class LiveEvents {
  private readonly notify: NotifyListener;
  private readonly ownsNotify: boolean;
  private stopListening: (() => void)[] = [];
  private readonly subscribers = new Set<LiveSubscriber>();
  private closed = false;

  constructor(db: Database, private readonly logger: Logger, notify?: NotifyListener) {
    this.ownsNotify = notify === undefined;
    this.notify = notify ?? new NotifyListener(db, logger, [LIVE_CHANNEL]);
  }

  async start(): Promise<void> {
    if (this.closed) return;
    if (this.stopListening.length === 0) {
      this.stopListening = [
        this.notify.on(LIVE_CHANNEL, (payload) => this.onNotification(payload)),
        this.notify.onReconnect(() => {
          for (const s of [...this.subscribers]) s.onReconnect?.();
        }),
      ];
    }
    await this.notify.start();
  }

  subscribe(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  get connected(): boolean {
    return this.notify.connected;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    for (const stop of this.stopListening) stop();
    if (this.ownsNotify) await this.notify.close();
  }

  private onNotification(payload: string | undefined): void {
    const change = decodeLiveChange(payload);
    if (change === undefined) {
      this.logger.debug({ payload }, 'live event not understood; dropped');
      return;
    }
    for (const s of [...this.subscribers]) {
      if (s.topics.has(change.topic)) s.onChange(change);
    }
  }
}
