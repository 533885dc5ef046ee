/**
 * Fencing levels and the DRBD fence-peer handler on the real namespace pacemaker pair
 * (test/support/cluster-lab, prefix `cf`): corosync + pacemaker in two nodes, fence_ipmilan to
 * ipmi_sim BMCs whose power really stops and boots a node. Scenarios in order, on one cluster:
 *
 * 1. fence levels fall through: node1's level 1 is fence_ipmilan to its own BMC with a wrong
 *    password, level 2 the working device; `stonith_admin --fence node1` from node2 fences node1:
 *    the fencer's log on node2 shows the level-1 device tried and failed, then the level-2 device
 *    succeeding (`stonith_admin --history --verbose` keeps one event per operation and names no
 *    device, so the log is the evidence); the BMC log shows one power off; node1 is booted through
 *    its BMC (`--fence` is an off) and rejoins;
 * 2. the DRBD fence-peer handler (cluster/fence-peer/main.ts), run in node1's namespaces against the
 *    live cluster with the environment DRBD gives it, for a Dummy resource `r0` running on node2:
 *    it exits 4 (peer online → banned), the node attribute and the location constraint are in the
 *    live CIB and r0 leaves node2; run as unfence-peer it exits 0, the attribute is gone and r0 runs
 *    on node2 again.
 *
 * DRBD is the one part stood in for: there is no DRBD kernel module here, so `drbdsetup status
 * --json` cannot answer. For the handler's process only, a `drbdsetup` shim first on PATH prints
 * the published DRBD 9 sample test/fixtures/scancore/drbd/status-published.json (its first
 * resource) renamed to r0 with node2 as the connection, the local disk UpToDate and the peer
 * Connected, Secondary, UpToDate. Pacemaker, the CIB, crm_mon, crm_attribute and cibadmin are real.
 *
 * Every pass criterion is read from `crm_mon --output-as=xml`, the CIB, the fencer's log and the
 * BMC's chassis log; waits are bounded polls, never timed assertions.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banAttribute, banConstraintId } from '../../../cluster/fence-peer/ban-commands.js';
import { drbdFenceExit } from '../../../cluster/fence-peer/exit-codes.js';
import { BMC_BCN_ADDRESS, BMC_USER, ClusterLab, waitFor } from '../../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, fenceHistory, nodeOnline, runsOn, type CrmMonFacts } from '../../support/cluster-lab/crm-mon-facts.js';

const repoRoot = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
const handlerMain = join(repoRoot, 'cluster/fence-peer/main.ts');
const drbdSample = join(repoRoot, 'test/fixtures/scancore/drbd/status-published.json');
const BAD_DEVICE = 'fence-node1-badpw';
const anyExit = Array.from({ length: 256 }, (_, i) => i);

let lab: ClusterLab;

async function state(index: number): Promise<{ xml: string; facts: CrmMonFacts }> {
  const xml = (await lab.exec(index, ['crm_mon', '--output-as=xml'])).stdout;
  return { xml, facts: crmMonFacts(xml) };
}

async function waitForState(index: number, what: string, timeoutMs: number, holds: (f: CrmMonFacts) => boolean): Promise<{ xml: string; facts: CrmMonFacts }> {
  try {
    return await waitFor(what, timeoutMs, async () => {
      const s = await state(index).catch(() => undefined);
      return s !== undefined && holds(s.facts) ? s : false;
    }, 1000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await lab.diagnostics()}`);
  }
}

function ipmiDevice(name: string, index: number, password: string): string[] {
  return ['pcs', 'stonith', 'create', name, 'fence_ipmilan', `ip=${BMC_BCN_ADDRESS}`, `ipport=${lab.node(index).bmcPort}`,
    `username=${BMC_USER.name}`, `password=${password}`, 'lanplus=1', 'cipher=3', `pcmk_host_list=node${index}`];
}

function fencerLog(index: number): string {
  return join(lab.node(index).dir, 'log-pacemaker', 'pacemaker.log');
}

/** Runs the DRBD handler in node1's namespaces as DRBD would, the drbdsetup shim first on PATH. */
async function runHandler(mode: 'fence' | 'unfence'): Promise<{ exitCode: number; stderr: string }> {
  const shim = join(lab.dir, 'drbd-shim');
  const script = [
    `cd ${repoRoot}`,
    `exec env PATH=${shim}:$PATH DRBD_RESOURCE=r0 DRBD_PEER_NODE_ID=1 DRBD_NODE_ID_1=node2 DRBD_NODE_ID_0=node1 DRBD_MY_NODE_ID=0 ` +
      `${process.execPath} --import tsx ${handlerMain} ${mode}`,
  ].join('\n');
  const out = await lab.exec(1, ['sh', '-c', script], { timeoutMs: 120_000, okExitCodes: [0, 1, 2, 3, 4, 5, 6, 7] });
  return { exitCode: out.exitCode, stderr: out.stderr };
}

