/**
 * Machines, their boot timelines, DHCP leases and PXE counters over the API. Describing a machine
 * is the machines action (actions.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { PxeStatusSource } from '../../pxe/index.js';
import type { Database } from '../db/database.js';
import { describeMachine, machineMacOf } from './actions.js';
import { getMachine, listMachines, machineTimeline, type Machine, type TimelineEntry } from './machine-store.js';

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
  app.get('/api/machines', { config: { access: 'viewer' } }, async (): Promise<MachineListResponse> => ({ machines: await listMachines(deps.db) }));

  app.get<{ Params: { mac: string } }>('/api/machines/:mac', { config: { access: 'viewer' } }, async (request): Promise<MachineDetailResponse> => {
    const mac = machineMacOf(request.params.mac);
    return { machine: await getMachine(deps.db, mac), timeline: await machineTimeline(deps.db, mac) };
  });

  app.patch<{ Params: { mac: string } }>('/api/machines/:mac', { config: { access: 'operator' } }, async (request): Promise<MachineResponse> => {
    const machine = await describeMachine(deps.db, request.actor!, request.params.mac, request.body, { requestId: request.id, inputPath: 'body' });
    deps.onMachineChanged?.();
    return { machine };
  });

  app.get('/api/leases', { config: { access: 'viewer' } }, async () => ({ leases: deps.pxe.leases() }));
  app.get('/api/pxe/status', { config: { access: 'viewer' } }, async () => deps.pxe.status());
}
