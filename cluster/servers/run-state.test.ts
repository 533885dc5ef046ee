import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { parseCrmMon } from '../crm-mon-parser.js';
import { followPacemaker, runStateOf } from './run-state.js';
import { getServer, insertServer, updateProvisioning } from './servers-store.js';

// Captured from the namespace pair (cluster/fixtures/crm_mon/README.md): nodes node1/node2, one
// resource `dummy`, here standing for the server srv01.
const fixture = (file: string) => readFileSync(new URL(`../fixtures/crm_mon/${file}`, import.meta.url), 'utf8').replaceAll('"dummy"', '"srv01"');
const bothOnline = fixture('two-nodes-online.xml');
const node1Fenced = fixture('live-node1-fenced.xml');
const srv01Line = /<resource id="srv01"[^>]*>\s*<node [^>]*\/>\s*<\/resource>/;
/** srv01 during a live migration: active on both nodes (the target after migrate_to, before the source's stop). */
const migrating = bothOnline.replace(srv01Line, '<resource id="srv01" resource_agent="ocf:striker:server" role="Started" active="true" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="2"><node name="node1" id="1" cached="true"/><node name="node2" id="2" cached="true"/></resource>');
const stopped = bothOnline.replace(srv01Line, '<resource id="srv01" resource_agent="ocf:striker:server" role="Stopped" active="false" orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" nodes_running_on="0"/>');
const failed = bothOnline.replace(srv01Line, '<resource id="srv01" resource_agent="ocf:striker:server" role="Started" active="true" orphaned="false" blocked="false" managed="true" failed="true" failure_ignored="false" nodes_running_on="1"><node name="node2" id="2" cached="true"/></resource>');
const noQuorum = stopped.replace('with_quorum="true"', 'with_quorum="false"');

describe('runStateOf (crm_mon fixtures)', () => {
  it.each([
    ['running on node1', bothOnline, null, { state: 'running', node: 'node1' }],
    ['running on node2 after node1 was fenced', node1Fenced, 'node1', { state: 'running', node: 'node2' }],
    ['migrating: shown on the node it ran on', migrating, 'node2', { state: 'migrating', node: 'node2' }],
    ['migrating, node not known yet: the first', migrating, null, { state: 'migrating', node: 'node1' }],
    ['stopped', stopped, 'node1', { state: 'stopped', node: null }],
    ['failed', failed, 'node1', { state: 'failed', node: 'node2' }],
  ] as const)('%s', (_what, xml, runningOn, expected) => {
    expect(runStateOf(parseCrmMon(xml), 'srv01', runningOn)).toEqual(expected);
  });

  it('a server the cluster has no resource for has no run state', () => {
    expect(runStateOf(parseCrmMon(bothOnline), 'srv02')).toBeUndefined();
  });
});

describe('followPacemaker', () => {
  let t: TestDatabase;
  const hosts = [
    { key: 'node1' as const, name: 'node1', hostId: '52-54-00-00-aa-01', snAddress: '10.101.10.1' },
    { key: 'node2' as const, name: 'node2', hostId: '52-54-00-00-aa-02', snAddress: '10.101.10.2' },
  ];
  const add = (name: string, minor: number) => insertServer(t.db, {
    id: randomUUID(), name, anvil: 'an-anvil-01', vcpus: 1, memoryMiB: 512, diskGiB: 4, installIso: null, driverIso: null, osVariant: 'rhel9.4',
    networks: [], hosts, drbdMinor: minor, drbdPort: 7788 + 3 * minor, preferredNode: 'node1', liveMigration: true,
  });
  const report = (node: string, xml: string) => ({ node, state: { value: parseCrmMon(xml) } });

  beforeAll(async () => {
    t = await createTestDatabase();
    await add('srv01', 0);
    await updateProvisioning(t.db, 'srv01', { step: 'done', state: 'starting' });
    await add('srv02', 1); // still provisioning: not followed
  });
  afterAll(async () => t.drop());

  it('follows where pacemaker runs the server, through a migration, a failover and a stop; each change announced', async () => {
    const seen: string[] = [];
    const listener = await t.db.listen('striker_live', (p) => { if (p) seen.push(p); }, () => undefined);
    try {
      expect(await followPacemaker(t.db, hosts[0]!.hostId, report('node1', bothOnline))).toEqual([{ name: 'srv01', state: 'running', node: 'node1' }]);
      expect(await getServer(t.db, 'srv01')).toMatchObject({ state: 'running', runningOn: 'node1' });
      // The same view again changes nothing.
      expect(await followPacemaker(t.db, hosts[1]!.hostId, report('node2', bothOnline))).toEqual([]);
      expect(await followPacemaker(t.db, hosts[0]!.hostId, report('node1', migrating))).toEqual([{ name: 'srv01', state: 'migrating', node: 'node1' }]);
      expect(await followPacemaker(t.db, hosts[1]!.hostId, report('node2', node1Fenced))).toEqual([{ name: 'srv01', state: 'running', node: 'node2' }]);
      expect(await followPacemaker(t.db, hosts[1]!.hostId, report('node2', failed))).toEqual([{ name: 'srv01', state: 'failed', node: 'node2' }]);
      expect(await followPacemaker(t.db, hosts[1]!.hostId, report('node2', stopped))).toEqual([{ name: 'srv01', state: 'stopped', node: null }]);
      expect(await getServer(t.db, 'srv02')).toMatchObject({ state: 'provisioning', runningOn: null });
      await expect.poll(() => seen.filter((p) => p.includes('"servers"') && p.includes('srv01')).length).toBeGreaterThanOrEqual(5);
    } finally {
      listener.close();
    }
  });

  it('changes nothing on a view without quorum, from a node that is not online in it, from an unread crm_mon, or from a host of no server', async () => {
    await followPacemaker(t.db, hosts[0]!.hostId, report('node1', bothOnline));
    const before = await getServer(t.db, 'srv01');
    expect(await followPacemaker(t.db, hosts[1]!.hostId, report('node2', noQuorum))).toEqual([]);
    expect(await followPacemaker(t.db, hosts[0]!.hostId, report('node1', node1Fenced))).toEqual([]);
    expect(await followPacemaker(t.db, hosts[0]!.hostId, { node: 'node1', state: { error: 'crm_mon: connection refused' } })).toEqual([]);
    expect(await followPacemaker(t.db, '52-54-00-00-bb-01', report('node1', stopped))).toEqual([]);
    expect(await getServer(t.db, 'srv01')).toMatchObject({ state: before.state, runningOn: before.runningOn });
  });
});