async function banValue(): Promise<string | undefined> {
  const out = await lab.exec(1, ['crm_attribute', '--node', 'node2', '--name', banAttribute('r0'), '--query', '--lifetime', 'forever', '--quiet'],
    { okExitCodes: [0, 6, 105] });
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

beforeAll(async () => {
  lab = await ClusterLab.up({ prefix: 'cf' });
  await waitForState(1, 'both nodes online with a DC', 240_000, (f) => nodeOnline(f, 'node1') && nodeOnline(f, 'node2') && f.dc !== undefined);
}, 300_000);

afterAll(async () => {
  await lab?.down();
}, 90_000);

describe('fencing levels and the DRBD fence-peer handler on a live pacemaker pair', () => {
  it('falls through a failing first fence level to the working BMC: node1 powered off, then booted, rejoins', async () => {
    await lab.exec(1, [...ipmiDevice(BAD_DEVICE, 1, 'wrong-password'), 'op', 'monitor', 'interval=0']);
    await lab.exec(1, [...ipmiDevice('fence-node1', 1, BMC_USER.password), 'op', 'monitor', 'interval=60s']);
    await lab.exec(1, [...ipmiDevice('fence-node2', 2, BMC_USER.password), 'op', 'monitor', 'interval=60s']);
    for (const [device, node] of [[BAD_DEVICE, 'node1'], ['fence-node1', 'node1'], ['fence-node2', 'node2']] as const) {
      await lab.exec(1, ['pcs', 'constraint', 'location', device, 'avoids', node]);
    }
    await lab.exec(1, ['pcs', 'stonith', 'level', 'add', '1', 'node1', BAD_DEVICE]);
    await lab.exec(1, ['pcs', 'stonith', 'level', 'add', '2', 'node1', 'fence-node1']);
    await lab.exec(1, ['pcs', 'stonith', 'level', 'add', '1', 'node2', 'fence-node2']);
    await lab.exec(1, ['pcs', 'property', 'set', 'stonith-enabled=true']);
    const levels = (await lab.exec(1, ['pcs', 'stonith', 'level', 'config'])).stdout;
    expect(levels).toMatch(new RegExp(`Level 1 - ${BAD_DEVICE}[\\s\\S]*Level 2 - fence-node1`));

    await waitForState(2, 'the working fence devices started', 120_000, (f) =>
      runsOn(f, 'fence-node1').includes('node2') && runsOn(f, 'fence-node2').includes('node1'));

    const logBefore = (await readFile(fencerLog(2), 'utf8')).length;
    const callsBefore = (await lab.bmcCalls(1)).length;
    const fenced = await lab.exec(2, ['stonith_admin', '--fence', 'node1', '--timeout', '240'], { timeoutMs: 300_000, okExitCodes: anyExit });
    const log = (await readFile(fencerLog(2), 'utf8')).slice(logBefore);
    await writeFile(join(lab.dir, 'fencer-node2-fence.log'), log);
    const history = (await lab.exec(2, ['stonith_admin', '--history', 'node1', '--verbose', '--output-as=xml'])).stdout;
    await writeFile(join(lab.dir, 'stonith-history-verbose.xml'), history);
    console.info(`stonith_admin --fence: exit ${fenced.exitCode}\n${fenced.stdout}${fenced.stderr}\n--- fencer log (node2)\n${log.split('\n').filter((l) => /Operation|Requesting/.test(l)).join('\n')}\n--- history\n${history}`);
    expect(fenced.exitCode).toBe(0);

    // `stonith_admin --history` keeps one event per operation and does not name the devices (even
    // --verbose): the fencer's log on node2, the node that ran both devices, does.
    const badFailed = new RegExp(`Operation 'off' \\[\\d+\\] targeting node1 using ${BAD_DEVICE} returned [1-9]`).exec(log);
    const goodOk = /Operation 'off' \[\d+\] targeting node1 using fence-node1 returned 0/.exec(log);
    expect(badFailed).not.toBeNull();
    expect(goodOk).not.toBeNull();
    expect(badFailed!.index).toBeLessThan(goodOk!.index);
    expect(log).toMatch(/Operation 'off' targeting node1 by node2 for stonith_admin\S* OK/);
    expect(fenceHistory(history)).toEqual([expect.objectContaining({ target: 'node1', action: 'off', status: 'success', delegate: 'node2' })]);

    // One power-off reached the BMC: the level-1 device, with its wrong password, never got in.
    const calls = (await lab.bmcCalls(1)).slice(callsBefore);
    expect(calls.filter((c) => / set power 0$/.test(c))).toHaveLength(1);

    // Boot node1 through its BMC (`--fence` is an off: it stays down) and see it rejoin.
    await waitFor('node1 down', 60_000, async () => (await lab.bootPid(1)) === undefined);
    await lab.powerOn(1);
    const back = await waitForState(2, 'node1 booted and online again', 240_000, (f) => nodeOnline(f, 'node1') && nodeOnline(f, 'node2'));
    expect(back.facts.quorate).toBe(true);
    expect((await lab.bmcCalls(1)).slice(callsBefore).join('\n')).toMatch(/set power 0[\s\S]*set power 1/);
  }, 600_000);

  it('fence-peer bans the online peer from r0 (exit 4), unfence-peer lifts the ban', async () => {
    const sample = JSON.parse(await readFile(drbdSample, 'utf8')) as Record<string, unknown>[];
    const res = structuredClone(sample[0]!) as { name: string; role: string; connections: { name: string; 'peer-role': string; 'connection-state': string; peer_devices: { 'peer-disk-state': string }[] }[]; devices: { 'disk-state': string }[] };
    res.name = 'r0';
    res.role = 'Primary';
    res.connections[0]!.name = 'node2';
    res.connections[0]!['peer-role'] = 'Secondary';
    expect(res.devices[0]!['disk-state']).toBe('UpToDate');
    expect(res.connections[0]!['connection-state']).toBe('Connected');
    expect(res.connections[0]!.peer_devices[0]!['peer-disk-state']).toBe('UpToDate');
    const shim = join(lab.dir, 'drbd-shim');
    await mkdir(shim, { recursive: true });
    await writeFile(join(shim, 'status-r0.json'), JSON.stringify([res], null, 2));
    await writeFile(join(shim, 'drbdsetup'), `#!/bin/sh\n# stands in for drbdsetup: no DRBD kernel module here\n[ "$1 $2 $3" = "status r0 --json" ] || { echo "drbdsetup shim: only 'status r0 --json'" >&2; exit 20; }\nexec cat ${join(shim, 'status-r0.json')}\n`, { mode: 0o755 });

    await lab.exec(1, ['pcs', 'resource', 'create', 'r0', 'ocf:pacemaker:Dummy', 'op', 'monitor', 'interval=5s']);
    await lab.exec(1, ['pcs', 'constraint', 'location', 'r0', 'prefers', 'node2=50']);
    await waitForState(1, 'r0 running on node2', 120_000, (f) => runsOn(f, 'r0').includes('node2'));
    expect(await banValue()).toBeUndefined();

    const fence = await runHandler('fence');
    console.info(`fence-peer: exit ${fence.exitCode}\n${fence.stderr}`);
    expect(fence.exitCode).toBe(drbdFenceExit.peerFenced);
    expect(await banValue()).toBe('1');
    const constraints = (await lab.exec(1, ['cibadmin', '--query', '--scope', 'constraints'])).stdout;
    expect(constraints).toContain(`<rsc_location id="${banConstraintId('r0')}" rsc="r0"`);
    const nodes = (await lab.exec(1, ['cibadmin', '--query', '--scope', 'nodes'])).stdout;
    expect(nodes).toMatch(new RegExp(`uname="node2"[\\s\\S]*name="${banAttribute('r0')}" value="1"`));
    const moved = await waitForState(1, 'r0 off node2', 120_000, (f) => runsOn(f, 'r0').length > 0 && !runsOn(f, 'r0').includes('node2'));
    expect(runsOn(moved.facts, 'r0')).toEqual(['node1']);

    const unfence = await runHandler('unfence');
    console.info(`unfence-peer: exit ${unfence.exitCode}\n${unfence.stderr}`);
    expect(unfence.exitCode).toBe(0);
    expect(await banValue()).toBeUndefined();
    const back = await waitForState(1, 'r0 back on node2', 120_000, (f) => runsOn(f, 'r0').includes('node2'));
    expect(runsOn(back.facts, 'r0')).toEqual(['node2']);
  }, 400_000);
});
