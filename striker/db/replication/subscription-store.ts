/**
 * This Striker's subscriptions to its peers' publications. CREATE/DROP SUBSCRIPTION and REFRESH
 * cannot run inside a transaction block: every statement here runs on its own.
 */
import pg from 'pg';
import type { DbReader, DbWriter } from '../database.js';
import { quoteIdent, quoteLiteral } from '../sql-quote.js';
import { PUBLICATION, peerOfSubscription, slotName, subscriptionName } from './names.js';

type Db = DbReader & DbWriter;

export interface SubscribeOptions {
  /** The peer's node name (its `replication_node` name). */
  name: string;
  /** postgres:// URL of the peer's database, as this Striker's PostgreSQL reaches it. */
  connectionString: string;
  /**
   * Copy the rows the peer holds now. Exactly one side seeds a new peer: the new Striker copies from
   * one existing peer (true); every other subscription of the site to or from it is false.
   */
  copyData: boolean;
}

export interface SubscriptionRow {
  subscription: string;
  peer: string;
  enabled: boolean;
  connectionString: string;
}

/**
 * How every subscription of a Striker applies its peer's changes (PostgreSQL's subscription
 * parameters; `applySubscriptionOptions` brings existing subscriptions to them):
 * - `binary`: column values travel in their binary form, so the apply worker does not parse each
 *   value's text (timestamps, uuids) for every row. PostgreSQL uses it for every column whose type
 *   has binary send and receive functions, and the initial copy needs all of them to have one:
 *   `apply-options.test.ts` checks every replicated column's type.
 * - `streaming = parallel`: a transaction larger than the peer's logical_decoding_work_mem is
 *   streamed while it is still being decoded and applied by a parallel apply worker as it
 *   arrives, instead of being spilled to disk on the peer and sent whole at its commit. (When
 *   applying one in parallel fails, PostgreSQL retries it in the apply worker itself.)
 */
export const SUBSCRIPTION_OPTIONS = Object.freeze({ binary: true, streaming: 'parallel' } as const);

const OPTIONS_SQL = `binary = ${SUBSCRIPTION_OPTIONS.binary}, streaming = ${SUBSCRIPTION_OPTIONS.streaming}`;
/** pg_subscription.substream of each streaming mode. */
const SUBSTREAM = { off: 'f', on: 't', parallel: 'p' } as const;

/**
 * Subscribes to the peer's publication with origin = none (changes a peer applied from a third
 * Striker are not sent again) and SUBSCRIPTION_OPTIONS. disable_on_error stays off: PostgreSQL
 * would also disable the subscription when the peer merely restarts (a lost connection is an error
 * of the apply worker too), and the only apply error the conflict rules leave, a peer's schema
 * being ahead, clears itself once this Striker is upgraded; until then the apply worker retries
 * and status says why.
 */
export async function createSubscription(db: Db, localNode: string, options: SubscribeOptions): Promise<void> {
  const sub = subscriptionName(options.name);
  await db.write(
    `CREATE SUBSCRIPTION ${quoteIdent(sub)} CONNECTION ${quoteLiteral(options.connectionString)} PUBLICATION ${quoteIdent(PUBLICATION)}
     WITH (origin = none, copy_data = ${options.copyData ? 'true' : 'false'}, disable_on_error = false, ${OPTIONS_SQL},
           slot_name = ${quoteLiteral(slotName(localNode, options.name))})`,
  );
}

/**
 * Sets SUBSCRIPTION_OPTIONS on every subscription of this Striker that differs (one made before
 * they were chosen); PostgreSQL restarts its apply worker, which goes on from where it was.
 * Returns the peers whose subscription changed.
 */
export async function applySubscriptionOptions(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ subname: string }>(
    `SELECT subname FROM pg_catalog.pg_subscription
      WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
        AND (subbinary IS DISTINCT FROM $1 OR substream IS DISTINCT FROM $2::"char") ORDER BY subname`,
    [SUBSCRIPTION_OPTIONS.binary, SUBSTREAM[SUBSCRIPTION_OPTIONS.streaming]],
  );
  const changed: string[] = [];
  for (const r of rows) {
    const peer = peerOfSubscription(r.subname);
    if (peer === undefined) continue;
    await db.write(`ALTER SUBSCRIPTION ${quoteIdent(r.subname)} SET (${OPTIONS_SQL})`);
    changed.push(peer);
  }
  return changed;
}

