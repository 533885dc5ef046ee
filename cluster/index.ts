/**
 * The cluster area's public surface: pure plans for a node pair (corosync.conf, the fencing CIB,
 * DRBD's global_common.conf), the reconciler that applies the CIB plan through pcs, the crm_mon
 * reader, node actions with their safety check, and the DRBD fence-peer handler.
 */
export {
  networkKinds, parsePairPlanInput, pairPlanInputSchema,
  type FenceMethods, type IpmiMethod, type NetworkKind, type PairNode, type PairPlanInput, type PduOutlet, type SecretLookup,
} from './pair-input.js';
export { pairInputFromManifest, type FromManifestOptions } from './pair-input-from-manifest.js';
export {
  corosyncAuthkeyBytes, generateCorosyncAuthkey, planCorosync, renderCorosyncConf,
  type CorosyncLink, type CorosyncNode, type CorosyncPlan, type CorosyncRenderOptions,
} from './corosync-plan.js';
export {
  defaultSplitBrainDelaySeconds, pcsOperationsFor, planCib, redactOperation,
  type CibPlan, type CibPlanOptions, type FenceLevel, type FenceMethodKind, type PcsOperation, type StonithDevice,
} from './cib-plan.js';
export { applyCibPlan, diffCib, liveCib, readCibFencing, type ApplyResult, type CibAccess, type LiveFencing } from './reconcile.js';
export { defaultFencePeerCommand, defaultUnfencePeerCommand, renderDrbdGlobalCommon, type DrbdGlobalOptions } from './drbd-global-plan.js';
export {
  nodesRunning, parseCrmMon,
  type ClusterNode, type ClusterState, type FailedAction, type FenceEvent, type ResourceInstance,
} from './crm-mon-parser.js';
export { canHost, checkNodeAction, nodeActionCommand, nodeActions, type NodeAction, type NodeActionCheck, type NodeActionRequest, type NodeCommand } from './node-actions.js';
export { decideFencePeer, type DiskState, type FencePeerDecision, type FencePeerFacts, type PeerClusterState } from './fence-peer/decide.js';
export { drbdFenceExit, type DrbdFenceExitCode } from './fence-peer/exit-codes.js';
export { banAttribute, banCommands, banConstraintId, powerFenceCommand, unbanCommands } from './fence-peer/ban-commands.js';
export { runFencePeer, targetFromEnv, type HandlerDeps, type HandlerTarget } from './fence-peer/handler.js';
