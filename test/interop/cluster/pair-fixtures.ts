/**
 * Pair inputs shared by the cluster tests: one to three fence methods per node, with and without
 * PDUs (one PDU, or a redundant pair switched together), and the secrets they name.
 */
import { parsePairPlanInput, type PairPlanInput, type SecretLookup } from '../../../cluster/pair-input.js';

export const secrets: Record<string, string> = {
  'ipmi-n01': 'bmc-secret-1',
  'ipmi-n02': 'bmc-secret-2',
  'pdu-1': 'pdu-community-1',
  'pdu-2': 'pdu-community-2',
};

export const lookupSecret: SecretLookup = (ref) => {
  const value = secrets[ref];
  if (value === undefined) throw new Error(`no secret ${ref}`);
  return value;
};

export type FenceShape = 'ipmi' | 'ipmi+delay' | 'ipmi+pdu+delay' | 'ipmi+pdu-pair+delay' | 'pdu-pair';

function fenceFor(shape: FenceShape, n: 1 | 2): Record<string, unknown> {
  const ipmi = { address: `10.201.11.${n}`, username: 'admin', passwordRef: `ipmi-n0${n}` };
  const pdu1 = { device: 'an-pdu01', agent: 'fence_apc_snmp', params: { ip: '10.201.2.1' }, passwordRef: 'pdu-1', plug: String(n) };
  const pdu2 = { device: 'an-pdu02', agent: 'fence_apc_snmp', params: { ip: '10.201.2.2' }, passwordRef: 'pdu-2', plug: String(n) };
  switch (shape) {
    case 'ipmi': return { ipmi };
    case 'ipmi+delay': return { ipmi, delaySeconds: 60 };
    case 'ipmi+pdu+delay': return { ipmi, pdus: [{ outlets: [pdu1] }], delaySeconds: 60 };
    case 'ipmi+pdu-pair+delay': return { ipmi, pdus: [{ outlets: [pdu1, pdu2] }], delaySeconds: 60 };
    case 'pdu-pair': return { pdus: [{ outlets: [pdu1, pdu2] }] };
  }
}

/** A valid pair; `addresses` replaces node n's networks (node 1 gets .1, node 2 .2). */
export function pairInput(options: { shape?: FenceShape; networks?: readonly ('sn' | 'ifn' | 'mn')[]; preferred?: 1 | 2 } = {}): PairPlanInput {
  const networks = options.networks ?? ['sn', 'ifn', 'mn'];
  const subnet = { sn: '10.101', ifn: '10.255', mn: '10.199' } as const;
  const node = (n: 1 | 2) => ({
    name: `an-a01n0${n}`,
    addresses: Object.fromEntries([['bcn', `10.201.10.${n}`], ...networks.map((k) => [k, `${subnet[k]}.10.${n}`])]),
    fence: fenceFor(options.shape ?? 'ipmi+pdu+delay', n),
  });
  return parsePairPlanInput({ clusterName: 'an-anvil-01', nodes: [node(1), node(2)], preferredNode: `an-a01n0${options.preferred ?? 1}` });
}
