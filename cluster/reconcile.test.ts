import { describe, expect, it } from 'vitest';
import { planCib, type CibPlan } from './cib-plan.js';
import { diffCib, type LiveFencing } from './reconcile.js';
import { lookupSecret, pairInput } from '../test/interop/cluster/pair-fixtures.js';

const nodes = ['an-a01n01', 'an-a01n02'];

/** A live CIB that holds exactly the plan. */
function liveOf(plan: CibPlan): LiveFencing {
  return structuredClone({
    properties: { ...plan.properties, 'have-watchdog': 'false' },
    devices: plan.devices.map((d) => ({ id: d.id, agent: d.agent, params: d.params })),
    levels: plan.levels,
    avoids: plan.avoids,
  });
}

const argvs = (plan: CibPlan, live: LiveFencing) => diffCib(plan, live, nodes).map((op) => op.args.join(' '));

describe('diffCib', () => {
  const plan = planCib(pairInput(), lookupSecret);

  it('finds nothing to do when the CIB already holds the plan', () => {
    expect(diffCib(plan, liveOf(plan), nodes)).toEqual([]);
  });

  it('builds everything on an empty CIB, devices before the levels and constraints naming them', () => {
    const ops = argvs(plan, { properties: {}, devices: [], levels: [], avoids: [] });
    expect(ops[0]).toBe('property set stonith-enabled=true');
    const firstLevel = ops.findIndex((o) => o.startsWith('stonith level add'));
    const lastCreate = ops.map((o) => o.startsWith('stonith create')).lastIndexOf(true);
    expect(lastCreate).toBeLessThan(firstLevel);
    expect(ops.filter((o) => o.startsWith('stonith create'))).toHaveLength(plan.devices.length);
  });

  it('moves the split-brain delay with two updates when the servers move', () => {
    const moved = planCib(pairInput({ preferred: 2 }), lookupSecret);
    expect(argvs(moved, liveOf(plan))).toEqual([
      'stonith update fence-an-a01n01-ipmi pcmk_delay_base=',
      'stonith update fence-an-a01n02-ipmi pcmk_delay_base=15s',
    ]);
  });

  it('changes a password in place', () => {
    const live = liveOf(plan);
    live.devices[0]!.params['password'] = 'old';
    expect(argvs(plan, live)).toEqual([`stonith update ${plan.devices[0]!.id} password=bmc-secret-1`]);
  });

  it('sets stonith-enabled when someone turned it off', () => {
    const live = liveOf(plan);
    live.properties['stonith-enabled'] = 'false';
    expect(argvs(plan, live)).toEqual(['property set stonith-enabled=true']);
  });

  it('removes a PDU the plan dropped: its level first, then the device, then the new level', () => {
    const withPair = planCib(pairInput({ shape: 'ipmi+pdu-pair+delay' }), lookupSecret);
    const single = planCib(pairInput({ shape: 'ipmi+pdu+delay' }), lookupSecret);
    expect(argvs(single, liveOf(withPair))).toEqual([
      'stonith level remove 2 target an-a01n01',
      'stonith level remove 2 target an-a01n02',
      'stonith delete fence-an-a01n01-an-pdu02',
      'stonith delete fence-an-a01n02-an-pdu02',
      'stonith level add 2 an-a01n01 fence-an-a01n01-an-pdu01',
      'stonith level add 2 an-a01n02 fence-an-a01n02-an-pdu01',
    ]);
  });

  it('recreates a device whose agent changed', () => {
    const live = liveOf(plan);
    const pdu = live.devices.find((d) => d.id === 'fence-an-a01n01-an-pdu01')!;
    pdu.agent = 'fence_raritan';
    const ops = argvs(plan, live);
    expect(ops).toContain('stonith level remove 2 target an-a01n01');
    expect(ops).toContain('stonith delete fence-an-a01n01-an-pdu01');
    expect(ops.some((o) => o.startsWith('stonith create fence-an-a01n01-an-pdu01 fence_apc_snmp'))).toBe(true);
    expect(ops).toContain('stonith level add 2 an-a01n01 fence-an-a01n01-an-pdu01');
    expect(ops).toContain('constraint location fence-an-a01n01-an-pdu01 avoids an-a01n01');
  });

  it('leaves devices it does not own alone', () => {
    const live = liveOf(plan);
    live.devices.push({ id: 'site-sbd', agent: 'fence_sbd', params: {} });
    expect(diffCib(plan, live, nodes)).toEqual([]);
  });
});
