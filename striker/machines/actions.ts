/**
 * The machines actions, each once for the API and the CLI: validation, the change and its audit
 * row in one transaction. Describing a machine: its role, host name, reserved address and the
 * disks its OS install must use. Reinstalling a machine whose install failed.
 */
import { z } from 'zod';
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors/index.js';
import { ipv4Schema } from '../core/net/ipv4.js';
import { macSchema } from '../core/net/mac.js';
import { parseInput } from '../core/validation/zod-problems.js';
import type { Database } from '../db/database.js';
import { machineRoles } from '../../pxe/index.js';
import { installDisksSchema } from './install-disks.js';
import { applyMachineChange, assignAgain, confirmReservation, getMachine, type Machine, type MachineChange } from './machine-store.js';

export const machineChangeSchema = z
  .strictObject({
    role: z.enum(machineRoles).nullable().optional(),
    hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a host name label (a-z, 0-9, dash; at most 63)').nullable().optional(),
    reservedIp: ipv4Schema.nullable().optional(),
    installDisks: installDisksSchema.nullable().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'must change at least one of role, hostname, reservedIp, installDisks') satisfies z.ZodType<MachineChange>;

/** A MAC from a URL or an argument, in canonical form; one that is not a MAC names no machine. */
export function machineMacOf(raw: string): string {
  const r = macSchema.safeParse(raw);
  if (!r.success) throw new NotFoundError('machine', raw.slice(0, 80));
  return r.data;
}

/** Why a reserved address cannot be used on this site (outside the PXE network), or undefined; the app hands it in. */
export type ReservedIpCheck = (ip: string) => Promise<string | undefined>;

/**
 * Describes a machine (creating it if Striker has not seen it yet). A reserved address the
 * `checkReservedIp` refuses (outside the network machines boot on) is a validation problem of
 * `reservedIp`, said when it is entered rather than when the machine fails to boot. A reserved address set by an
 * admin is confirmed at once; one set by an operator is not, until an admin sets it again (only a
 * confirmed address is trusted with the machine's kickstart, see kickstart/README.md).
 */
export async function describeMachine(db: Database, actor: Actor, rawMac: string, input: unknown, options: ActionOptions = {}, checkReservedIp?: ReservedIpCheck): Promise<Machine> {
  const mac = machineMacOf(rawMac);
  const change = parseInput(machineChangeSchema, input, 'machine', options.inputPath);
  if (typeof change.reservedIp === 'string' && checkReservedIp !== undefined) {
    const problem = await checkReservedIp(change.reservedIp);
    if (problem !== undefined) throw new ValidationError([{ path: options.inputPath ? `${options.inputPath}.reservedIp` : 'reservedIp', message: problem }], 'machine');
  }
  return db.tx(async (t) => {
    let machine = await applyMachineChange(t, mac, change);
    if (typeof change.reservedIp === 'string' && actor.role === 'admin') {
      await confirmReservation(t, mac, actor.name);
      machine = await getMachine(t, mac);
    }
    await audit(t, actor, { action: 'machine.describe', targetKind: 'machine', targetId: mac, details: { ...change }, requestId: options.requestId });
    return machine;
  });
}

/**
 * Reinstalls a machine whose install failed: back to `assigned`, so its next PXE boot installs it
 * again; its failure reason is cleared (the timeline keeps it). A machine in any other state is a
 * conflict naming that state (reinstalling an installed machine is describing it anew).
 */
export async function reinstallMachine(db: Database, actor: Actor, rawMac: string, options: ActionOptions = {}): Promise<Machine> {
  const mac = machineMacOf(rawMac);
  return db.tx(async (t) => {
    const before = await getMachine(t, mac);
    if (!(await assignAgain(t, mac))) {
      throw new ConflictError(`machine ${mac} is ${before.state}: only a machine whose install failed can be reinstalled`, { mac, state: before.state });
    }
    await audit(t, actor, { action: 'machine.reinstall', targetKind: 'machine', targetId: mac, details: { installError: before.installError }, requestId: options.requestId });
    return getMachine(t, mac);
  });
}
