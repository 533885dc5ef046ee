/**
 * The live channel's source: changes announced on NOTIFY `striker_live` (migration 0023's
 * `striker_notify_live` and the triggers of migration 0028), fanned out to the subscribers of
 * each change's topic. The payload names what changed, never its content, so nothing is read
 * here: a page that follows a topic reads what it shows again. Reconnects as JobEvents does:
 * a lost LISTEN connection is opened again a second later, and subscribers are told
 * (`onReconnect`) so they can read again what they may have missed while it was away.
 */
import type { Logger } from 'pino';
import type { Database, DbListener } from '../db/database.js';
import { decodeLiveChange, type LiveChange, type LiveTopic } from './live-topics.js';

export const LIVE_CHANNEL = 'striker_live';

export interface LiveSubscriber {
  topics: ReadonlySet<LiveTopic>;
  onChange: (change: LiveChange) => void;
  /** The LISTEN connection was lost and is back: changes in between were not seen. */
  onReconnect?: () => void;
}

export class LiveEvents {
  private listener: DbListener | undefined;
  private readonly subscribers = new Set<LiveSubscriber>();
  private closed = false;
  private lost = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database, private readonly logger: Logger, private readonly reconnectMs = 1000) {}

  async start(): Promise<void> {
    let listener: DbListener | undefined;
    listener = await this.db.listen(
      LIVE_CHANNEL,
      (payload) => this.onNotification(payload),
      (error) => {
        if (listener === undefined || this.listener !== listener) return; // not started, closed or replaced
        this.logger.warn({ err: error }, 'live event connection lost; reconnecting');
        this.listener = undefined;
        this.lost = true;
        this.scheduleReconnect();
      },
    );
    if (this.closed) {
      listener.close();
      return;
    }
    this.listener = listener;
    if (this.lost) {
      this.lost = false;
      for (const s of [...this.subscribers]) s.onReconnect?.();
    }
  }

  subscribe(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  get connected(): boolean {
    return this.listener !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.subscribers.clear();
    const l = this.listener;
    this.listener = undefined;
    l?.close();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.start().catch(() => this.scheduleReconnect());
    }, this.reconnectMs);
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
