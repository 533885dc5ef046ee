/**
 * The Anvil! names a pair takes from its prefix and number: the pair `<prefix>-anvil-<NN>`, its
 * subnodes `<prefix>-a<NN>n01` and `n02`, its DR host `<prefix>-a<NN>dr01` (NN two digits). The
 * review shows the names the Striker's plan answers; this is what the pair step shows as it is typed.
 */
import type { HostSlot } from './manifest-types';

export function pairNames(prefix: string, sequence: number): { pair: string } & Record<HostSlot, string> {
  const p = prefix.trim().toLowerCase() || 'an';
  const nn = Number.isInteger(sequence) && sequence > 0 ? String(sequence).padStart(2, '0') : '??';
  return { pair: `${p}-anvil-${nn}`, node1: `${p}-a${nn}n01`, node2: `${p}-a${nn}n02`, dr: `${p}-a${nn}dr01` };
}

export const slotTitles: Record<HostSlot, string> = { node1: 'Subnode 1', node2: 'Subnode 2', dr: 'DR host' };
