/**
 * The setup-checklist step the machines area owns: a machine has been seen on the network (it
 * PXE-booted) or installed. `striker/app` assembles it into the checklist.
 */
import type { DbReader } from '../db/database.js';
import { listMachines } from './machine-store.js';

export async function machinesSetupStep(q: DbReader): Promise<{ done: boolean; detail: string }> {
  const machines = await listMachines(q);
  const seen = machines.filter((m) => m.firstSeenAt !== null || m.state === 'installed');
  const installed = machines.filter((m) => m.state === 'installed').length;
  if (seen.length === 0) {
    return { done: false, detail: machines.length === 0 ? 'No machine has booted from this Striker yet.' : `${machines.length} described, none booted from this Striker yet.` };
  }
  return { done: true, detail: `${seen.length} seen, ${installed} installed.` };
}
