/**
 * The Anvil! naming convention for a pair: the Anvil! itself `<prefix>-anvil-<NN>`, its subnodes
 * `<prefix>-a<NN>n01` and `<prefix>-a<NN>n02`, its DR host `<prefix>-a<NN>dr01`, where NN is the
 * pair's sequence in two digits (`an-anvil-01`, `an-a01n02`, `an-a01dr01`). Pure.
 */
import type { HostKey } from './manifest-schema.js';

export interface PairIdentity {
  prefix: string;
  sequence: number;
  domain: string;
}

export interface PairNames {
  anvil: string;
  hosts: Record<HostKey, { short: string; fqdn: string }>;
}

function twoDigits(sequence: number): string {
  return String(sequence).padStart(2, '0');
}

/** `an-anvil-01`: the name of the pair (the Anvil!) and of its cluster. */
export function anvilName(prefix: string, sequence: number): string {
  return `${prefix}-anvil-${twoDigits(sequence)}`;
}

const hostSuffix: Record<HostKey, string> = { node1: 'n01', node2: 'n02', dr: 'dr01' };

/** `an-a01n01`, `an-a01n02`, `an-a01dr01`: a host's short name. */
export function hostName(prefix: string, sequence: number, host: HostKey): string {
  return `${prefix}-a${twoDigits(sequence)}${hostSuffix[host]}`;
}

/** Every name of a pair, short and fully qualified. */
export function pairNames(pair: PairIdentity): PairNames {
  const host = (key: HostKey) => {
    const short = hostName(pair.prefix, pair.sequence, key);
    return { short, fqdn: `${short}.${pair.domain}` };
  };
  return { anvil: anvilName(pair.prefix, pair.sequence), hosts: { node1: host('node1'), node2: host('node2'), dr: host('dr') } };
}
