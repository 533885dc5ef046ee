/**
 * Replication between Strikers' databases (PostgreSQL logical replication, origin = none), the
 * conflict rules, and schema versions across peers. README.md explains how it works.
 *
 * Start-up (after migrations): `prepareReplication(db, { logger, nodeName })`.
 * Peering: `subscribeToPeer(db, { name, connectionString, copyData })` on each side — copyData true
 * only on the new Striker's subscription to one existing peer — and `unsubscribeFromPeer(db, name)`.
 * After a migration that adds a table on every peer: `ensurePublication` (each side), then
 * `refreshSubscriptions` (each side). Status: `replicationStatus(db, { probePeers })`.
 * Conflicts: `listConflicts`, `markConflictResolved`; `shareConflicts` (the watch does it).
 */
export {
  assertServerSettings,
  checkServerSettings,
  ensurePublication,
  prepareReplication,
  refreshSubscriptions,
  replicationStatus,
  subscribeToPeer,
  unsubscribeFromPeer,
  type PrepareOptions,
  type PrepareResult,
  type PublicationResult,
  type RefreshOutcome,
} from './replication.js';
export { localNodeName, schemaVersions, type SchemaVersionRow } from './publication-store.js';
export { setSubscriptionEnabled, listSubscriptions, subscriptionOptions, SUBSCRIPTION_OPTIONS, type SubscribeOptions, type SubscriptionRow } from './subscription-store.js';
export type { ReplicationStatus, SlotStatus, SubscriptionStatus } from './status-store.js';
export { listConflicts, markConflictResolved, purgeRowDeletions, shareConflicts, type ConflictRow } from './conflict-store.js';
export { judgeServerSettings, replicationServerFlags, type ReplicationServerOptions, type SettingProblem } from './server-settings.js';
export { replicatedTables, tableClasses, unclassifiedTables, type TableClass } from './table-classification.js';
export { checkNodeName, PUBLICATION, REPLICATION_CHANNEL } from './names.js';
export { ReplicationWatch } from './replication-watch.js';
