/**
 * Machines and their boot timelines in PostgreSQL: listing, one machine, its timeline, and the
 * operator's description of it (role, host name, reserved address).
 */
import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { audit, type Actor } from '../audit/audit-store.js';
import { ConflictError, NotFoundError } from '../core/errors/index.js';

import { machineRoles, type MachineRole, type MachineState } from '../../pxe/index.js';
import { ipv4Schema } from '../core/net/ipv4.js';
import { macSchema } from '../core/net/mac.js';

export { macSchema };

export interface Machine {
  id: string;
  mac: string;
  hostname: string | null;
  role: MachineRole | null;
  state: MachineState;
  reservedIp: string | null;
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

const COLUMNS = `id, mac, hostname, role, state, host(reserved_ip) AS "reservedIp", vendor, firmware,
  first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"`;


export const machineChangeSchema = z
  .strictObject({
    role: z.enum(machineRoles).nullable().optional(),
    hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a host name label (a-z, 0-9, dash; at most 63)').nullable().optional(),
    reservedIp: ipv4Schema.nullable().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'must change at least one of role, hostname, reservedIp');

export async function listMachines(q: Queryable): Promise<Machine[]> {
  const { rows } = await q.query<Machine>(`SELECT ${COLUMNS} FROM machines ORDER BY last_seen_at DESC NULLS LAST, mac`);
  return rows;
}

export async function getMachine(q: Queryable, mac: string): Promise<Machine> {
  const { rows } = await q.query<Machine>(`SELECT ${COLUMNS} FROM machines WHERE mac = $1`, [mac]);
  if (!rows[0]) throw new NotFoundError('machine', mac);
  return rows[0];
}

export async function machineTimeline(q: Queryable, mac: string, limit = 1000): Promise<TimelineEntry[]> {
  const { rows } = await q.query<TimelineEntry>(
    `SELECT at, step, host(ip) AS ip, details FROM boot_events WHERE mac = $1 ORDER BY at DESC, id LIMIT $2`,
    [mac, limit],
  );
  return rows.reverse();
}

/** Describes a machine (creating it if Striker has not seen it yet). */
export async function describeMachine(db: Database, actor: Actor, mac: string, change: z.output<typeof machineChangeSchema>, requestId?: string): Promise<Machine> {
  return db.tx(async (q) => {
    await q.query('INSERT INTO machines (mac) VALUES ($1) ON CONFLICT (mac) DO NOTHING', [mac]);
    try {
      await q.query(
        `UPDATE machines SET
           role = CASE WHEN $2::boolean THEN $3 ELSE role END,
           hostname = CASE WHEN $4::boolean THEN $5 ELSE hostname END,
           reserved_ip = CASE WHEN $6::boolean THEN $7::inet ELSE reserved_ip END,
           state = CASE WHEN $2::boolean AND $3 IS NULL THEN 'discovered'
                        WHEN $2::boolean AND state = 'discovered' THEN 'assigned' ELSE state END
         WHERE mac = $1`,
        [mac, 'role' in change, change.role ?? null, 'hostname' in change, change.hostname ?? null, 'reservedIp' in change, change.reservedIp ?? null],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new ConflictError(`address ${change.reservedIp} is already reserved for another machine`, { reservedIp: change.reservedIp });
      throw error;
    }
    await audit(q, actor, { action: 'machine.describe', targetKind: 'machine', targetId: mac, details: { ...change }, requestId });
    const { rows } = await q.query<Machine>(`SELECT ${COLUMNS} FROM machines WHERE mac = $1`, [mac]);
    return rows[0]!;
  });
}

/** Reserved addresses by MAC, for the DHCP server's cache. */
export async function reservations(q: Queryable): Promise<Map<string, { ip: string; hostname?: string }>> {
  const { rows } = await q.query<{ mac: string; ip: string; hostname: string | null }>(
    'SELECT mac, host(reserved_ip) AS ip, hostname FROM machines WHERE reserved_ip IS NOT NULL',
  );
  return new Map(rows.map((r) => [r.mac, r.hostname ? { ip: r.ip, hostname: r.hostname } : { ip: r.ip }]));
}

/** MACs of the machines an operator described (given a role). */
export async function describedMacs(q: Queryable): Promise<Set<string>> {
  const { rows } = await q.query<{ mac: string }>('SELECT mac FROM machines WHERE role IS NOT NULL');
  return new Set(rows.map((r) => r.mac));
}
