/**
 * Machines, their boot timelines, DHCP leases and PXE counters over the API. Describing a machine
 * and reinstalling one whose install failed are the machines actions (actions.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { PxeStatusSource } from '../../pxe/index.js';
import type { Database } from '../db/database.js';
import { describeMachine, machineMacOf, reinstallMachine, type ReservedIpCheck } from './actions.js';
import { bootPhases, type BootPhase } from './boot-phases.js';
import { getMachine, listMachines, machineTimeline, type Machine, type TimelineEntry } from './machine-store.js';

/** GET /api/machines */
export interface MachineListResponse {
  machines: Machine[];
}

/** GET /api/machines/:mac: the machine, its boot timeline (oldest first) and the phases of its last boot (boot-phases.ts). */
export interface MachineDetailResponse {
  machine: Machine;
  timeline: TimelineEntry[];
  phases: BootPhase[];
}

/** PATCH /api/machines/:mac */
export interface MachineResponse {
  machine: Machine;
}

export function machineRoutes(app: FastifyInstance, deps: { db: Database; pxe: PxeStatusSource; onMachineChanged?: () => void; checkReservedIp?: ReservedIpCheck }): void {
  app.get('/api/machines', { config: { access: 'viewer' } }, async (): Promise<MachineListResponse> => ({ machines: await listMachines(deps.db) }));

  app.get<{ Params: { mac: string } }>('/api/machines/:mac', { config: { access: 'viewer' } }, async (request): Promise<MachineDetailResponse> => {
    const mac = machineMacOf(request.params.mac);
    const machine = await getMachine(deps.db, mac);
    const timeline = await machineTimeline(deps.db, mac);
    return { machine, timeline, phases: bootPhases(timeline) };
  });

  app.patch<{ Params: { mac: string } }>('/api/machines/:mac', { config: { access: 'operator' } }, async (request): Promise<MachineResponse> => {
    const machine = await describeMachine(deps.db, request.actor!, request.params.mac, request.body, { requestId: request.id, inputPath: 'body' }, deps.checkReservedIp);
    deps.onMachineChanged?.();
    return { machine };
  });

  app.post<{ Params: { mac: string } }>('/api/machines/:mac/reinstall', { config: { access: 'operator' } }, async (request): Promise<MachineResponse> => {
    const machine = await reinstallMachine(deps.db, request.actor!, request.params.mac, { requestId: request.id });
    deps.onMachineChanged?.();
    return { machine };
  });

  app.get('/api/leases', { config: { access: 'viewer' } }, async () => ({ leases: deps.pxe.leases() }));
  app.get('/api/pxe/status', { config: { access: 'viewer' } }, async () => deps.pxe.status());
}
