/**
 * The host side's public surface: what the agent process needs (its files, its runtime, the
 * inventory collector). Kept apart from index.ts (Striker's side, with routes and SQL) so the
 * agent's bundle reaches neither fastify nor PostgreSQL.
 */
export { defaultAgentConfigPath, defaultCredentialsPath, loadAgentConfig, loadAgentCredentials, type AgentConfig, type AgentCredentials } from './agent-config.js';
export { AgentRuntime, type AgentRuntimeOptions, type AgentScanLoop, type AgentState } from './agent-runtime.js';
export { collectInventory, type InventorySources } from './inventory-collector.js';
export { StrikerClient, AgentApiError } from './striker-client.js';
