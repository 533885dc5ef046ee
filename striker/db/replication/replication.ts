/**
 * The replication actions on one Striker's database: check the server, publish, subscribe to a
 * peer, refresh after a migration, and the start-up sequence that runs after migrations.
 */
import type { Logger } from 'pino';
import { ValidationError } from '../../core/errors/index.js';
import type { Database, DbReader } from '../database.js';
import { checkNodeName } from './names.js';
import {
  appliedSchemaVersion,
  attachConflictRules,
  localNodeName,
  readServerSettings,
  schemaTables,
  setLocalNodeName,
  setPublicationTables,
  writeSchemaVersion,
} from './publication-store.js';
import { CHECKED_SETTINGS, judgeServerSettings, settingsError, type SettingProblem } from './server-settings.js';
import { readReplicationStatus, type ReplicationStatus } from './status-store.js';
import { applySubscriptionOptions, createSubscription, dropSubscription, listSubscriptions, peerPublishedTables, refreshSubscription, subscribedTables, SUBSCRIPTION_OPTIONS, type SubscribeOptions } from './subscription-store.js';
import { shareConflicts } from './conflict-store.js';
import { replicatedTables, tableClasses, unclassifiedTables, type TableClass } from './table-classification.js';

/** Every server setting that is not as replication needs it (empty: ready). */
export async function checkServerSettings(db: DbReader): Promise<SettingProblem[]> {
  return judgeServerSettings(await readServerSettings(db, CHECKED_SETTINGS));
}

/** Throws REPLICATION_NOT_READY naming every wrong setting. */
export async function assertServerSettings(db: DbReader): Promise<void> {
  const problems = await checkServerSettings(db);
  if (problems.length > 0) throw settingsError(problems);
}

export interface PublicationResult {
  published: string[];
  /** Tables added to the publication now (peers refresh their subscriptions to take them up). */
  added: string[];
  /** Tables of the schema that are not classified: kept local until classified. */
  unclassified: string[];
}

/**
 * Attaches the conflict rules to every replicated table (and folds its live and feed triggers into
 * its one AFTER row trigger, ENABLE ALWAYS: a peer's changes are announced here as this Striker's
 * own are, see migration 0038) and makes the publication hold exactly the replicated tables
 * (idempotent: run at every start, after migrations).
 */
export async function ensurePublication(db: Database, classes: Readonly<Record<string, TableClass>> = tableClasses): Promise<PublicationResult> {
  const present = await schemaTables(db);
  const tables = replicatedTables(classes).filter((t) => present.includes(t.table));
  for (const t of tables) await attachConflictRules(db, t.table, t.mode, t.settledBy);
  const published = tables.map((t) => t.table);
  const added = await setPublicationTables(db, published);
  return { published, added, unclassified: unclassifiedTables(present, classes) };
}

/** Subscribes this Striker to a peer's publication (see SubscribeOptions.copyData for seeding). */
export async function subscribeToPeer(db: Database, options: SubscribeOptions): Promise<void> {
  checkNodeName(options.name, 'name');
  const local = await localNodeName(db);
  if (local === options.name) throw new ValidationError([{ path: 'name', message: `name is this Striker's own node name (${local}): a Striker does not subscribe to itself` }]);
  await createSubscription(db, local, options);
}

export async function unsubscribeFromPeer(db: Database, name: string): Promise<{ dropped: boolean; slotLeft: boolean }> {
  return dropSubscription(db, checkNodeName(name, 'name'));
}

export interface RefreshOutcome {
  peer: string;
  ok: boolean;
  error?: string;
}

/**
 * REFRESH PUBLICATION on every enabled subscription, so tables a peer added to its publication
 * (a migration that created a table) are replicated here. A newly taken-up table is copied
 * (copy_data = true by default): rows the peer wrote into it before this refresh would otherwise
 * never arrive, and rows this Striker already holds are no-ops under the insert conflict rule.
 * Tables already subscribed are not copied again. `onlyWhenChanged` first compares the peer's
 * publication with the tables subscribed and skips a peer with nothing new.
 */
