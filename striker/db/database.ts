/**
 * The database seam: a `pg` pool with typed query helpers and transactions. Every module that
 * reads or writes takes a `Database` (or a `Queryable` inside a transaction).
 *
 * With several `database.urls` configured, the first is used for reads and writes; replicating
 * writes to every Striker's database and resyncing after an outage is the N-database writer's job
 * (not built yet, see README).
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { StrikerError } from '../core/errors/index.js';

// timestamptz → Date (pg default), bigint (int8) → number: our counters fit in 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly url: string;
  /** Runs `fn` in a transaction; rolls back if it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** A dedicated connection (LISTEN). Release it when done. */
  connect(): Promise<pg.PoolClient>;
  ping(): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  close(): Promise<void>;
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
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
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
