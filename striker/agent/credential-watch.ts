/**
 * Whether agent credentials still hold, for held claims: a claim woken by a queued job checks its
 * credential again before claiming (it may have been revoked while the claim was held). A check
 * stays good for `cacheMs`. Revoking or replacing a credential NOTIFYs `striker_agent_credentials`
 * with its id (credential-store.ts), seen by every Striker on the database: the id leaves the cache
 * at once and the claims held with it are woken, so they answer 401 without waiting. A peer
 * Striker with its own database gets the revocation by replication, not the NOTIFY: its cached
 * check lapses within `cacheMs`. While the LISTEN connection is down, or with `cacheMs` 0, every
 * check asks the database.
 */
import type { Logger } from 'pino';
import type { Database, DbListener } from '../db/database.js';
import { credentialChannel, credentialHolds } from './credential-store.js';

export class CredentialWatch {
  /** Credential id → when it was last seen live (ms, `now`). */
  private readonly live = new Map<string, number>();
  private readonly onRevoke = new Map<string, Set<() => void>>();
  private listener: DbListener | undefined;
  /** Raised by every revocation seen: a check that began before one is not cached. */
  private revocations = 0;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly cacheMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async start(): Promise<void> {
    let listener: DbListener | undefined;
    listener = await this.db.listen(credentialChannel, (payload) => this.revoked(payload), (error) => {
      if (listener === undefined || this.listener !== listener) return;
      this.logger.warn({ err: error }, 'agent credential watch lost its connection; checking the database at every wake until it is back');
      this.listener = undefined;
      this.live.clear();
      this.scheduleReconnect();
    });
    if (this.closed) listener.close();
    else this.listener = listener;
  }

  /** Starts, or keeps trying in the background when the database does not answer. */
  startInBackground(): void {
    this.start().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'agent credential watch could not listen; retrying');
      this.scheduleReconnect();
    });
  }

  async holds(credentialId: string): Promise<boolean> {
    const caching = this.cacheMs > 0 && this.listener !== undefined;
    const seen = this.live.get(credentialId);
    if (caching && seen !== undefined && this.now() - seen < this.cacheMs) return true;
    const before = this.revocations;
    const holds = await credentialHolds(this.db, credentialId);
    if (holds && caching && this.revocations === before) this.live.set(credentialId, this.now());
    else this.live.delete(credentialId);
    return holds;
  }

  /** Calls `fn` when the credential is revoked or replaced; returns the unsubscribe. */
  whenRevoked(credentialId: string, fn: () => void): () => void {
    let set = this.onRevoke.get(credentialId);
    if (set === undefined) this.onRevoke.set(credentialId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.onRevoke.delete(credentialId);
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.listener?.close();
    this.listener = undefined;
    this.live.clear();
  }

  private revoked(payload: string | undefined): void {
    if (payload === undefined) return;
    this.revocations++;
    this.live.delete(payload);
    for (const fn of this.onRevoke.get(payload) ?? []) fn();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.start().catch(() => this.scheduleReconnect());
    }, 1000);
  }
}
