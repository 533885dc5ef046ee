/**
 * Machines, their boot timelines, DHCP leases and PXE counters over the API.
 */
import type { FastifyInstance } from 'fastify';
import type { PxeStatusSource } from '../../pxe/index.js';
import { parseBody } from '../http/body.js';
import type { Database } from '../db/database.js';
import { NotFoundError } from '../core/errors/index.js';
import { describeMachine, getMachine, listMachines, machineChangeSchema, machineTimeline, macSchema, type Machine, type TimelineEntry } from './machine-store.js';

/** GET /api/machines */
export interface MachineListResponse {
  machines: Machine[];
}

/** GET /api/machines/:mac: the machine and its boot timeline, oldest first. */
export interface MachineDetailResponse {
  machine: Machine;
  timeline: TimelineEntry[];
}

/** PATCH /api/machines/:mac */
export interface MachineResponse {
  machine: Machine;
}

export function machineRoutes(app: FastifyInstance, deps: { db: Database; pxe: PxeStatusSource; onMachineChanged?: () => void }): void {
  const parseMac = (raw: string): string => {
    const r = macSchema.safeParse(raw);
    if (!r.success) throw new NotFoundError('machine', raw);
    return r.data;
  };

  app.get('/api/machines', { config: { access: 'viewer' } }, async (): Promise<MachineListResponse> => ({ machines: await listMachines(deps.db) }));

  app.get<{ Params: { mac: string } }>('/api/machines/:mac', { config: { access: 'viewer' } }, async (request): Promise<MachineDetailResponse> => {
    const mac = parseMac(request.params.mac);
    return { machine: await getMachine(deps.db, mac), timeline: await machineTimeline(deps.db, mac) };
  });

  app.patch<{ Params: { mac: string } }>('/api/machines/:mac', { config: { access: 'operator' } }, async (request): Promise<MachineResponse> => {
    const mac = parseMac(request.params.mac);
    const change = parseBody(machineChangeSchema, request.body);
    const machine = await describeMachine(deps.db, request.actor!, mac, change, request.id);
    deps.onMachineChanged?.();
    return { machine };
  });

  app.get('/api/leases', { config: { access: 'viewer' } }, async () => ({ leases: deps.pxe.leases() }));
  app.get('/api/pxe/status', { config: { access: 'viewer' } }, async () => deps.pxe.status());
}
