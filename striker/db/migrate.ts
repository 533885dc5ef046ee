/**
 * Numbered SQL migrations (`migrations/NNNN-name.sql`), applied in order at start, each in its own
 * transaction, under an advisory lock so two processes never migrate at once. A migration that was
 * applied and then edited is refused (its checksum is kept).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ConflictError } from '../core/errors/index.js';
import type { Database } from './database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  appliedAt: Date | null;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 0x5354524b; // 'STRK'

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f)).sort();
  let last = 0;
  return files.map((file) => {
    const version = Number(file.slice(0, 4));
    if (version <= last) throw new Error(`migration ${file} is out of sequence: numbers must increase (after ${String(last).padStart(4, '0')})`);
    last = version;
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    return { version, name: file.slice(5, -4), sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

async function ensureTable(db: Database): Promise<void> {
  await db.write(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
}

export async function migrationStatus(db: Database, migrations = readMigrations()): Promise<MigrationStatus[]> {
  await ensureTable(db);
  const { rows } = await db.query<{ version: number; applied_at: Date }>('SELECT version, applied_at FROM schema_migrations');
  const applied = new Map(rows.map((r) => [r.version, r.applied_at]));
  return migrations.map((m) => ({ version: m.version, name: m.name, appliedAt: applied.get(m.version) ?? null }));
}

/** Applies pending migrations; returns the versions applied now. */
export async function migrate(db: Database, logger: Logger, migrations = readMigrations()): Promise<number[]> {
  await ensureTable(db);
  const client = await db.connect();
  const appliedNow: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    const { rows } = await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations');
    const applied = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const m of migrations) {
      const seen = applied.get(m.version);
      if (seen !== undefined) {
        if (seen !== m.checksum) {
          throw new ConflictError(`migration ${m.version} (${m.name}) was changed after it was applied: write a new migration instead`, { version: m.version });
        }
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        // History trigger functions name their table's columns (migration 0014): rewritten after
        // every migration, in its transaction, so a column it added or dropped is followed.
        const { rows: [refresh] } = await client.query<{ present: boolean }>("SELECT to_regprocedure('public.striker_history_refresh()') IS NOT NULL AS present");
        if (refresh?.present) await client.query('SELECT public.striker_history_refresh()');
        // Conflict-rule functions know whether their table has another unique key (migration 0030):
        // rewritten the same way, so a unique key a migration added is followed.
        const { rows: [resolve] } = await client.query<{ present: boolean }>("SELECT to_regprocedure('public.striker_resolve_refresh()') IS NOT NULL AS present");
        if (resolve?.present) await client.query('SELECT public.striker_resolve_refresh()');
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new ConflictError(`migration ${m.version} (${m.name}) failed: ${(error as Error).message}`, { version: m.version });
      }
      appliedNow.push(m.version);
      logger.info({ version: m.version, name: m.name }, 'applied migration');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return appliedNow;
}
