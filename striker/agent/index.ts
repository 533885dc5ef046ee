/**
 * The agent area's public surface for Striker's side (striker/app wires it). The host side's
 * surface is host.ts, kept apart so the agent's bundle reaches neither fastify nor PostgreSQL.
 */
export { agentArea, type AgentArea, type AgentAreaDeps } from './agent-area.js';
export { enqueueHostJob, addHostJob, type HostJobRequest, revokeCredential, rotateCredential, issueCredentialAtRegistration, type IssuedCredential } from './actions.js';
export { listHosts, getHostAgent, type HostSummaryRow, type HostAgentRow } from './host-agent-store.js';
export { hostJobPayloads, type HostJobPayload } from './host-job-kinds.js';
export { liveCredentialOf } from './credential-store.js';
export { hostJobKinds, hostJobKindNames, isHostJobKind, type HostJobKind } from './host-job-kinds.js';
export { inventorySchema, type Inventory } from './inventory-schema.js';
export type { HostJobContext, HostJobResult, HostJobRunner } from './host-jobs.js';
