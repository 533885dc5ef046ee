/**
 * A real two-node corosync + pacemaker cluster in network namespaces (test/support/cluster-lab):
 * formed with pcs, fenced through fence_ipmilan to ipmi_sim BMCs whose power really stops and
 * boots a node. The scenarios run in sequence on one cluster:
 *
 * 1. both nodes online and quorate, both fence devices and a Dummy resource started;
 * 2. the MN link of node1 cut: corosync reports that link down, the cluster stays quorate on the BCN;
 * 3. node1's corosync killed: node2 fences node1 through its BMC (the BMC log shows power off), the
 *    resource starts on node2, node1 boots again (with a service of its own, in its namespaces) and rejoins;
 * 4. teardown leaves no namespace and none of the lab's processes.
 *
 * Every pass criterion is read from `crm_mon --output-as=xml`, `stonith_admin --history`,
 * `corosync-cfgtool -s` and the BMC's chassis log; waits are bounded polls, never timed assertions.
 * With `CAPTURE_FIXTURES=1` the crm_mon and stonith_admin outputs are written to
 * cluster/fixtures/crm_mon/ and node2's `corosync-cfgtool -s` (knet link status, both links up and
 * the MN link down) to cluster/fixtures/corosync/, for the cluster-state parser's tests.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { checkFenceParameters, FenceAgentCatalog } from '../../../striker/manifest/fence-agents/index.js';
import { BMC_BCN_ADDRESS, BMC_USER, ClusterLab, waitFor } from '../../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, fenceHistory, nodeOnline, runsOn, type CrmMonFacts } from '../../support/cluster-lab/crm-mon-facts.js';

const fixtureRoot = new URL('../../../cluster/fixtures/', import.meta.url).pathname;
let lab: ClusterLab;

/** crm_mon on a running node, parsed; the raw XML kept for fixtures. */
async function state(index: number): Promise<{ xml: string; facts: CrmMonFacts }> {
  const xml = (await lab.exec(index, ['crm_mon', '--output-as=xml'])).stdout;
  return { xml, facts: crmMonFacts(xml) };
}

