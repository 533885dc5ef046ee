/**
 * Moving the split-brain preference with the servers (see cib-plan.ts, "Who survives a split"):
 * the first device that fences the node running the servers carries `pcmk_delay_base`, so in a
 * split that node shoots first and survives. When the servers move to the other node, the delay
 * moves too — to the device of `to`'s first fencing level, taken off every other device — with
 * one `pcs stonith update` per device changed. Pure: the live fencing in, pcs operations out.
 */
import type { PcsOperation } from './cib-plan.js';
import type { LiveFencing } from './reconcile.js';

const DELAY = 'pcmk_delay_base';

/**
 * The operations that give the split-brain delay to `to`'s first fencing device; empty when it
 * already has it alone, or when no device carries a delay (no preference is configured, so there
 * is nothing to move). Throws when `to` has no fencing level: its preference cannot be set.
 */
export function movePreferenceOperations(live: LiveFencing, to: string): PcsOperation[] {
  const carriers = live.devices.filter((d) => (d.params[DELAY] ?? '') !== '');
  const value = carriers[0]?.params[DELAY];
  if (value === undefined) return [];
  const first = live.levels.filter((l) => l.target === to).sort((a, b) => a.index - b.index)[0];
  const device = first?.devices[0];
  if (device === undefined) throw new Error(`${to} has no fencing level, so the split-brain preference cannot move to it`);
  const ops: PcsOperation[] = [];
  if (live.devices.find((d) => d.id === device)?.params[DELAY] !== value) {
    ops.push({ args: ['stonith', 'update', device, `${DELAY}=${value}`], summary: `split-brain delay ${value} on ${device} (fences ${to}, which now runs the servers)` });
  }
  for (const d of carriers) {
    if (d.id !== device) ops.push({ args: ['stonith', 'update', d.id, `${DELAY}=`], summary: `split-brain delay off ${d.id}` });
  }
  return ops;
}
