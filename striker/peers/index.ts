/**
 * The peers area's public surface: peering this Striker with others (add, list, remove,
 * re-seed), the site key's rotation, settling replication conflicts, and the area as
 * `striker serve` carries it.
 */
export { addPeer, authenticatePeer, peerCallLinks, removePeer, reseedFromPeer, reseedPeer, rotateKeys, type PeeringDeps } from './actions.js';
export { resolveConflict, type ConflictRecord } from './conflict-actions.js';
export { conflictView } from './conflict-view.js';
export { peersArea, type PeersArea } from './peers-area.js';
export { peersOverview, type PeersOverview } from './peers-overview.js';
export { peersConfigSchema, type PeersConfig } from './peers-config.js';
export { peerSecrets } from './peer-store.js';
export { selfLink } from './peer-link.js';
export type { PeerReplication, SlotState, SubscriptionState } from './peer-replication.js';
export type { PeerState, PeerView } from './peer-status.js';
export type { RotationResult } from './secret-rotation.js';
export { checkKeyringHoldsSealingKeys } from './keyring-check.js';
