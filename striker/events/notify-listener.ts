/**
 * The one LISTEN connection of a Striker process: every NOTIFY channel the live channel and the
 * job events need, on one database connection, handed out by channel to whoever subscribed.
 *
 * A lost connection is opened again `reconnectMs` later (and again after each failed attempt);
 * once it is back, every `onReconnect` handler is told, since notifications sent while it was
 * away were not seen. `start` resolves once the first LISTEN is in place.
 */
import type { Logger } from 'pino';
import type { Database, DbListener } from '../db/database.js';

export type NotifyHandler = (payload: string | undefined) => void;

export class NotifyListener {
  private listener: DbListener | undefined;
  private readonly handlers = new Map<string, Set<NotifyHandler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private started: Promise<void> | undefined;
  private closed = false;
  private lost = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    readonly channels: readonly string[],
    private readonly reconnectMs = 1000,
  ) {}

  /** Opens the connection (once: later calls wait on the first). */
  start(): Promise<void> {
    this.started ??= this.connect();
    return this.started;
  }

  /** Calls `handler` with each payload NOTIFYed on `channel` (one of `channels`) until the returned function is called. */
  on(channel: string, handler: NotifyHandler): () => void {
    if (!this.channels.includes(channel)) throw new TypeError(`${channel} is not one of the channels listened on (${this.channels.join(', ')})`);
    let set = this.handlers.get(channel);
    if (set === undefined) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Calls `handler` each time the connection is back after being lost. */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  get connected(): boolean {
    return this.listener !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.handlers.clear();
    this.reconnectHandlers.clear();
    const l = this.listener;
    this.listener = undefined;
    l?.close();
  }

  private async connect(): Promise<void> {
    let listener: DbListener | undefined;
    listener = await this.db.listen(
      this.channels,
      (payload, channel) => {
        for (const h of [...(this.handlers.get(channel) ?? [])]) h(payload);
      },
      (error) => {
        if (listener === undefined || this.listener !== listener) return; // not started, closed or replaced
        this.logger.warn({ err: error }, 'NOTIFY connection lost; reconnecting');
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
      this.logger.info('NOTIFY connection back');
      for (const h of [...this.reconnectHandlers]) h();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.logger.debug({ err: error }, 'NOTIFY reconnect failed; trying again');
        this.scheduleReconnect();
      });
    }, this.reconnectMs);
  }
}
