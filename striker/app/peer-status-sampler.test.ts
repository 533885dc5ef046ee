/**
 * What counts as a change of a peer's status on the Strikers page: its state, connection, error
 * and conflicts, and its lag as the page shows it — not every byte of lag.
 */
import { describe, expect, it } from 'vitest';
import type { PeerView } from '../peers/index.js';
import { peerStatusSample } from './peer-status-sampler.js';

const peer: PeerView = {
  name: 'striker-b',
  hostName: 'an-striker02.alteeve.example',
  address: 'http://10.0.0.2:8080',
  state: 'replicating',
  connected: true,
  lagBytes: 1_234_000,
  lagSeconds: 2.2,
  lastError: null,
  unresolvedConflicts: 0,
  slot: null,
  seededFromPeer: false,
  createdAt: new Date('2026-01-01T00:00:00Z'),
};
const text = (p: Partial<PeerView>) => peerStatusSample([{ ...peer, ...p }]).get('striker-b');

describe('peerStatusSample', () => {
  it('changes when what the page shows changes', () => {
    for (const change of [{ connected: false, state: 'disconnected' as const }, { lastError: 'connection refused' }, { lagBytes: 1_300_000 }, { lagSeconds: 4 }, { lagBytes: null }, { unresolvedConflicts: 1 }]) {
      expect(text(change), JSON.stringify(change)).not.toBe(text({}));
    }
  });

  it('stays the same for lag that moves less than the page shows', () => {
    expect(text({ lagBytes: 1_236_999, lagSeconds: 2.4 })).toBe(text({}));
  });

  it('keys each peer by name', () => {
    expect([...peerStatusSample([peer, { ...peer, name: 'striker-c' }]).keys()]).toEqual(['striker-b', 'striker-c']);
  });
});
