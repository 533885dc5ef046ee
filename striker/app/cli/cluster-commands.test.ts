/**
 * `striker cluster status [anvil]` and `striker cluster node <action> <node>` in process against a
 * test database holding two nodes' reports (built from the lab's captured outputs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectClusterReport } from '../../../cluster/ops/cluster-collector.js';
import { saveClusterReport } from '../../../cluster/ops/cluster-report-store.js';
import type { CommandRunner } from '../../core/command/run-command.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../../test/support/test-database.js';
import { buildProgram } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-cli-cluster-'));
const fixture = (path: string) => readFileSync(new URL(`../../../cluster/fixtures/${path}`, import.meta.url), 'utf8');
let t: TestDatabase;

async function striker(...args: string[]): Promise<string> {
  const out: string[] = [];
  const program = buildProgram(
    {
      env: { STRIKER_DATABASE__URLS: JSON.stringify([t.url]), STRIKER_DATA_DIR: join(dir, 'var') },
      stdout: (s) => void out.push(s),
      stderr: (s) => void out.push(s),
      readStdin: async () => '',
      makeLogger: () => quietLogger,
      runServe: async () => 0, runAgent: async () => 0,
    },
    () => undefined,
  );
  await program.parseAsync(['node', 'striker', ...args]);
  return out.join('');
}

async function report(node: string, crmMon: string) {
  const run: CommandRunner = async (argv) => {
    const out: Record<string, string> = { crm_node: node, crm_mon: crmMon, 'corosync-cfgtool': fixture('corosync/cfgtool-mn-down.txt'), stonith_admin: fixture('crm_mon/stonith-history-node1.xml'), cibadmin: '<cib><configuration/></cib>' };
    return { argv, exitCode: 0, stdout: out[argv[0]!] ?? '', stderr: '', durationMs: 1 };
  };
  return (await collectClusterReport({ run, readFile: async () => 'cluster_name: labcl', hostName: node, timeoutMs: 1000 }))!;
}

beforeAll(async () => {
  t = await createTestDatabase();
  const standby = fixture('crm_mon/two-nodes-online.xml').replace('name="node2" id="2" online="true" standby="false"', 'name="node2" id="2" online="true" standby="true"');
  await saveClusterReport(t.db, '52-54-00-00-cf-11', await report('node1', standby), Date.now());
  await saveClusterReport(t.db, '52-54-00-00-cf-12', await report('node2', standby), Date.now() - 1000);
}, 60_000);

afterAll(async () => {
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('striker cluster', () => {
  it('status lists the pairs; status <anvil> shows nodes, links, resources and fencing', async () => {
    expect(await striker('cluster', 'status')).toMatch(/^labcl {2}quorate {2}servers 1\/1 running {2}failed actions 0 {2}\(\d+ s old\)\n {4}node1 {2}online\n {4}node2 {2}standby\n$/);
    const one = await striker('cluster', 'status', 'labcl');
    expect(one).toContain('      link 1 198.18.2.2  node1 disconnected');
    expect(one).toContain('  resource dummy (ocf:pacemaker:Dummy)  on node1');
    expect(one).toContain('  fenced node1 (reboot) success by node2 2026-12-06 11:54:13Z');
  });

  it('node withdraw refuses to stop the servers\' last healthy node, naming why', async () => {
    await expect(striker('cluster', 'node', 'withdraw', 'node1')).rejects.toThrow('node1 is the last node able to run server dummy: node2 cannot take it because it is in standby');
    await expect(striker('cluster', 'node', 'explode', 'node1')).rejects.toThrow(/action/);
    await expect(striker('cluster', 'node', 'join', 'node7')).rejects.toThrow('no pair has reported a node named node7');
  });
});
