/**
 * Servers on a node pair: the pure renderers of a server's DRBD resource file and libvirt domain
 * XML, the allocation of its DRBD minor and ports, the servers table, provisioning as a job
 * (Striker's `server.create` and the hosts' `server.provision`), the actions and the API.
 */
export { absolutePathSchema, hostNameSchema, serverNamePattern, serverNameSchema } from './server-names.js';
export {
  drbdDevicePath, drbdDrHostSchema, drbdHostSchema, drbdResourceInputSchema, maxDrbdMinor, portsPerServer, renderDrbdResource,
  type DrbdResource, type DrbdResourceInput,
} from './drbd-resource.js';
export {
  bridgeFor, domainNetworkSchema, domainXmlInputSchema, osVariants, osVariantSchema, renderDomainXml, serverNetworkKeySchema,
  type DomainSpec, type DomainXmlInput,
} from './domain-xml.js';
export {
  allocateServer, allocationRequestSchema, firstDrbdPort, lastDrbdPort,
  type AllocatedHost, type Allocation, type AllocationRequest, type ExistingServer,
} from './allocate-server.js';
export { backingVolumePath, type ServerStorage } from './backing-volume.js';
export { parseServersConfig, serversConfigSchema, storageOf, type ServersConfig } from './servers-config.js';
export { provisionSteps, serverStates, type DefinitionConflict, type DefinitionReportAnswer, type ServerDefinition, type ProvisionStep, type Server, type ServerHost, type ServerMigration, type ServerNetwork, type ServerState } from './server-record.js';
export { createServerSchema, serverActionSchema, type CreateServerInput, type CreateServerRequest, type ServerActionRequest } from './server-request.js';
export { pairForServers, type PairForServers, type PairHost } from './pair-hosts.js';
export { planProvisioning, type ProvisionPlan } from './provision-plan.js';
export { serverCreateJobKind, serverCreateKind } from './provision-job.js';
export { createServer, migrationReportSchema, recordMigration, recordReportedMigrations, serverAction } from './actions.js';
export { defaultMigrationLogPath, migrationRecordSchema, parseMigrationLog, readMigrationLog, type MigrationRecord } from './migration-log.js';
export { followPacemaker, runStateOf, type NodeClusterView, type RunState } from './run-state.js';
export { getServer, insertMigration, listServers, medianMigrationMs, serverMigrations, updateRunState } from './servers-store.js';
export { serversRoutes, type DefinitionSettleResponse, type ServerJobResponse, type ServerListResponse, type ServerResponse } from './servers-routes.js';
export {
  definitionReportSchema, definitionView, normaliseVersionOneHashes, recordRenderedDefinition, reportDefinition, settleConflictSchema, settleDefinitionConflict, type DefinitionView,
} from './definition-actions.js';
export { definitionHash, maxDefinitionBytes, normaliseDomainXml, readDomainXml } from './domain-definition.js';
export { serverDefineRunner, type DefineHostDeps, type DefinePayload } from './define-host.js';
export { drbdDryRunNote, runDrbdadm } from './drbd-dry-run.js';
export { checkDefinitions, type DefinitionCheck, type DefinitionWatchDeps } from './definition-watch.js';
export {
  defaultProvisionHostPaths, definitionPath, pacemakerCreateArgv, provisionHostSteps, serverProvisionRunner, stepsFor,
  type ProvisionHostDeps, type ProvisionHostPaths, type ProvisionHostStep,
} from './provision-host.js';
