import { describe, expect, it } from 'vitest';
import { decideFencePeer, type FencePeerFacts } from './decide.js';

const base: FencePeerFacts = { localDisk: 'UpToDate', peerDisk: 'DUnknown', peerRole: 'Unknown', peerInCluster: 'online' };

describe('decideFencePeer', () => {
  it.each<[string, Partial<FencePeerFacts>, string, number]>([
    ['peer already Outdated', { peerDisk: 'Outdated' }, 'none', 3],
    ['peer Inconsistent', { peerDisk: 'Inconsistent', peerInCluster: 'unclean' }, 'none', 3],
    ['peer is primary', { peerRole: 'Primary' }, 'none', 6],
    ['peer online', {}, 'ban', 4],
    ['peer online, we are Consistent', { localDisk: 'Consistent' }, 'ban', 4],
    ['peer cleanly down', { peerInCluster: 'offline' }, 'ban', 7],
    ['peer unclean', { peerInCluster: 'unclean' }, 'power-fence-then-ban', 7],
    ['pacemaker not answering here', { peerInCluster: 'unknown' }, 'power-fence-then-ban', 7],
    ['peer unclean, we are only Consistent', { peerInCluster: 'unclean', localDisk: 'Consistent' }, 'none', 1],
    ['our disk Outdated', { localDisk: 'Outdated' }, 'none', 1],
    ['our disk Diskless', { localDisk: 'Diskless', peerInCluster: 'unclean' }, 'none', 1],
  ])('%s → %s, exit %i', (_what, facts, action, exitCode) => {
    const d = decideFencePeer({ ...base, ...facts });
    expect(d.action).toBe(action);
    expect(d.exitCode).toBe(exitCode);
    expect(d.reason.length).toBeGreaterThan(10);
  });
});
