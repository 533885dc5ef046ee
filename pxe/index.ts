/**
 * The PXE area's public surface: DHCP, TFTP and the HTTP boot routes started together on the
 * configured interface (`startPxeServices`), their configuration, and the types other areas
 * implement or read — the boot timeline, machine reservations, leases and boot facts.
 */
export { startPxeServices, type PxeServices, type PxeServicesDeps, type PxeStatusSource } from './pxe-services.js';
export { pxeConfigSchema, parsePxeConfig, checkPxeConfig, type PxeConfig, type PxeConfigInput } from './pxe-config.js';
export { machineRoles, machineStates, type MachineRole, type MachineState, type BootMachine, type BootKickstart } from './boot/boot-plan.js';
export { MemoryTimeline, type BootEvent, type BootStep, type BootTimeline } from './boot/timeline.js';
export type { BootFacts } from './http/boot-resolver.js';
export { noMachines, type MachineLookup, type Reservation } from './dhcp/machine-lookup.js';
export { viewLease, type Lease, type LeaseChange, type LeaseView } from './dhcp/lease.js';
export { PxeRuntime, type PxeRuntimeDeps } from './pxe-runtime.js';
export { pxeSettingsSchema, pxeSettingsProblems, reservedIpProblem, runningPxeSettings, suggestPxeSettings, withPxeSettings, type HostInterfacesResponse, type PxeSettings, type PxeSettingsResponse } from './pxe-settings.js';
export { listHostInterfaces, parseIpAddr, type HostInterface } from './host-interfaces.js';
