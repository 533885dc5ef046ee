import { describe, expect, it } from 'vitest';
import { pcsOperationsFor, planCib, redactOperation } from './cib-plan.js';
import { lookupSecret, pairInput } from '../test/interop/cluster/pair-fixtures.js';

const n1 = 'an-a01n01';
const n2 = 'an-a01n02';

describe('planCib', () => {
  it.each([
    { shape: 'ipmi' as const, levels: [['ipmi']] },
    { shape: 'ipmi+delay' as const, levels: [['ipmi'], ['delay']] },
    { shape: 'ipmi+pdu+delay' as const, levels: [['ipmi'], ['an-pdu01'], ['delay']] },
    { shape: 'ipmi+pdu-pair+delay' as const, levels: [['ipmi'], ['an-pdu01', 'an-pdu02'], ['delay']] },
    { shape: 'pdu-pair' as const, levels: [['an-pdu01', 'an-pdu02']] },
  ])('$shape: levels per node in order IPMI, PDU, delay', ({ shape, levels }) => {
    const plan = planCib(pairInput({ shape }), lookupSecret);
    for (const node of [n1, n2]) {
      expect(plan.levels.filter((l) => l.target === node)).toEqual(levels.map((devices, i) => ({ target: node, index: i + 1, devices: devices.map((d) => `fence-${node}-${d}`) })));
    }
    expect(plan.avoids).toEqual(plan.devices.map((d) => ({ device: d.id, node: d.target })));
    expect(plan.properties).toEqual({ 'stonith-enabled': 'true' });
  });

  it('puts the split-brain delay on the first device fencing the preferred node only', () => {
    for (const preferred of [1, 2] as const) {
      const plan = planCib(pairInput({ preferred }), lookupSecret);
      const delayed = plan.devices.filter((d) => d.params['pcmk_delay_base'] !== undefined);
      expect(delayed.map((d) => [d.id, d.params['pcmk_delay_base']])).toEqual([[`fence-an-a01n0${preferred}-ipmi`, '15s']]);
    }
    const pduOnly = planCib(pairInput({ shape: 'pdu-pair' }), lookupSecret, { splitBrainDelaySeconds: 20 });
    expect(pduOnly.devices.filter((d) => d.params['pcmk_delay_base']).map((d) => d.id)).toEqual([`fence-${n1}-an-pdu01`]);
  });

  it('fills the agents\' parameters: BMC, PDU plug and password, the delay\'s wait and timeouts', () => {
    const plan = planCib(pairInput({ shape: 'ipmi+pdu+delay', preferred: 2 }), lookupSecret);
    const byId = Object.fromEntries(plan.devices.map((d) => [d.id, d]));
    expect(byId[`fence-${n1}-ipmi`]).toMatchObject({ agent: 'fence_ipmilan', params: { ip: '10.201.11.1', username: 'admin', password: 'bmc-secret-1', lanplus: '1', cipher: '3', pcmk_host_list: n1 } });
    expect(byId[`fence-${n1}-an-pdu01`]).toMatchObject({ agent: 'fence_apc_snmp', params: { ip: '10.201.2.1', password: 'pdu-community-1', plug: '1', pcmk_host_list: n1 } });
    expect(byId[`fence-${n1}-delay`]).toMatchObject({ agent: 'fence_delay', params: { wait: '60', pcmk_off_timeout: '80s', pcmk_off_retries: '1' } });
  });

  it('fails when a named secret is unknown', () => {
    expect(() => planCib(pairInput(), (ref) => { throw new Error(`no secret ${ref}`); })).toThrow('no secret ipmi-n01');
  });
});

describe('pcsOperationsFor and redactOperation', () => {
  const plan = planCib(pairInput(), lookupSecret);
  const ops = pcsOperationsFor(plan);

  it('sets the property, creates every device, then its levels and constraints', () => {
    expect(ops[0]?.args).toEqual(['property', 'set', 'stonith-enabled=true']);
    expect(ops.filter((o) => o.args[1] === 'create')).toHaveLength(plan.devices.length);
    expect(ops.at(-1)?.args).toEqual(['constraint', 'location', `fence-${n2}-delay`, 'avoids', n2]);
  });

  it('never shows a password in a summary or a redacted operation', () => {
    const create = ops.find((o) => o.args[2] === `fence-${n1}-ipmi`)!;
    expect(create.args).toContain('password=bmc-secret-1');
    expect(redactOperation(create, plan)).toContain('password=***');
    expect(ops.map((o) => `${o.summary} ${redactOperation(o, plan)}`).join('\n')).not.toMatch(/bmc-secret|pdu-community/);
  });
});
