/**
 * This Striker and its peers, for the Strikers page, `striker peers list` and /api/health: the
 * peers table, the replication core's status and the unresolved conflicts, combined by peer-status.
 * This Striker is named for people by the identity the setup wizard stored (its host name and its
 * networks' addresses); `name` is the replication node id and `address` the URL peers reach it at.
 */
import { loadIdentity } from '../setup/index.js';
import type { PeeringDeps } from './actions.js';
import { listPeers, localNodeName, unresolvedConflictsByOrigin } from './peer-store.js';
import { peerViews, type PeerView } from './peer-status.js';

export interface PeersOverview {
  self: {
    /** The replication node id (`s` + 12 hex digits). */
    name: string;
    /** The URL peers use to reach this Striker's API. */
    address: string;
    keyId: string;
    /** The host name set in the setup wizard; null before the wizard is finished. */
    hostName: string | null;
    /** This Striker's address on each network, from the setup wizard: IFN first, then BCN, SN, MN. */
    networks: { network: 'ifn' | 'bcn' | 'sn' | 'mn'; address: string }[];
  };
  peers: PeerView[];
  unresolvedConflicts: number;
}

export async function peersOverview(deps: Pick<PeeringDeps, 'db' | 'keys' | 'replication' | 'self'>): Promise<PeersOverview> {
  const { db } = deps;
  const [local, peers, status, conflicts, stored] = await Promise.all([localNodeName(db), listPeers(db), deps.replication.status(db), unresolvedConflictsByOrigin(db), loadIdentity(db)]);
  const unresolved = (await deps.replication.conflicts(db, { unresolvedOnly: true, limit: 100_000 })).length;
  const nets = stored?.identity.networks;
  return {
    self: {
      name: local,
      address: deps.self().address,
      keyId: deps.keys.keyring().current,
      hostName: stored?.identity.hostName ?? null,
      networks: nets === undefined ? [] : (['ifn', 'bcn', 'sn', 'mn'] as const).map((network) => ({ network, address: nets[network].address })),
    },
    peers: peerViews({ local, peers, subscriptions: status.subscriptions, slots: status.slots, conflicts, slotName: deps.replication.slotName }),
    unresolvedConflicts: unresolved,
  };
}