export async function refreshSubscriptions(db: Database, options: { copyData?: boolean; onlyWhenChanged?: boolean } = {}): Promise<RefreshOutcome[]> {
  const outcomes: RefreshOutcome[] = [];
  for (const s of await listSubscriptions(db)) {
    if (!s.enabled) continue;
    try {
      if (options.onlyWhenChanged) {
        const [theirs, ours] = await Promise.all([peerPublishedTables(s.connectionString), subscribedTables(db, s.peer)]);
        if (theirs.join() === ours.join()) continue;
      }
      await refreshSubscription(db, s.peer, options.copyData ?? true);
      outcomes.push({ peer: s.peer, ok: true });
    } catch (error) {
      outcomes.push({ peer: s.peer, ok: false, error: (error as Error).message });
    }
  }
  return outcomes;
}

export async function replicationStatus(db: DbReader, options: { probePeers?: boolean; probeTimeoutMs?: number } = {}): Promise<ReplicationStatus> {
  return readReplicationStatus(db, options);
}

export interface PrepareOptions {
  logger: Logger;
  /** This Striker's node name; unset keeps the one it has (generated by migration 0013). */
  nodeName?: string;
  /** Refuse to start when a server setting is wrong (a system PostgreSQL). */
  checkSettings?: boolean;
  /** Which tables replicate (tests add their own tables). */
  classes?: Readonly<Record<string, TableClass>>;
}

export interface PrepareResult extends PublicationResult {
  node: string;
  schemaVersion: number;
  refreshed: RefreshOutcome[];
  /** Peers whose subscription was brought to SUBSCRIPTION_OPTIONS now (made before they were chosen). */
  optionsSet: string[];
  schemaBehind: ReplicationStatus['schemaBehind'];
}

/**
 * The start-up sequence, after migrations: check the server, name the node, attach the conflict
 * rules and publish (a new table first joins the publication here), record this Striker's schema
 * version (a peer that is behind refuses changes from here, visibly, until it is upgraded), say
 * when this Striker is behind a peer, bring every subscription to SUBSCRIPTION_OPTIONS (binary
 * transfer, parallel streaming) and refresh the subscriptions (a peer's new tables).
 */
export async function prepareReplication(db: Database, options: PrepareOptions): Promise<PrepareResult> {
  const log = options.logger;
  if (options.checkSettings !== false) await assertServerSettings(db);
  if (options.nodeName !== undefined) await setLocalNodeName(db, checkNodeName(options.nodeName, 'database.replication.nodeName'));
  const node = await localNodeName(db);
  const publication = await ensurePublication(db, options.classes ?? tableClasses);
  if (publication.unclassified.length > 0) {
    log.warn({ tables: publication.unclassified }, 'tables not classified in striker/db/replication/table-classification.ts stay local');
  }
  if (publication.added.length > 0) log.info({ tables: publication.added }, 'tables added to the replication publication');
  const schemaVersion = await appliedSchemaVersion(db);
  await writeSchemaVersion(db, schemaVersion);
  const before = await readReplicationStatus(db, { probePeers: true });
  for (const b of before.schemaBehind) {
    log.error({ peer: b.peer, peerVersion: b.peerVersion, localVersion: b.localVersion },
      `schema behind: ${b.peer} is at migration ${b.peerVersion}, this Striker at ${b.localVersion}; changes from ${b.peer} are held until this Striker is upgraded`);
  }
  const optionsSet = await applySubscriptionOptions(db);
  if (optionsSet.length > 0) log.info({ peers: optionsSet, options: SUBSCRIPTION_OPTIONS }, 'subscriptions set to transfer options');
  const refreshed = await refreshSubscriptions(db);
  for (const r of refreshed) if (!r.ok) log.warn({ peer: r.peer, err: r.error }, 'could not refresh the subscription to a peer');
  await shareConflicts(db);
  return { ...publication, node, schemaVersion, refreshed, optionsSet, schemaBehind: before.schemaBehind };
}
