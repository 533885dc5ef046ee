/**
 * The planned fencing CIB for one-, two- and three-method fencing, with and without PDUs, built
 * with the real `pcs -f` on `cibadmin --empty` output: it passes `crm_verify`; its fencing
 * topology has the planned devices in the planned order; `crm_simulate` shows a failed node
 * fenced and the stand-in server started on its peer.
 *
 * crm_simulate runs the scheduler only: it decides *that* a node is fenced, while the order of
 * devices is the fencer's, read from the fencing topology checked here. pacemaker-fenced's
 * stand-alone mode does not follow the topology (it runs any capable device), so the fall
 * through from a failed level to the next is shown on the live namespace cluster instead.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { planCib, pcsOperationsFor, type CibPlan, type PcsOperation } from '../../../cluster/cib-plan.js';
import { child, childrenNamed, descendants, parseXml } from '../../../cluster/pacemaker-xml.js';
import type { PairPlanInput } from '../../../cluster/pair-input.js';
import { lookupSecret, pairInput, type FenceShape } from './pair-fixtures.js';
import { applyPcs, emptyCib } from './pcs-sandbox.js';

const work = mkdtempSync(join(tmpdir(), 'cib-plan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in for a server: a Dummy resource that prefers the preferred node. */
function standInServer(node: string): PcsOperation[] {
  return [
    { args: ['resource', 'create', 'server-1', 'ocf:heartbeat:Dummy', 'op', 'monitor', 'interval=10s'], summary: 'stand-in server' },
    { args: ['constraint', 'location', 'server-1', 'prefers', `${node}=100`], summary: 'stand-in server prefers the preferred node' },
  ];
}

async function built(name: string, input: PairPlanInput, plan: CibPlan): Promise<string> {
  const file = join(work, `${name}.xml`);
  await emptyCib(file, input.nodes.map((n) => n.name));
  await applyPcs(file, [...pcsOperationsFor(plan), ...standInServer(input.preferredNode)]);
  return file;
}

function topologyOf(cibText: string) {
  const cib = parseXml(cibText, 'cib');
  return descendants(cib, 'fencing-level').map((l) => ({ target: l.attrs['target'], index: Number(l.attrs['index']), devices: (l.attrs['devices'] ?? '').split(',') }));
}

const shapes: { shape: FenceShape; methods: number }[] = [
  { shape: 'ipmi', methods: 1 },
  { shape: 'pdu-pair', methods: 1 },
  { shape: 'ipmi+delay', methods: 2 },
  { shape: 'ipmi+pdu+delay', methods: 3 },
  { shape: 'ipmi+pdu-pair+delay', methods: 3 },
];

describe.each(shapes)('$shape ($methods method(s) per node)', ({ shape, methods }) => {
  const input = pairInput({ shape, preferred: 2 });
  const plan = planCib(input, lookupSecret);
  const [n1, n2] = input.nodes.map((n) => n.name) as [string, string];
  let file = '';

  it('is accepted by pcs -f and crm_verify, with the planned topology', async () => {
    file = await built(shape, input, plan);
    // Offline, with no node seen yet, crm_verify only warns that quorum is lost and the nodes are
    // unclean (exit 78); nothing else may be said. The converged state (next test) must pass with
    // exit 0 and not a single warning.
    const verify = await runCommand(['crm_verify', '--xml-file', file, '-V'], { timeoutMs: 60_000, okExitCodes: [0, 78] });
    const offlineOnly = /^(\(cluster_status\)\s+warning: Fencing and resource management disabled due to lack of quorum|\(schedule_fencing_and_shutdowns\)\s+warning: Node \S+ is unclean but cannot be fenced|crm_verify: Warnings found during check: config may not be valid)$/;
    expect(verify.stderr.trim().split('\n').filter((line) => !offlineOnly.test(line))).toEqual([]);
    const topology = topologyOf(readFileSync(file, 'utf8'));
    expect(topology).toEqual(plan.levels);
    expect(topology.filter((l) => l.target === n1)).toHaveLength(methods);
    const devices = descendants(parseXml(readFileSync(file, 'utf8'), 'cib'), 'primitive').filter((p) => p.attrs['class'] === 'stonith');
    expect(devices.map((d) => d.attrs['id']).sort()).toEqual(plan.devices.map((d) => d.id).sort());
    const delayed = devices.filter((d) => descendants(d, 'nvpair').some((nv) => nv.attrs['name'] === 'pcmk_delay_base'));
    expect(delayed.map((d) => d.attrs['id'])).toEqual([plan.levels.find((l) => l.target === n2 && l.index === 1)?.devices[0]]);
  }, 300_000);

  it('both nodes up passes crm_verify without a warning; crm_simulate: the failed node is fenced and the server starts on its peer', async () => {
    const up = join(work, `${shape}-up.xml`);
    await runCommand(['crm_simulate', '-S', '-x', file, '--node-up', n1, '--node-up', n2, '--quorum', 'true', '-O', up], { timeoutMs: 60_000 });
    const verify = await runCommand(['crm_verify', '--xml-file', up, '-V'], { timeoutMs: 60_000, okExitCodes: [0, 78] });
    expect(verify.stderr).toBe('');
    expect(verify.exitCode).toBe(0);
    const r = await runCommand(['crm_simulate', '-S', '-x', up, '--node-fail', n2, '--output-as=xml'], { timeoutMs: 60_000 });
    const out = parseXml(r.stdout, 'crm_simulate output');
    const transition = child(out, 'transition');
    expect(transition).toBeDefined();
    expect(childrenNamed(transition!, 'fencing_action').map((a) => a.attrs)).toEqual([{ target: n2, op: 'reboot' }]);
    const starts = childrenNamed(transition!, 'rsc_action').filter((a) => a.attrs['op'] === 'start');
    expect(starts).toContainEqual(expect.objectContaining({ attrs: { resource: 'server-1', op: 'start', node: n1 } }));
    // The devices that fence the failed node keep running on the survivor; none runs on the node it fences.
    const revised = child(out, 'revised_cluster_status');
    const onSurvivor = descendants(revised!, 'resource').filter((res) => descendants(res, 'node').some((n) => n.attrs['name'] === n1)).map((res) => res.attrs['id']);
    expect(onSurvivor).toEqual(expect.arrayContaining(['server-1', ...plan.devices.filter((d) => d.target === n2).map((d) => d.id)]));
  }, 120_000);
});
