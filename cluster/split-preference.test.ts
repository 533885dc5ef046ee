import { describe, expect, it } from 'vitest';
import type { LiveFencing } from './reconcile.js';
import { movePreferenceOperations } from './split-preference.js';

const live = (delayOn: Record<string, string>): LiveFencing => ({
  properties: { 'stonith-enabled': 'true' },
  devices: ['fence-n1-ipmi', 'fence-n1-pdu', 'fence-n2-ipmi', 'fence-n2-pdu'].map((id) => ({
    id, agent: 'fence_ipmilan', params: { ip: '10.201.11.1', ...(delayOn[id] === undefined ? {} : { pcmk_delay_base: delayOn[id] }) },
  })),
  levels: [
    { target: 'n1', index: 2, devices: ['fence-n1-pdu'] },
    { target: 'n1', index: 1, devices: ['fence-n1-ipmi'] },
    { target: 'n2', index: 1, devices: ['fence-n2-ipmi'] },
    { target: 'n2', index: 2, devices: ['fence-n2-pdu'] },
  ],
  avoids: [],
});

describe('movePreferenceOperations', () => {
  it("moves the delay to the first device of the node now running the servers, and off the other node's", () => {
    expect(movePreferenceOperations(live({ 'fence-n1-ipmi': '15s' }), 'n2').map((o) => o.args)).toEqual([
      ['stonith', 'update', 'fence-n2-ipmi', 'pcmk_delay_base=15s'],
      ['stonith', 'update', 'fence-n1-ipmi', 'pcmk_delay_base='],
    ]);
  });

  it('takes the lowest level of the target, whatever order the CIB lists them in', () => {
    expect(movePreferenceOperations(live({ 'fence-n2-ipmi': '20s' }), 'n1').map((o) => o.args[2])).toEqual(['fence-n1-ipmi', 'fence-n2-ipmi']);
  });

  it('changes nothing when the target already holds the delay alone, or no delay is configured', () => {
    expect(movePreferenceOperations(live({ 'fence-n2-ipmi': '15s' }), 'n2')).toEqual([]);
    expect(movePreferenceOperations(live({}), 'n2')).toEqual([]);
  });

  it('clears a stray delay on another device even when the target already has it', () => {
    expect(movePreferenceOperations(live({ 'fence-n2-ipmi': '15s', 'fence-n1-pdu': '15s' }), 'n2').map((o) => o.args)).toEqual([
      ['stonith', 'update', 'fence-n1-pdu', 'pcmk_delay_base='],
    ]);
  });

  it('refuses a node without a fencing level', () => {
    expect(() => movePreferenceOperations(live({ 'fence-n1-ipmi': '15s' }), 'n3')).toThrow(/n3 has no fencing level/);
  });
});
