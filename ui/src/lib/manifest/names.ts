/**
 * The Anvil! names of a pair (striker/manifest/names.ts, bundled as it is) as the pair step shows
 * them while they are typed, and what each host is called in the wizard's words.
 */
import { pairNames as anvilNames } from '../../../../striker/manifest/names.js';
import type { HostSlot } from './manifest-types.js';

/** The names the prefix and number typed so far give; `??` where the number is not one yet. */
export function pairNames(prefix: string, sequence: number): { pair: string } & Record<HostSlot, string> {
  const p = prefix.trim().toLowerCase() || 'an';
  const valid = Number.isInteger(sequence) && sequence > 0 && sequence < 100;
  const names = anvilNames({ prefix: p, sequence: valid ? sequence : 0, domain: '' });
  const fix = (name: string) => (valid ? name : name.replace('-anvil-00', '-anvil-??').replace(/-a00/, '-a??'));
  return { pair: fix(names.anvil), node1: fix(names.hosts.node1.short), node2: fix(names.hosts.node2.short), dr: fix(names.hosts.dr.short) };
}

export const slotTitles: Record<HostSlot, string> = { node1: 'Subnode 1', node2: 'Subnode 2', dr: 'DR host' };
