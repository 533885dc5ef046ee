/**
 * The DR host of a node pair: the link (protocol and mode per pair), protection per server (the
 * DR host added to the server's DRBD resource), the DR host's job runners, the boot-sync-shutdown
 * cycle and its schedule, and the API.
 */
export * from './dr-record.js';
export { drLinkRequestSchema, drProtectRequestSchema, drScheduleSchema, drUnlinkRequestSchema, type DrLinkRequest } from './dr-request.js';
export { drBmcFromManifests, drBmcOf, drHostOf, type DrHost } from './dr-pair.js';
export { planProtection, type ProtectPlan } from './protect-plan.js';
export { drStatus, linkDr, protectServer, recordLinked, recordProtectionDone, unlinkDr, unprotectServer, type DrPairStatus, type DrStatus } from './actions.js';
export { drRoutes, type DrLinkResponse, type DrProtectionResponse, type DrStatusResponse } from './dr-routes.js';
export { defaultDrHostPaths, drHostRunners, drLinkedPath, drProtectionPath, type DrHostDeps, type DrHostPaths } from './dr-host-runners.js';
export { syncLag, type SyncLag } from './sync-wait.js';
export { syncWaitRunner, type SyncWaitDeps } from './sync-wait-runner.js';
export { drCycleJobKind, drCycleKind, drCyclePayload, runDrCycle, type CycleOutcome, type CycleSteps, type DrBmcLookup, type DrCycleDeps } from './dr-cycle.js';
export { DrScheduler, type DrSchedulerOptions } from './dr-scheduler.js';
