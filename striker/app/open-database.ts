/**
 * Opens the database a striker command should use:
 * - `database.urls` configured: the first one;
 * - else the embedded PostgreSQL of a `striker serve` already running on this data directory;
 * - else start the embedded PostgreSQL here (taking the data-directory lock) and stop it on close.
 *   When the lock was taken over from a striker that died, a PostgreSQL it left running on the data
 *   directory is stopped first. Once this process runs PostgreSQL, a hard exit leaves the lock in
 *   place (the next start takes it over as stale and knows that PostgreSQL was Striker's); every
 *   other way out releases it.
 */
import type { Logger } from 'pino';
import type { StrikerConfig } from './config/schema.js';
import { isAlive } from '../core/process-probe.js';
import { lockDataDir, lockOwner, type DataDirLock } from '../db/data-dir-lock.js';
import { openPool, redactUrl, waitForDatabase, type Database } from '../db/database.js';
import { embeddedUrl, startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded-postgres.js';

export interface OpenedDatabase {
  db: Database;
  /** Set when this process started the embedded PostgreSQL. */
  embedded?: EmbeddedDatabase;
  lock?: DataDirLock;
  close(): Promise<void>;
}

export async function openDatabase(config: Readonly<StrikerConfig>, logger: Logger, purpose: 'serve' | 'cli'): Promise<OpenedDatabase> {
  if (config.database.urls.length > 0) {
    const lock = purpose === 'serve' ? lockDataDir(config.dataDir, 'striker serve') : undefined;
    const url = config.database.urls[0]!;
    if (config.database.urls.length > 1) {
      logger.warn({ primary: redactUrl(url), others: config.database.urls.slice(1).map(redactUrl) }, 'several databases configured: only the first is used until the N-database writer exists');
    }
    const db = openPool(url, { poolSize: config.database.poolSize, logger });
    try {
      await waitForDatabase(db, 15_000);
    } catch (error) {
      await db.close();
      lock?.release();
      throw error;
    }
    return { db, lock, close: async () => { await db.close(); lock?.release(); } };
  }
  if (purpose === 'cli') {
    const owner = lockOwner(config.dataDir);
    const url = embeddedUrl(config.dataDir);
    if (owner && isAlive(owner.pid) && url) {
      const db = openPool(url, { poolSize: 2, logger });
      await waitForDatabase(db, 10_000);
      return { db, close: () => db.close() };
    }
  }
  const lock = lockDataDir(config.dataDir, purpose === 'serve' ? 'striker serve' : 'striker cli');
  let embedded: EmbeddedDatabase;
  try {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.database.embeddedPort,
      logger,
      ...(config.database.replication.enabled ? { replication: config.database.replication } : {}),
      ...(lock.tookOverFrom ? { staleLock: lock.tookOverFrom } : {}),
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  lock.keepOnExit();
  const db = openPool(embedded.url, { poolSize: config.database.poolSize, logger });
  return {
    db,
    embedded,
    lock,
    async close() {
      try {
        await db.close();
      } finally {
        // A PostgreSQL that would not stop keeps the lock: the next start takes it over and stops it.
        await embedded.stop();
        lock.release();
      }
    },
  };
}