async function waitForState(index: number, what: string, timeoutMs: number, holds: (f: CrmMonFacts) => boolean): Promise<{ xml: string; facts: CrmMonFacts }> {
  try {
    return await waitFor(what, timeoutMs, async () => {
      const s = await state(index);
      return holds(s.facts) ? s : false;
    }, 1000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await lab.diagnostics()}`);
  }
}

/** A pid that still names a live process (a zombie waiting for its parent runs nothing). */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Keeps a captured output in the lab directory and, with CAPTURE_FIXTURES=1, under cluster/fixtures/<kind>/. */
function keep(name: string, text: string, kind = 'crm_mon'): void {
  writeFileSync(join(lab.dir, name), text);
  if (process.env['CAPTURE_FIXTURES'] === '1') {
    mkdirSync(join(fixtureRoot, kind), { recursive: true });
    writeFileSync(join(fixtureRoot, kind, name), text);
  }
}

async function linkStatus(index: number): Promise<string> {
  return (await lab.exec(index, ['corosync-cfgtool', '-s'])).stdout;
}

/** corosync's view of one knet link to the peer, from `corosync-cfgtool -s` on `index`. */
async function linkToPeer(index: number, link: number, peerId: number): Promise<string> {
  const out = await linkStatus(index);
  const block = out.split(/^LINK ID /m).find((b) => b.startsWith(`${link} `)) ?? '';
  return new RegExp(`nodeid:\\s+${peerId}:\\s+(\\S+)`).exec(block)?.[1] ?? 'absent';
}

beforeAll(async () => {
  const started = Date.now();
  lab = await ClusterLab.up();
  await waitForState(1, 'both nodes online with a DC', 150_000, (f) => nodeOnline(f, 'node1') && nodeOnline(f, 'node2') && f.dc !== undefined);
  console.info(`cluster lab: namespaces, BMCs and both nodes online with a DC in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 200_000);

afterAll(async () => {
  await lab?.down();
}, 60_000);

describe('a two-node pacemaker pair with IPMI fencing', () => {
  it('forms: fence devices checked against the real fence_ipmilan metadata, stonith and a Dummy resource started', async () => {
    const metadata = await new FenceAgentCatalog({ run: runCommand, agentDir: '/usr/sbin' }).get('fence_ipmilan');
    for (const node of lab.nodes) {
      const device = { ip: BMC_BCN_ADDRESS, ipport: node.bmcPort, username: BMC_USER.name, lanplus: true, cipher: 3 };
      const checked = checkFenceParameters(metadata, device);
      expect(checked.problems).toEqual([]);
      const params = Object.entries({ ...checked.parameters, password: BMC_USER.password }).map(([k, v]) => `${k}=${v}`);
      await lab.exec(1, ['pcs', 'stonith', 'create', `fence-${node.name}`, 'fence_ipmilan', ...params, `pcmk_host_list=${node.name}`, 'op', 'monitor', 'interval=60s']);
      await lab.exec(1, ['pcs', 'constraint', 'location', `fence-${node.name}`, 'avoids', node.name]);
    }
    await lab.exec(1, ['pcs', 'property', 'set', 'stonith-enabled=true']);
    // Stickiness above the location preference: once moved, the resource stays where it runs (a
    // server is not moved back by itself), so its move to node2 stays observable after node1 rejoins.
    await lab.exec(1, ['pcs', 'resource', 'create', 'dummy', 'ocf:pacemaker:Dummy', 'meta', 'resource-stickiness=100', 'op', 'monitor', 'interval=5s']);
    await lab.exec(1, ['pcs', 'constraint', 'location', 'dummy', 'prefers', 'node1=50']);

    const { xml, facts } = await waitForState(1, 'fencing and dummy started', 90_000, (f) =>
      runsOn(f, 'dummy').includes('node1') && runsOn(f, 'fence-node1').length === 1 && runsOn(f, 'fence-node2').length === 1);
    keep('two-nodes-online.xml', xml);
    expect(facts.quorate).toBe(true);
    expect(facts.nodes.map((n) => [n.name, n.online, n.unclean])).toEqual([['node1', true, false], ['node2', true, false]]);
    expect(runsOn(facts, 'fence-node1')).toEqual(['node2']);
    expect(runsOn(facts, 'fence-node2')).toEqual(['node1']);
    expect(facts.resources.find((r) => r.id === 'fence-node1')?.agent).toBe('stonith:fence_ipmilan');
  }, 180_000);

  it('stays quorate on the BCN when the MN link of node1 is cut', async () => {
    expect(await linkToPeer(2, 1, 1)).toBe('connected');
    keep('cfgtool-links-up.txt', await linkStatus(2), 'corosync');
    await lab.setLink(1, 'mn', false);
    try {
      await waitFor('node2 to see link 1 to node1 down', 60_000, async () => (await linkToPeer(2, 1, 1)) !== 'connected');
      expect(await linkToPeer(2, 0, 1)).toBe('connected');
      keep('cfgtool-mn-down.txt', await linkStatus(2), 'corosync');
      const { xml, facts } = await state(2);
      keep('mn-link-down.xml', xml);
      expect(facts.quorate).toBe(true);
      expect(nodeOnline(facts, 'node1') && nodeOnline(facts, 'node2')).toBe(true);
      expect(runsOn(facts, 'dummy')).toEqual(['node1']);
      expect(await lab.bmcCalls(1)).not.toContainEqual(expect.stringMatching(/set power 0/));
    } finally {
      await lab.setLink(1, 'mn', true);
    }
    await waitFor('link 1 back', 60_000, async () => (await linkToPeer(2, 1, 1)) === 'connected');
  }, 180_000);

  it("fences node1 through its BMC when its corosync dies; the resource moves to node2; node1 boots and rejoins", async () => {
    // A program node1 starts at boot in its own namespaces (as a Striker agent will): it runs after the fence.
    await lab.setServices(1, [{ argv: ['sh', '-c', 'echo "host $(hostname)"; ip -o -4 addr show dev bcn1; sleep 3600'] }]);
    const callsBefore = (await lab.bmcCalls(1)).length;
    const bootBefore = await lab.bootPid(1);
    const killedAt = Date.now();
    await lab.killCorosync(1);

    const moved = await waitForState(2, 'dummy running on node2', 120_000, (f) => runsOn(f, 'dummy').includes('node2'));
    const movedAt = Date.now();
    keep('live-node1-fenced.xml', moved.xml);
    expect(moved.facts.dc).toBe('node2');

    const calls = (await lab.bmcCalls(1)).slice(callsBefore);
    expect(calls.some((c) => / set power 0$/.test(c))).toBe(true);

    const history = await waitFor('a finished fence of node1 in the history', 60_000, async () => {
      const out = await lab.exec(2, ['stonith_admin', '--history', 'node1', '--output-as=xml']);
      return fenceHistory(out.stdout).some((e) => e.status === 'success') ? out.stdout : false;
    });
    keep('stonith-history-node1.xml', history);
    keep('stonith-history-node1.txt', (await lab.exec(2, ['stonith_admin', '--history', 'node1'])).stdout);
    const events = fenceHistory(history);
    expect(events).toContainEqual(expect.objectContaining({ target: 'node1', status: 'success', delegate: 'node2' }));

    const back = await waitForState(2, 'node1 booted and online again', 150_000, (f) => nodeOnline(f, 'node1') && nodeOnline(f, 'node2'));
    keep('node1-rejoined.xml', back.xml);
    expect(back.facts.quorate).toBe(true);
    const bootAfter = await lab.bootPid(1);
    expect(bootAfter).toBeDefined();
    expect(bootAfter).not.toBe(bootBefore);
    const after = (await lab.bmcCalls(1)).slice(callsBefore).join('\n');
    expect(after).toMatch(/set power 0[\s\S]*set power 1/);
    const services = await waitFor('node1 services started at boot', 30_000, async () => {
      const text = await readFile(join(lab.node(1).dir, 'services.out'), 'utf8').catch(() => '');
      return text.includes('198.18.1.1/24') ? text : false;
    });
    expect(services).toMatch(/^host node1$/m);
    // Figures for the reader (bounded by polling once a second), never asserted.
    console.info(`cluster lab: corosync killed → dummy on node2 ${((movedAt - killedAt) / 1000).toFixed(1)} s; → node1 online again ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
  }, 400_000);

  it('tears down: the namespaces and every process in them are gone', async () => {
    await expect(ClusterLab.up()).rejects.toThrow(/already runs the cluster lab/);
    const pids = [...(await lab.namespacePids(1)), ...(await lab.namespacePids(2))];
    expect(pids.length).toBeGreaterThan(0);
    await lab.down();
    const left = (await runCommand(['ip', 'netns', 'list'], { timeoutMs: 10_000 })).stdout;
    expect(left).not.toMatch(/^cl-/m);
    expect(pids.filter(running)).toEqual([]);
  }, 60_000);
});
