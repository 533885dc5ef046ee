/**
 * The machines area's public surface: machines as PXE discovers them and operators describe them,
 * their boot timelines, DHCP leases mirrored to the database, and IEEE vendors.
 */
export { getMachine, listMachines, machineTimeline, macSchema, type Machine, type MachineChange, type TimelineEntry } from './machine-store.js';
export { diskNamePattern, installDisksSchema, MAX_INSTALL_DISKS, parseDiskList } from './install-disks.js';
export { describeMachine, machineChangeSchema, machineMacOf, reinstallMachine, type ReservedIpCheck } from './actions.js';
export { machineRoutes, type MachineDetailResponse, type MachineListResponse, type MachineResponse } from './machine-routes.js';
export { bootPhases, fileKind, type BootPhase, type BootPhaseName, type PhaseEvent } from './boot-phases.js';
export { DbTimeline, DEFAULT_MAX_EVENTS_PER_MACHINE, purgeBootEvents } from './timeline-store.js';
export { LeaseMirror } from './lease-mirror.js';
export { storedLeases } from './lease-store.js';
export { ReservationCache } from './reservation-cache.js';
export { dbBootFacts, recordVendors } from './boot-facts.js';
export { loadOuiTable, type OuiTable } from './oui.js';
export { machinesSetupStep } from './setup-step.js';
