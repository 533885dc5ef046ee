/**
 * Fence agents from their real metadata: the parser, the device form and parameter check, the
 * catalog of installed agents and its API routes. The manifest validator takes a
 * FenceParameterCheck; striker/app builds it from a loaded catalog and registers the routes.
 */
export { AGENT_NAME, fenceParameterTypes, isSecretParameter, parseFenceMetadata, type FenceAgentMetadata, type FenceParameter, type FenceParameterType } from './fence-metadata-parser.js';
export {
  checkFenceParameters, fenceForm, fenceParameterCheck, labelOf,
  type FenceCheckOptions, type FenceForm, type FenceFormField, type FenceParameterCheck, type FenceParameterInput, type FenceParameterOutcome, type FenceParameterValue,
} from './fence-form.js';
export { FenceAgentCatalog, checkAgentName, type FenceAgentCatalogOptions, type FenceAgentSummary } from './fence-agent-catalog.js';
export { FENCE_AGENT_DIR, installedFenceAgents, type InstalledFenceAgents } from './installed-fence-agents.js';
export { fenceAgentRoutes, type FenceAgentListResponse, type FenceAgentResponse } from './fence-agent-routes.js';
