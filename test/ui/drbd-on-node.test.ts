/**
 * The pair page's DRBD table (ui/src/lib/anvils.ts, drbdOnNode): a node's `drbd.*` readings, as
 * the DRBD scan agent makes them from the published drbdsetup samples, grouped by resource.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drbdOnNode } from '../../ui/src/lib/anvils.js';
import { drbdReadings } from '../../cluster/scancore/agents/drbd-agent.js';
import { parseDrbdStatus } from '../../cluster/scancore/parsers/drbd.js';

const sample = (name: string) => drbdReadings(parseDrbdStatus(readFileSync(new URL(`../fixtures/scancore/drbd/${name}`, import.meta.url), 'utf8')));

describe('drbdOnNode', () => {
  it('groups a resource syncing to its peer, with how much is in sync, and calls it a warning', () => {
    expect(drbdOnNode(sample('status-sync-source.json'))).toEqual([
      { resource: '1-single-0', role: 'Primary', disks: ['0: UpToDate'], peers: [{ peer: 'SLE15-sp1-gm-drbd1145296-node1', connection: 'Connected', replication: ['0: SyncSource (37.5 % in sync)'] }], status: 'warning' },
    ]);
  });

  it('shows established resources as ok, each by name, without the in-sync figure', () => {
    const resources = drbdOnNode(sample('status-published.json'));
    expect(resources.map((r) => [r.resource, r.role, r.status])).toEqual([['1-single-0', 'Secondary', 'ok'], ['1-single-1', expect.any(String), expect.any(String)]]);
    expect(resources[0]!.peers[0]!.replication).toEqual(['0: Established']);
  });

  it('is empty for a node with no DRBD readings', () => {
    expect(drbdOnNode([{ agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value: 6000, status: 'ok' }])).toEqual([]);
  });
});
