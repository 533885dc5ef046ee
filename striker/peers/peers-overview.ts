/**
 * This Striker and its peers, for the Strikers page, `striker peers list` and /api/health: the
 * peers table, the replication core's status and the unresolved conflicts, combined by peer-status.
 */
import type { PeeringDeps } from './actions.js';
import { listPeers, localNodeName, unresolvedConflictsByOrigin } from './peer-store.js';
import { peerViews, type PeerView } from './peer-status.js';

export interface PeersOverview {
  self: { name: string; address: string; keyId: string };
  peers: PeerView[];
  unresolvedConflicts: number;
}

export async function peersOverview(deps: Pick<PeeringDeps, 'db' | 'keys' | 'replication' | 'self'>): Promise<PeersOverview> {
  const { db } = deps;
  const [local, peers, status, conflicts] = await Promise.all([localNodeName(db), listPeers(db), deps.replication.status(db), unresolvedConflictsByOrigin(db)]);
  const unresolved = (await deps.replication.conflicts(db, { unresolvedOnly: true, limit: 100_000 })).length;
  return {
    self: { name: local, address: deps.self().address, keyId: deps.keys.keyring().current },
    peers: peerViews({ local, peers, subscriptions: status.subscriptions, slots: status.slots, conflicts, slotName: deps.replication.slotName }),
    unresolvedConflicts: unresolved,
  };
}
