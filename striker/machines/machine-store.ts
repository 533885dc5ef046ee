/**
 * Machines and their boot timelines in PostgreSQL: listing, one machine, its timeline, the
 * operator's description of it (role, host name, reserved address, install disks), IEEE vendors, and what the
 * DHCP server's reservation cache reads.
 */
import type { DbReader, DbTx, DbWriter } from '../db/database.js';
import { ConflictError, NotFoundError } from '../core/errors/index.js';

import type { MachineRole, MachineState } from '../../pxe/index.js';
import { macSchema } from '../core/net/mac.js';

export { macSchema };

export interface Machine {
  id: string;
  mac: string;
  hostname: string | null;
  role: MachineRole | null;
  state: MachineState;
  reservedIp: string | null;
  /** Whether the reserved address is one an admin set or confirmed (see confirmReservation). */
  reservedIpConfirmed: boolean;
  /** The disks the OS install must use, in order; null lets the kickstart's disk planner pick the local disks. */
  installDisks: string[] | null;
  /** Why the last install failed (state `failed`): the installer's report or the install timeout; null otherwise. */
  installError: string | null;
  /** When the machine last fetched its kickstart (the install timeout counts from it). */
  installStartedAt: Date | null;
  vendor: string | null;
  firmware: string | null;
  firstSeenAt: Date | null;
  lastSeenAt: Date | null;
}

export interface TimelineEntry {
  at: Date;
  step: string;
  ip: string | null;
  details: Record<string, unknown>;
}

const COLUMNS = `m.id, m.mac, m.hostname, m.role, m.state, host(m.reserved_ip) AS "reservedIp",
  (m.reserved_ip IS NOT NULL AND c.ip IS NOT NULL AND c.ip = m.reserved_ip) AS "reservedIpConfirmed",
  m.install_disks AS "installDisks", m.install_error AS "installError", m.install_started_at AS "installStartedAt", m.vendor, m.firmware, m.first_seen_at AS "firstSeenAt", m.last_seen_at AS "lastSeenAt"`;
const FROM = 'machines m LEFT JOIN reservation_confirmations c ON c.mac = m.mac';


/** A description of a machine: each field present is set (null clears it). */
export interface MachineChange {
  role?: MachineRole | null | undefined;
  hostname?: string | null | undefined;
  reservedIp?: string | null | undefined;
  installDisks?: string[] | null | undefined;
}

export async function listMachines(q: DbReader): Promise<Machine[]> {
  const { rows } = await q.query<Machine>(`SELECT ${COLUMNS} FROM ${FROM} ORDER BY m.last_seen_at DESC NULLS LAST, m.mac`);
  return rows;
}

export async function getMachine(q: DbReader, mac: string): Promise<Machine> {
  const { rows } = await q.query<Machine>(`SELECT ${COLUMNS} FROM ${FROM} WHERE m.mac = $1`, [mac]);
  if (!rows[0]) throw new NotFoundError('machine', mac);
  return rows[0];
}

export async function machineTimeline(q: DbReader, mac: string, limit = 1000): Promise<TimelineEntry[]> {
  const { rows } = await q.query<TimelineEntry>(
    `SELECT at, step, host(ip) AS ip, details FROM boot_events WHERE mac = $1 ORDER BY at DESC, id LIMIT $2`,
    [mac, limit],
  );
  return rows.reverse();
}

/** Describes a machine, creating it if Striker has not seen it yet; a reserved address taken by another machine is a conflict. */
export async function applyMachineChange(t: DbTx, mac: string, change: MachineChange): Promise<Machine> {
  await t.write('INSERT INTO machines (mac) VALUES ($1) ON CONFLICT (mac) DO NOTHING', [mac]);
  try {
    await t.write(
      `UPDATE machines SET
         role = CASE WHEN $2::boolean THEN $3 ELSE role END,
         hostname = CASE WHEN $4::boolean THEN $5 ELSE hostname END,
         reserved_ip = CASE WHEN $6::boolean THEN $7::inet ELSE reserved_ip END,
         install_disks = CASE WHEN $8::boolean THEN $9::text[] ELSE install_disks END,
         state = CASE WHEN $2::boolean AND $3 IS NULL THEN 'discovered'
                      WHEN $2::boolean AND state = 'discovered' THEN 'assigned' ELSE state END
       WHERE mac = $1`,
      [mac, 'role' in change, change.role ?? null, 'hostname' in change, change.hostname ?? null, 'reservedIp' in change, change.reservedIp ?? null,
       'installDisks' in change, change.installDisks ?? null],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictError(`address ${change.reservedIp} is already reserved for another machine`, { reservedIp: change.reservedIp });
    throw error;
  }
  return getMachine(t, mac);
}

/**
 * A machine whose install failed goes back to `assigned` (its next PXE boot installs it again),
 * its failure reason cleared. False when the machine is not `failed` (nothing changed).
 */
export async function assignAgain(t: DbWriter, mac: string): Promise<boolean> {
  const { rowCount } = await t.write(
    `UPDATE machines SET state = 'assigned', install_error = NULL WHERE mac = $1 AND state = 'failed' AND role IS NOT NULL`,
    [mac],
  );
  return rowCount === 1;
}

/**
 * Records that an admin set or confirmed the machine's current reserved address (nothing when it
 * has none). A later change of the reservation by anyone else leaves the confirmation naming the
 * old address, so the new one is unconfirmed.
 */
export async function confirmReservation(t: DbWriter, mac: string, confirmedBy: string): Promise<void> {
  await t.write(
    `INSERT INTO reservation_confirmations (mac, ip, confirmed_by)
       SELECT mac, reserved_ip, $2 FROM machines WHERE mac = $1 AND reserved_ip IS NOT NULL
     ON CONFLICT (mac) DO UPDATE SET ip = EXCLUDED.ip, confirmed_by = EXCLUDED.confirmed_by, confirmed_at = clock_timestamp()`,
    [mac, confirmedBy],
  );
}

/** Stores the IEEE vendor of machines that have none yet. */
export async function setVendors(q: DbWriter, vendors: readonly (readonly [mac: string, vendor: string])[]): Promise<void> {
  await q.write(
    'UPDATE machines m SET vendor = v.vendor FROM unnest($1::text[], $2::text[]) AS v(mac, vendor) WHERE m.mac = v.mac AND m.vendor IS NULL',
    [vendors.map((e) => e[0]), vendors.map((e) => e[1])],
  );
}

/** Reserved addresses by MAC, for the DHCP server's cache. */
export async function reservations(q: DbReader): Promise<Map<string, { ip: string; hostname?: string }>> {
  const { rows } = await q.query<{ mac: string; ip: string; hostname: string | null }>(
    'SELECT mac, host(reserved_ip) AS ip, hostname FROM machines WHERE reserved_ip IS NOT NULL',
  );
  return new Map(rows.map((r) => [r.mac, r.hostname ? { ip: r.ip, hostname: r.hostname } : { ip: r.ip }]));
}

/** MACs of the machines an operator described (given a role). */
export async function describedMacs(q: DbReader): Promise<Set<string>> {
  const { rows } = await q.query<{ mac: string }>('SELECT mac FROM machines WHERE role IS NOT NULL');
  return new Set(rows.map((r) => r.mac));
}
