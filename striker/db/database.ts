/**
 * The database seam: a `pg` pool behind three roles, so a store function says what it needs and an
 * N-database writer can route each call:
 *
 * - `DbReader.query` — statements that change nothing (SELECT).
 * - `DbWriter.write` — statements that change rows (INSERT, UPDATE, DELETE, with RETURNING when the
 *   caller needs rows back).
 * - `Database.tx(fn)` — a transaction: `fn` gets a `DbTx`, a reader and writer on one connection,
 *   committed together or not at all.
 *
 * A read takes a `DbReader`; a single-statement write takes a `DbWriter`; work that must see its own
 * writes or change several rows at once takes a `DbTx`. Actions (`actions.ts` in each area) open the
 * transaction and write their audit row in it.
 *
 * SQL lives only in `*-store.ts` modules. The exception is `migrate.ts`, the migration engine: it runs
 * the numbered migrations as they are, on one dedicated connection under an advisory lock.
 *
 * With several `database.urls` configured, the first is used for reads and writes; replicating
 * writes to every Striker's database and resyncing after an outage is the N-database writer's job,
 * which implements these roles (see README).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { StrikerError } from '../core/errors/index.js';

// timestamptz → Date (pg default), bigint (int8) → number: our counters fit in 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

export type DbRow = pg.QueryResultRow;
export type DbResult<R extends DbRow = DbRow> = pg.QueryResult<R>;

/** Statements that change nothing. */
export interface DbReader {
  query<R extends DbRow = DbRow>(text: string, values?: readonly unknown[]): Promise<DbResult<R>>;
}

/** Statements that change rows. */
export interface DbWriter {
  write<R extends DbRow = DbRow>(text: string, values?: readonly unknown[]): Promise<DbResult<R>>;
}

/** Inside a transaction: reads and writes on one connection, committed together. */
export interface DbTx extends DbReader, DbWriter {
  readonly inTransaction: true;
}

/** A LISTEN on a dedicated connection; `close` ends it and discards the connection. */
export interface DbListener {
  close(): void;
}

export interface Database extends DbReader, DbWriter {
  readonly url: string;
  /** Runs `fn` in a transaction; rolls back if it throws. */
  tx<T>(fn: (t: DbTx) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel` (or on each of several channels) on a connection of its own; `onNotify`
   * is told which channel a payload came on. `onLost` is called once if that connection fails
   * (the listener is then closed; listen again to resume).
   */
  listen(channel: string | readonly string[], onNotify: (payload: string | undefined, channel: string) => void, onLost: (error: Error) => void): Promise<DbListener>;
  /** A dedicated connection (the migration engine's advisory lock). Release it when done. */
  connect(): Promise<pg.PoolClient>;
  ping(): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  close(): Promise<void>;
}

function txHandle(client: pg.PoolClient): DbTx {
  return {
    inTransaction: true,
    query: (text, values) => client.query(text, values as unknown[]),
    write: (text, values) => client.query(text, values as unknown[]),
  };
}

export function openPool(url: string, options: { poolSize: number; logger: Logger; applicationName?: string }): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    application_name: options.applicationName ?? 'striker',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process.
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle database connection failed'));
  let closed = false;
  const db: Database = {
    url,
    query: (text, values) => pool.query(text, values as unknown[]),
    write: (text, values) => pool.query(text, values as unknown[]),
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(txHandle(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify, onLost) {
      const channels = typeof channel === 'string' ? [channel] : [...channel];
      for (const c of channels) if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new TypeError(`not a channel name: ${c.slice(0, 80)}`);
      if (channels.length === 0) throw new TypeError('listen needs at least one channel');
      const client = await pool.connect();
      let open = true;
      const end = (error?: Error) => {
        if (!open) return false;
        open = false;
        // Destroy rather than pool a connection that was listening.
        client.release(error ?? true);
        return true;
      };
      client.on('notification', (msg) => {
        if (open && channels.includes(msg.channel)) onNotify(msg.payload, msg.channel);
      });
      client.on('error', (error) => {
        if (end(error)) onLost(error);
      });
      try {
        for (const c of channels) await client.query(`LISTEN ${c}`);
      } catch (error) {
        end(error as Error);
        throw error;
      }
      return { close: () => void end() };
    },
    connect: () => pool.connect(),
    async ping() {
      const started = performance.now();
      try {
        await pool.query('SELECT 1');
        return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  return db;
}

/** Waits until the database answers, or throws DATABASE_UNAVAILABLE naming the host. */
export async function waitForDatabase(db: Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const ping = await db.ping();
    if (ping.ok) return;
    last = ping.error ?? '';
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StrikerError('DATABASE_UNAVAILABLE', `database ${redactUrl(db.url)} did not answer within ${timeoutMs} ms: ${last}`);
}

/** A database URL with its password removed, for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
