/**
 * What peering needs from the replication core (striker/db/replication): the publication, one
 * subscription per peer, and their state. striker/app hands the core's functions over as this
 * interface, so the peering flow is written once against it.
 */
import type { Database, DbWriter } from '../db/database.js';
import type { ConflictRow } from '../db/replication/index.js';

export interface SubscriptionState {
  /** The peer's node name. */
  peer: string;
  enabled: boolean;
  /** An apply worker is running for it (connected to the peer). */
  workerRunning: boolean;
  /** Tables still in their initial copy from the peer (absent: not known). */
  tablesCopying?: number;
  lagBytes: number | null;
  lagSeconds: number | null;
  /** This Striker's slot on the peer: 'lost' means this Striker must re-seed from it. */
  peerSlotStatus: string | null;
  lastError: string | null;
}

export interface SlotState {
  slot: string;
  active: boolean;
  retainedBytes: number;
  /** reserved, extended, unreserved or lost (lost: that subscriber must be re-seeded). */
  walStatus: string | null;
  safeWalSizeBytes: number | null;
}

export interface PeerReplication {
  ensurePublication(db: Database): Promise<void>;
  /** Subscribes to `peer`'s publication; `copyData` only on the side being seeded. */
  subscribe(db: Database, args: { peer: string; connectionString: string; copyData: boolean }): Promise<void>;
  /** Drops the subscription to `peer` (and, while the peer answers, its slot there). */
  unsubscribe(db: Database, peer: string): Promise<void>;
  status(db: Database): Promise<{ subscriptions: SubscriptionState[]; slots: SlotState[] }>;
  /** Enables the subscription to `peer` again (one stopped while the peer was away). */
  resume(db: Database, peer: string): Promise<void>;
  /** The slot `subscriber`'s subscription holds on `publisher`'s database. */
  slotName(subscriber: string, publisher: string): string;
  conflicts(db: Database, options: { unresolvedOnly: boolean; limit: number }): Promise<ConflictRecord[]>;
  markResolved(db: DbWriter, id: string, resolution: 'kept' | 'restored-discarded', by: string): Promise<boolean>;
  /** The tables that replicate (a discarded version may be restored into these only). */
  replicatedTables(): readonly string[];
}

/** A row of the replication core's `conflicts` table. */
export type ConflictRecord = ConflictRow;

/** A postgres:// URL for a peer's replication role (the values are checked shapes: no escaping surprises). */
export function connectionString(link: { host: string; port: number; name: string; user: string; password: string }): string {
  const host = link.host.includes(':') && !link.host.startsWith('[') ? `[${link.host}]` : link.host;
  return `postgres://${encodeURIComponent(link.user)}:${encodeURIComponent(link.password)}@${host}:${link.port}/${encodeURIComponent(link.name)}?connect_timeout=10`;
}
