import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../striker/core/command/command-error.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { anvilSummary, anvilView } from './anvil-view.js';
import { clusterNameOf, collectClusterReport } from './cluster-collector.js';
import { clusterReportSchema, type ClusterReport } from './cluster-report.js';
import type { StoredClusterReport } from './cluster-report-store.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const cib = `<cib><configuration><crm_config/><resources>
  <primitive id="fence-node1" class="stonith" type="fence_ipmilan"><instance_attributes id="a1">
    <nvpair id="a1-ip" name="ip" value="198.18.1.254"/><nvpair id="a1-pw" name="password" value="secret"/><nvpair id="a1-h" name="pcmk_host_list" value="node1"/>
  </instance_attributes></primitive></resources><constraints/></configuration></cib>`;

/** The lab's node2 (captured outputs) or a node whose pacemaker is stopped. */
function node(outputs: { crmMon?: string; cfgtool?: string; history?: string; name: string }): CommandRunner {
  return async (argv) => {
    const ok = (stdout: string) => ({ argv, exitCode: 0, stdout, stderr: '', durationMs: 1 });
    const down = () => { throw new CommandError({ argv, exitCode: 102, stdout: '', stderr: 'Connection to cluster failed', failure: 'exit', reason: 'exited with code 102' }); };
    switch (argv[0]) {
      case 'crm_node': return ok(`${outputs.name}\n`);
      case 'crm_mon': return outputs.crmMon === undefined ? down() : ok(outputs.crmMon);
      case 'corosync-cfgtool': return outputs.cfgtool === undefined ? down() : ok(outputs.cfgtool);
      case 'stonith_admin': return outputs.history === undefined ? down() : ok(outputs.history);
      case 'cibadmin': return ok(cib);
      default: throw new Error(`unexpected ${argv.join(' ')}`);
    }
  };
}

const conf = 'totem {\n    version: 2\n    cluster_name: labcl\n    transport: knet\n}\n';
const collect = (run: CommandRunner, hasConf = true) => collectClusterReport({ run, readFile: async () => (hasConf ? conf : undefined), hostName: 'fallback', timeoutMs: 1000 });

const now = Date.parse('2026-12-06T12:00:00Z');
const stored = (hostId: string, report: ClusterReport, ageSeconds: number): StoredClusterReport => ({
  anvilName: report.anvil, hostId, nodeName: report.node, report: clusterReportSchema.parse(report), receivedAt: new Date(now - ageSeconds * 1000),
});

describe('collectClusterReport', () => {
  it('reads every source of a running node, and the report passes the route schema', async () => {
    const report = (await collect(node({ name: 'node2', crmMon: fixture('crm_mon/two-nodes-online.xml'), cfgtool: fixture('corosync/cfgtool-mn-down.txt'), history: fixture('crm_mon/stonith-history-node1.xml') })))!;
    expect(clusterReportSchema.safeParse(report).success).toBe(true);
    expect(report.anvil).toBe('labcl');
    expect(report.node).toBe('node2');
    expect('value' in report.state && report.state.value.nodes.map((n) => n.name)).toEqual(['node1', 'node2']);
    expect('value' in report.fenceDevices && report.fenceDevices.value[0]).toMatchObject({ id: 'fence-node1', params: { ip: '198.18.1.254', pcmk_host_list: 'node1' } });
    expect(JSON.stringify(report)).not.toContain('secret');
  });

  it('reports each source that fails with its error, and nothing on a host with no corosync.conf', async () => {
    const report = (await collect(node({ name: 'node1' })))!;
    expect(report.state).toEqual({ error: expect.stringMatching(/^crm_mon .*Connection to cluster failed/) });
    expect('error' in report.links).toBe(true);
    expect(await collect(node({ name: 'node1' }), false)).toBeUndefined();
    expect(clusterNameOf('totem {\n  cluster_name: an-anvil-01\n}')).toBe('an-anvil-01');
  });
});

describe('anvilView', () => {
  it('takes the pair-wide state from the fresh report, links from each node, ages from each report', async () => {
    const n2 = (await collect(node({ name: 'node2', crmMon: fixture('crm_mon/mn-link-down.xml'), cfgtool: fixture('corosync/cfgtool-mn-down.txt'), history: fixture('crm_mon/stonith-history-node1.xml') })))!;
    const n1 = (await collect(node({ name: 'node1', crmMon: fixture('crm_mon/two-nodes-online.xml') })))!;
    const view = anvilView('labcl', [stored('52-54-00-00-00-01', n1, 400), stored('52-54-00-00-00-02', n2, 5)], now, 90_000);
    expect(view.source).toEqual({ node: 'node2', hostId: '52-54-00-00-00-02', receivedAt: '2026-12-06T11:59:55.000Z', ageSeconds: 5, stale: false });
    expect(view.quorate).toBe(true);
    const [v1, v2] = view.nodes;
    expect(v1).toMatchObject({ name: 'node1', status: 'online', hostId: '52-54-00-00-00-01', report: { ageSeconds: 400, stale: true } });
    expect(v1!.linksError).toContain('Connection to cluster failed');
    expect(v2!.links).toEqual([
      { linkId: 0, address: '198.18.1.2', peers: [{ node: 'node1', status: 'connected' }] },
      { linkId: 1, address: '198.18.2.2', peers: [{ node: 'node1', status: 'disconnected' }] },
    ]);
    expect(view.resources.filter((r) => r.server).map((r) => [r.id, r.nodes])).toEqual([['dummy', ['node1']]]);
    expect(view.fenceHistory).toMatchObject([{ target: 'node1', status: 'success', delegate: 'node2' }]);
    expect(anvilSummary(view)).toEqual({
      name: 'labcl', quorate: true, failedActions: 0, servers: { total: 1, running: 1 },
      source: { node: 'node2', receivedAt: '2026-12-06T11:59:55.000Z', ageSeconds: 5, stale: false },
      nodes: [{ name: 'node1', status: 'online' }, { name: 'node2', status: 'online' }],
    });
  });

  it('shows old state as stale and says why there is none when no node read crm_mon', async () => {
    const n2 = (await collect(node({ name: 'node2', crmMon: fixture('crm_mon/two-nodes-online.xml') })))!;
    expect(anvilView('labcl', [stored('52-54-00-00-00-02', n2, 600)], now, 90_000).source).toMatchObject({ ageSeconds: 600, stale: true });
    const down = (await collect(node({ name: 'node1' })))!;
    const view = anvilView('labcl', [stored('52-54-00-00-00-01', down, 1)], now, 90_000);
    expect(view.source).toBeUndefined();
    expect(view.stateError).toMatch(/^node1: crm_mon .*Connection to cluster failed/);
    expect(view.nodes).toMatchObject([{ name: 'node1', status: 'offline', report: { stale: false } }]);
    expect(anvilView('nothing', [], now, 90_000).stateError).toBe('no node of nothing has reported');
  });
});
