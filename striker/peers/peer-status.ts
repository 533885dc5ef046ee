/**
 * Each peer as the Strikers page and /api/health show it: reachable or not, how far behind, the
 * last error, unresolved conflicts that involve it, and whether a re-seed is needed and on which
 * side. Pure: it combines the peers table with the replication core's status.
 */
import type { PeerRow } from './peer-store.js';
import type { SlotState, SubscriptionState } from './peer-replication.js';

export type PeerState =
  /** Changes flow from the peer. */
  | 'replicating'
  /** Changes flow, but some tables are still in their initial copy from the peer: lag is the copy's. */
  | 'seeding'
  /** The subscription exists but no apply worker runs (peer down, starting, retrying). */
  | 'disconnected'
  /** The subscription was stopped by an error it cannot get past. */
  | 'error'
  /** This Striker's slot for the peer was lost (the peer was away too long): re-seed the peer. */
  | 'reseed-peer'
  /** The peer's slot for this Striker was lost: this Striker must re-seed from the peer. */
  | 'reseed-here'
  /** No subscription to the peer exists (removed by hand, or a failed re-seed). */
  | 'not-subscribed';

export interface PeerView {
  /** The peer's node name. */
  name: string;
  /** The peer's host name, as it told it when peered; null when it had none yet. */
  hostName: string | null;
  address: string;
  state: PeerState;
  connected: boolean;
  lagBytes: number | null;
  lagSeconds: number | null;
  lastError: string | null;
  unresolvedConflicts: number;
  /** The slot the peer's subscription holds on this Striker. */
  slot: { walStatus: string | null; active: boolean; retainedBytes: number; safeWalSizeBytes: number | null } | null;
  seededFromPeer: boolean;
  createdAt: Date;
}

export function peerViews(args: {
  local: string;
  peers: readonly PeerRow[];
  subscriptions: readonly SubscriptionState[];
  slots: readonly SlotState[];
  conflicts: ReadonlyMap<string, number>;
  slotName: (subscriber: string, publisher: string) => string;
}): PeerView[] {
  return args.peers.map((p) => {
    const sub = args.subscriptions.find((s) => s.peer === p.id);
    const slot = args.slots.find((s) => s.slot === args.slotName(p.id, args.local));
    const state: PeerState =
      slot?.walStatus === 'lost'
        ? 'reseed-peer'
        : sub?.peerSlotStatus === 'lost'
          ? 'reseed-here'
          : sub === undefined
            ? 'not-subscribed'
            : !sub.enabled
              ? 'error'
              : sub.workerRunning
                ? (sub.tablesCopying ?? 0) > 0
                  ? 'seeding'
                  : 'replicating'
                : 'disconnected';
    return {
      name: p.id,
      hostName: p.hostName,
      address: p.address,
      state,
      connected: sub?.workerRunning ?? false,
      lagBytes: sub?.lagBytes ?? null,
      lagSeconds: sub?.lagSeconds ?? null,
      lastError: sub?.lastError ?? p.lastError,
      unresolvedConflicts: args.conflicts.get(p.id) ?? 0,
      slot: slot ? { walStatus: slot.walStatus, active: slot.active, retainedBytes: slot.retainedBytes, safeWalSizeBytes: slot.safeWalSizeBytes } : null,
      seededFromPeer: p.seededFromPeer,
      createdAt: p.createdAt,
    };
  });
}
