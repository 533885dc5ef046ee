import { describe, expect, it } from 'vitest';
import type { PeerRow } from './peer-store.js';
import { peerViews, type PeerState } from './peer-status.js';
import type { SlotState, SubscriptionState } from './peer-replication.js';

const peer = (id: string): PeerRow => ({
  id, hostName: null, address: `https://${id}/`, dbHost: 'h', dbPort: 5432, dbName: 'striker', dbUser: `striker_peer_x`, dbPassword: 'sk1.x', localRole: `striker_peer_${id}`,
  peerToken: 'sk1.y', seededFromPeer: false, lastError: null, createdAt: new Date(0), modifiedAt: new Date(0),
});
const sub = (p: string, over: Partial<SubscriptionState> = {}): SubscriptionState => ({ peer: p, enabled: true, workerRunning: true, lagBytes: 0, lagSeconds: 0, peerSlotStatus: 'reserved', lastError: null, ...over });
const slot = (subscriber: string, walStatus: string): SlotState => ({ slot: `striker_${subscriber}_from_me`, active: false, retainedBytes: 10, walStatus, safeWalSizeBytes: null });
const slotName = (subscriber: string, publisher: string) => `striker_${subscriber}_from_${publisher}`;

function stateOf(subscriptions: SubscriptionState[], slots: SlotState[] = []): PeerState {
  return peerViews({ local: 'me', peers: [peer('b')], subscriptions, slots, conflicts: new Map([['b', 3]]), slotName })[0]!.state;
}

describe('peer state', () => {
  it.each<[string, SubscriptionState[], SlotState[], PeerState]>([
    ['changes flow', [sub('b')], [slot('b', 'reserved')], 'replicating'],
    ['still copying tables from the peer', [sub('b', { tablesCopying: 3 })], [slot('b', 'reserved')], 'seeding'],
    ['no apply worker', [sub('b', { workerRunning: false })], [], 'disconnected'],
    ['stopped by an error', [sub('b', { enabled: false, workerRunning: false })], [], 'error'],
    ['our slot for the peer lost', [sub('b')], [slot('b', 'lost')], 'reseed-peer'],
    ['our slot on the peer lost', [sub('b', { peerSlotStatus: 'lost', enabled: false })], [], 'reseed-here'],
    ['no subscription', [sub('c')], [], 'not-subscribed'],
  ])('%s', (_what, subs, slots, expected) => {
    expect(stateOf(subs, slots)).toBe(expected);
  });

  it('carries lag, errors, conflicts and the slot', () => {
    const [v] = peerViews({ local: 'me', peers: [peer('b')], subscriptions: [sub('b', { lagBytes: 4096, lagSeconds: 1.5, lastError: 'boom' })], slots: [slot('b', 'unreserved')], conflicts: new Map([['b', 3]]), slotName });
    expect(v).toMatchObject({ name: 'b', connected: true, lagBytes: 4096, lagSeconds: 1.5, lastError: 'boom', unresolvedConflicts: 3, slot: { walStatus: 'unreserved', retainedBytes: 10 } });
  });
});
