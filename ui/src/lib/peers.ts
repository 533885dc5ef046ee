/** How a peer Striker is named and its replication state said, on every page that lists peers. */
import type { Peer } from './api-types.js';

export const peerStateText: Record<Peer['state'], string> = {
  replicating: 'replicating',
  seeding: 'copying its tables (seeding)',
  disconnected: 'not connected',
  error: 'stopped by an error',
  'reseed-peer': 're-seed this peer',
  'reseed-here': 're-seed this Striker from it',
  'not-subscribed': 'not subscribed',
};

/** A peer as people know it: its host name, or its node id when it told none when peered. */
export const peerLabel = (peer: Peer): string => peer.hostName ?? peer.name;
