/**
 * Cluster operations (cluster/ops): each node's view of its cluster collected by its agent and
 * kept per pair, the pair's state for the API and the Cluster page, and the node actions.
 */
export { saveClusterReport, clusterReports, type StoredClusterReport } from './cluster-report-store.js';
export { clusterReportSchema, type ClusterReport } from './cluster-report.js';
export { anvilView, anvilSummary, type AnvilView, type AnvilSummary } from './anvil-view.js';
export { clusterRoutes } from './cluster-routes.js';
export { requestNodeAction, loadAnvil, nodeActionInputSchema, type ClusterOpsDeps, type NodeActionResult } from './node-action-request.js';
export { bmcFromScancorePairs, nodePowerJobKind, nodePowerKind, type BmcLookup } from './node-power-job.js';
