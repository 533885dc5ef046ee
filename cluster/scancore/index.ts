/**
 * ScanCore's public surface: the scan agents and their cycle, readings and their store, health
 * scores, the decision engine and its configuration. See README.md.
 */
export { agentNames, type AgentName, isServer, type ClusterResource, type ClusterStatus, type ClusterStatusParser, type IpmiTarget, type ScanAgent, type ScanContext, type ScanTargets, type UpsTarget } from './agents/scan-agent.js';
export { scanAgents } from './agents/registry.js';
export { agentsFor, runScanCycle, type AgentOutcome, type HostScanPlan, type ScanCycleDeps, type ScanCycleResult } from './scan-cycle.js';
export { readingKey, stampReadings, worseStatus, type Reading, type ReadingStatus, type TimedReading } from './reading.js';
export { healthHistory, latestHealthScores, latestReadings, purgeScanHistory, recordScan, saveHealthScore, saveReadings } from './readings-store.js';
export { defaultHealthConditions, type HealthCondition } from './health-conditions.js';
export { healthScore, type HealthInput, type HealthReason, type HealthScore, type HostFacts } from './health-score.js';
export { nodeView, upsView, type NodeView, type PairView, type UpsView } from './pair-view.js';
export { coolDownMs, decide, type DecideResult, type Decision, type DecisionCause, type EngineMemory, type PairMemory } from './decide.js';
export { defaultScancoreConfig, parseScancoreConfig, scancoreConfigSchema, scancorePairSchema, type ScancoreConfig, type ScancorePair } from './scancore-config.js';
export { hostScanLoop, hostScanTargets, maxReadingsPerReport, scanReportSchema, type HostScanLoop, type HostScanLoopDeps, type ScanReport } from './scan-loop.js';
export { acceptScanReport, scancoreAgentRoutes, scancoreRoutes, type ScancoreDecisionsResponse, type ScancoreRouteDeps } from './scancore-routes.js';
export { clusterStatusFromReadings, maintenanceReason, ScancoreService, type ActOnDecision, type DecisionAlerts, type RoundResult, type ScancoreServiceDeps } from './scancore-service.js';
export { decisionOutcomes, listDecisions, maintenanceStates, setMaintenance, type DecisionJob, type DecisionOutcome, type MaintenanceState, type StoredDecision } from './decisions-store.js';
export { actionReason, actOnDecisions, decisionJobs, ipmiBootJobKind, ipmiBootKind, maintenanceInputSchema, setMaintenanceMode } from './actions.js';
export { mergePairs, pairFromManifest, watchedPairs, type WatchedPairsDeps } from './manifest-pairs.js';
export { alertSource, causeActive, decisionAlert, decisionAlertKey, endedConditions, type AlertClear, type AlertRaise } from './decision-alerts.js';
export { scancoreHostRoutes, type ScancoreHostResponse, type ScancoreSeriesResponse, type HostReadingView } from './scancore-host-routes.js';
export { alignSeries, bucketSeconds, HEALTH_METRIC, MAX_SERIES_POINTS, type Series, type SubjectSeries } from './series.js';
