/**
 * Cluster formation end to end, on the namespace pacemaker pair (test/support/cluster-lab, prefix
 * `cj`, uplink 31) with no cluster configured: `striker serve` (built) on the uplink address, the
 * built agent as each node's service, registered with a one-time token as a kickstart's %post
 * does (curl from the node), and a manifest whose BMCs are the lab's ipmi_sim, run through the API.
 * The scenarios run in sequence on one pair:
 *
 * 1. the run forms the cluster: both nodes online and quorate, every stonith device started and
 *    the fencing levels in place (`crm_mon --output-as=xml`, `pcs stonith level`);
 * 2. (a) node1's MN link cut: corosync reports link 1 down, the pair stays quorate on the BCN;
 * 3. (b) node1's corosync killed: node2 fences it through its BMC (the BMC log shows the power off),
 *    the stand-in resource (ocf:pacemaker:Dummy) starts on node2, node1 boots (its boot starts the
 *    stack, since corosync.conf now exists) and rejoins;
 * 4. (c) the manifest run again: both join jobs run and report no change; the CIB epoch is the same.
 *
 * Pass criteria come from crm_mon XML, pcs, corosync-cfgtool, the BMC log and the jobs; waits are
 * bounded polls, never timed assertions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJob } from '../../striker/jobs/job-store.js';
import { BMC_USER, ClusterLab, waitFor } from '../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, fenceHistory, nodeOnline, runsOn, type CrmMonFacts } from '../support/cluster-lab/crm-mon-facts.js';
import { startFormationRig, type FormationRig } from '../support/cluster-lab/formation-rig.js';

const N1 = 'cj-a01n01';
const N2 = 'cj-a01n02';

let rig: FormationRig;
let lab: ClusterLab;

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
    throw new Error(`${(error as Error).message}\n${await rig.diagnostics()}`);
  }
}

/** corosync's view of one knet link to the peer, from `corosync-cfgtool -s` on `index`. */
async function linkToPeer(index: number, link: number, peerId: number): Promise<string> {
  const out = (await lab.exec(index, ['corosync-cfgtool', '-s'])).stdout;
  const block = out.split(/^LINK ID /m).find((b) => b.startsWith(`${link} `)) ?? '';
  return new RegExp(`nodeid:\\s+${peerId}:\\s+(\\S+)`).exec(block)?.[1] ?? 'absent';
}

/** The CIB's admin_epoch.epoch: it moves with every configuration change. */
async function cibEpoch(): Promise<string> {
  const cib = (await lab.exec(2, ['cibadmin', '--query'])).stdout;
  const root = /<cib [^>]*>/.exec(cib)?.[0] ?? '';
  return ['admin_epoch', 'epoch'].map((a) => new RegExp(`\\b${a}="(\\d+)"`).exec(root)?.[1]).join('.');
}

beforeAll(async () => {
  rig = await startFormationRig({ prefix: 'cj', uplink: 31 });
  lab = rig.lab;
}, 600_000);

afterAll(async () => {
  await rig?.stop();
}, 120_000);

