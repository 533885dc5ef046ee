import { describe, expect, it } from 'vitest';
import { ValidationError } from '../striker/core/errors/index.js';
import { parsePairPlanInput } from './pair-input.js';
import { pairInput } from '../test/interop/cluster/pair-fixtures.js';

function problemsOf(input: unknown): string[] {
  try {
    parsePairPlanInput(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('parsePairPlanInput', () => {
  const good = pairInput();

  it('accepts a complete pair', () => {
    expect(problemsOf(good)).toEqual([]);
  });

  it.each([
    ['same names', (i: any) => { i.nodes[1].name = i.nodes[0].name; i.preferredNode = i.nodes[0].name; }, 'nodes.1.name: must differ from nodes.0.name'],
    ['unknown preferred node', (i: any) => { i.preferredNode = 'an-a01n09'; }, 'preferredNode: must be one of the pair\'s nodes'],
    ['no power fencing', (i: any) => { i.nodes[0].fence = { delaySeconds: 30 }; }, 'nodes.0.fence: needs at least one power fence method'],
    ['one-sided MN', (i: any) => { delete i.nodes[1].addresses.mn; }, 'nodes.1.addresses.mn: is required because the other node has a mn address'],
    ['shared address', (i: any) => { i.nodes[1].addresses.bcn = i.nodes[0].addresses.bcn; }, 'nodes.1.addresses.bcn: must differ'],
    ['bad BMC address', (i: any) => { i.nodes[0].fence.ipmi.address = '10.1'; }, 'nodes.0.fence.ipmi.address: must be an IPv4 address'],
    ['bad agent', (i: any) => { i.nodes[0].fence.pdus[0].outlets[0].agent = 'apc'; }, 'nodes.0.fence.pdus.0.outlets.0.agent: must be a fence agent'],
    ['upper-case name', (i: any) => { i.clusterName = 'An-Anvil'; }, 'clusterName: must be a host name'],
  ])('names the field for %s', (_what, change, expected) => {
    const input = structuredClone(good);
    change(input);
    expect(problemsOf(input).join('\n')).toContain(expected);
  });
});