/** Each subscription's transfer options, as PostgreSQL holds them. */
export async function subscriptionOptions(db: DbReader): Promise<{ peer: string; binary: boolean; streaming: 'off' | 'on' | 'parallel' }[]> {
  const { rows } = await db.query<{ subname: string; subbinary: boolean; substream: string }>(
    `SELECT subname, subbinary, substream FROM pg_catalog.pg_subscription
      WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) ORDER BY subname`,
  );
  const mode = (c: string) => (c === 'p' ? 'parallel' : c === 't' ? 'on' : 'off');
  return rows.flatMap((r) => {
    const peer = peerOfSubscription(r.subname);
    return peer === undefined ? [] : [{ peer, binary: r.subbinary, streaming: mode(r.substream) }];
  });
}

/**
 * Drops the subscription and its slot on the peer. When the peer cannot be reached, the slot is
 * left there (`slotLeft`): remove it on the peer, or it keeps WAL until max_slot_wal_keep_size.
 */
export async function dropSubscription(db: Db, peer: string): Promise<{ dropped: boolean; slotLeft: boolean }> {
  const sub = subscriptionName(peer);
  const exists = await db.query('SELECT 1 FROM pg_catalog.pg_subscription WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())', [sub]);
  if (!exists.rowCount) return { dropped: false, slotLeft: false };
  await db.write(`ALTER SUBSCRIPTION ${quoteIdent(sub)} DISABLE`);
  try {
    await db.write(`DROP SUBSCRIPTION ${quoteIdent(sub)}`);
    return { dropped: true, slotLeft: false };
  } catch {
    await db.write(`ALTER SUBSCRIPTION ${quoteIdent(sub)} SET (slot_name = NONE)`);
    await db.write(`DROP SUBSCRIPTION ${quoteIdent(sub)}`);
    return { dropped: true, slotLeft: true };
  }
}

export async function listSubscriptions(db: DbReader): Promise<SubscriptionRow[]> {
  const { rows } = await db.query<{ subname: string; subenabled: boolean; subconninfo: string }>(
    `SELECT subname, subenabled, subconninfo FROM pg_catalog.pg_subscription
      WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) ORDER BY subname`,
  );
  return rows.flatMap((r) => {
    const peer = peerOfSubscription(r.subname);
    return peer === undefined ? [] : [{ subscription: r.subname, peer, enabled: r.subenabled, connectionString: r.subconninfo }];
  });
}

export async function setSubscriptionEnabled(db: DbWriter, peer: string, enabled: boolean): Promise<void> {
  await db.write(`ALTER SUBSCRIPTION ${quoteIdent(subscriptionName(peer))} ${enabled ? 'ENABLE' : 'DISABLE'}`);
}

/** Tables of the peer's publication this subscription does not hold yet. */
export async function subscribedTables(db: DbReader, peer: string): Promise<string[]> {
  const { rows } = await db.query<{ relname: string }>(
    `SELECT c.relname FROM pg_catalog.pg_subscription_rel r JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
       JOIN pg_catalog.pg_class c ON c.oid = r.srrelid WHERE s.subname = $1 ORDER BY c.relname`,
    [subscriptionName(peer)],
  );
  return rows.map((r) => r.relname);
}

/** ALTER SUBSCRIPTION … REFRESH PUBLICATION: takes up tables the peer added to its publication. */
export async function refreshSubscription(db: DbWriter, peer: string, copyData: boolean): Promise<void> {
  await db.write(`ALTER SUBSCRIPTION ${quoteIdent(subscriptionName(peer))} REFRESH PUBLICATION WITH (copy_data = ${copyData ? 'true' : 'false'})`);
}

/** The tables the peer publishes now, asked over the subscription's own connection string. */
export async function peerPublishedTables(connectionString: string, timeoutMs = 3000): Promise<string[]> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, application_name: 'striker-replication-refresh' });
  try {
    await client.connect();
    const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_catalog.pg_publication_tables WHERE pubname = $1 ORDER BY tablename', [PUBLICATION]);
    return rows.map((r) => r.tablename);
  } finally {
    await client.end().catch(() => undefined);
  }
}
