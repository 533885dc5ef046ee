/**
 * Actions on the cluster that agents run on a node (injected into the agent by the app): moving,
 * stopping and starting servers (pacemaker resources), each waiting for the result in crm_mon.
 */
export { serversRunners, defaultClusterActionTiming, moveArgv, clearArgv, targetRoleArgv, type ActionContext, type ActionResult, type ServersRunners } from './servers-runners.js';
export { crmMonArgv, readCluster, waitForCluster, placement, type ClusterActionDeps, type WaitVerdict } from './cluster-watch.js';