describe('a manifest run forms the pair with fencing, on a real pacemaker pair', () => {
  it('forms: both nodes online and quorate, every stonith device started, the fencing levels in place', async () => {
    const run = await rig.runManifest();
    expect(run.status, JSON.stringify(run.json)).toBe(201);
    const done = await rig.joinsEnded(run.json.runId, 600_000);
    expect(done.jobs.find((j) => j.key === 'node1:cluster.join')!.text).toMatch(new RegExp(`^${N1} joined cj-anvil-01`));

    const devices = [`fence-${N1}-ipmi`, `fence-${N1}-delay`, `fence-${N2}-ipmi`, `fence-${N2}-delay`];
    const { facts } = await waitForState(1, 'every stonith device started', 120_000, (f) => devices.every((d) => runsOn(f, d).length === 1));
    expect(facts.quorate).toBe(true);
    expect(nodeOnline(facts, N1) && nodeOnline(facts, N2)).toBe(true);
    // Each device runs on the node it does not fence.
    expect(runsOn(facts, `fence-${N1}-ipmi`)).toEqual([N2]);
    expect(runsOn(facts, `fence-${N2}-ipmi`)).toEqual([N1]);
    const levels = (await lab.exec(1, ['pcs', 'stonith', 'level'])).stdout;
    expect(levels).toMatch(new RegExp(`Target: ${N1}\\n\\s+Level 1 - fence-${N1}-ipmi\\n\\s+Level 2 - fence-${N1}-delay`));
    expect(levels).toMatch(new RegExp(`Target: ${N2}\\n\\s+Level 1 - fence-${N2}-ipmi\\n\\s+Level 2 - fence-${N2}-delay`));
    expect((await lab.exec(1, ['pcs', 'property', 'config', 'stonith-enabled'])).stdout).toMatch(/stonith-enabled: true/);
    // The job carries no secret: the BMC password went to the CIB only.
    const jobs = await rig.t.db.query(`SELECT payload, message_vars FROM jobs WHERE kind = 'cluster.join'`);
    expect(JSON.stringify(jobs.rows)).not.toContain(BMC_USER.password);

    // The stand-in for a server: sticky, preferring node1.
    await lab.exec(1, ['pcs', 'resource', 'create', 'dummy', 'ocf:pacemaker:Dummy', 'meta', 'resource-stickiness=100', 'op', 'monitor', 'interval=5s']);
    await lab.exec(1, ['pcs', 'constraint', 'location', 'dummy', 'prefers', `${N1}=50`]);
    await waitForState(1, 'dummy running on node1', 90_000, (f) => runsOn(f, 'dummy').includes(N1));
  }, 800_000);

  it('(a) stays quorate on the BCN when the MN link of node1 is cut', async () => {
    expect(await linkToPeer(2, 1, 1)).toBe('connected');
    await lab.setLink(1, 'mn', false);
    try {
      await waitFor('node2 to see link 1 to node1 down', 60_000, async () => (await linkToPeer(2, 1, 1)) !== 'connected');
      expect(await linkToPeer(2, 0, 1)).toBe('connected');
      const { facts } = await state(2);
      expect(facts.quorate).toBe(true);
      expect(nodeOnline(facts, N1) && nodeOnline(facts, N2)).toBe(true);
      expect(runsOn(facts, 'dummy')).toEqual([N1]);
      expect(await lab.bmcCalls(1)).not.toContainEqual(expect.stringMatching(/set power 0/));
    } finally {
      await lab.setLink(1, 'mn', true);
    }
    await waitFor('link 1 back', 60_000, async () => (await linkToPeer(2, 1, 1)) === 'connected');
  }, 200_000);

  it('(b) fences node1 through IPMI when its corosync dies; dummy moves to node2; node1 boots and rejoins', async () => {
    const callsBefore = (await lab.bmcCalls(1)).length;
    const bootBefore = await lab.bootPid(1);
    await lab.killCorosync(1);

    const moved = await waitForState(2, 'dummy running on node2', 180_000, (f) => runsOn(f, 'dummy').includes(N2));
    expect(moved.facts.dc).toBe(N2);
    expect((await lab.bmcCalls(1)).slice(callsBefore).some((c) => / set power 0$/.test(c))).toBe(true);
    const history = await waitFor('a finished fence of node1 in the history', 60_000, async () => {
      const out = await lab.exec(2, ['stonith_admin', '--history', N1, '--output-as=xml']);
      return fenceHistory(out.stdout).some((e) => e.status === 'success') ? out.stdout : false;
    });
    expect(fenceHistory(history)).toContainEqual(expect.objectContaining({ target: N1, status: 'success', delegate: N2 }));

    const back = await waitForState(2, 'node1 booted and online again', 240_000, (f) => nodeOnline(f, N1) && nodeOnline(f, N2));
    expect(back.facts.quorate).toBe(true);
    expect(await lab.bootPid(1)).not.toBe(bootBefore);
    expect((await lab.bmcCalls(1)).slice(callsBefore).join('\n')).toMatch(/set power 0[\s\S]*set power 1/);
    // The rebooted node's agent is back (its service), heartbeating.
    await waitFor("node1's agent back", 120_000, async () =>
      (await rig.t.db.query(`SELECT 1 FROM host_agents WHERE host_id = $1 AND last_heartbeat_at > now() - interval '10 seconds'`, [rig.hostIds[0]])).rows.length === 1);
  }, 600_000);

  it('(c) running the manifest again: both joins run and report no change; the CIB epoch is unchanged', async () => {
    // Let the pair settle (the rejoined node's resources probed) before reading the epoch.
    await waitForState(2, 'every resource settled', 120_000, (f) => f.resources.every((r) => r.role === 'Started'));
    const before = await cibEpoch();
    const again = await rig.runManifest();
    expect(again.status, JSON.stringify(again.json)).toBe(201);
    expect(again.json.jobs.filter((j) => j.created).map((j) => j.key)).toEqual(['node1:cluster.join', 'node2:cluster.join']);
    const done = await rig.joinsEnded(again.json.runId, 300_000);
    for (const j of done.jobs.filter((x) => x.kind === 'cluster.join')) {
      const job = await getJob(rig.t.db, j.jobId);
      expect(job.noChange, j.key).toMatch(/^cj-a01n0[12] is already a member of cj-anvil-01: corosync.conf, the authkey/);
    }
    expect(await cibEpoch()).toBe(before);
    const { facts } = await state(1);
    expect(nodeOnline(facts, N1) && nodeOnline(facts, N2)).toBe(true);
    expect(runsOn(facts, 'dummy')).toEqual([N2]);
    expect(readFileSync(join(lab.node(1).dir, 'etc-corosync', 'corosync.conf'), 'utf8')).toContain('cluster_name: cj-anvil-01');
  }, 400_000);
});
