/**
 * This Striker's side of replication: its node name, server settings, the conflict rules attached
 * to replicated tables, its publication, and its row in `striker_schema_versions`.
 */
import type { DbReader, DbWriter } from '../database.js';
import { quoteIdent } from '../sql-quote.js';
import { PUBLICATION } from './names.js';
import type { ServerSettings } from './server-settings.js';

type Db = DbReader & DbWriter;

export async function readServerSettings(db: DbReader, names: readonly string[]): Promise<ServerSettings> {
  const { rows } = await db.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])', [names]);
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

/** Tables of the `public` schema. */
export async function schemaTables(db: DbReader): Promise<string[]> {
  const { rows } = await db.query<{ tablename: string }>("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY tablename");
  return rows.map((r) => r.tablename);
}

export async function localNodeName(db: DbReader): Promise<string> {
  const { rows } = await db.query<{ name: string }>('SELECT name FROM public.replication_node');
  if (!rows[0]) throw new Error('replication_node has no row: migration 0013 was not applied');
  return rows[0].name;
}

export async function setLocalNodeName(db: DbWriter, name: string): Promise<void> {
  await db.write('UPDATE public.replication_node SET name = $1 WHERE name <> $1', [name]);
}

/**
 * Attaches the conflict rules to a table (idempotent; see migrations 0013 and 0030
 * `striker_replicate`), with the column that marks a settled version, if the table has one.
 */
export async function attachConflictRules(db: DbWriter, table: string, mode: 'record' | 'plain', settledBy?: string): Promise<void> {
  await db.write('SELECT public.striker_replicate($1, $2, $3)', [table, mode, settledBy ?? null]);
}

export async function publishedTables(db: DbReader): Promise<string[]> {
  const { rows } = await db.query<{ tablename: string }>('SELECT tablename FROM pg_catalog.pg_publication_tables WHERE pubname = $1 ORDER BY tablename', [PUBLICATION]);
  return rows.map((r) => r.tablename);
}

/** Makes the publication hold exactly `tables` (created when missing). Returns the tables it added. */
export async function setPublicationTables(db: Db, tables: readonly string[]): Promise<string[]> {
  const list = tables.map((t) => `public.${quoteIdent(t)}`).join(', ');
  const exists = await db.query('SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1', [PUBLICATION]);
  const before = exists.rowCount ? await publishedTables(db) : [];
  const added = tables.filter((t) => !before.includes(t));
  const removed = before.filter((t) => !tables.includes(t));
  if (!exists.rowCount) {
    // Two Strikers starting on one database may both find no publication: the one that loses the
    // race to create it sets the tables of the winner's instead.
    try {
      await db.write(`CREATE PUBLICATION ${quoteIdent(PUBLICATION)} FOR TABLE ${list}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42710') throw error;
      await db.write(`ALTER PUBLICATION ${quoteIdent(PUBLICATION)} SET TABLE ${list}`);
    }
  }
  else if (added.length > 0 || removed.length > 0) await db.write(`ALTER PUBLICATION ${quoteIdent(PUBLICATION)} SET TABLE ${list}`);
  return added;
}

/** The newest migration applied here. */
export async function appliedSchemaVersion(db: DbReader): Promise<number> {
  const { rows } = await db.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM public.schema_migrations');
  return rows[0]?.v ?? 0;
}

/** Writes (or moves forward) this Striker's row in striker_schema_versions. */
export async function writeSchemaVersion(db: Db, version: number): Promise<void> {
  await db.write(
    `INSERT INTO public.striker_schema_versions (id, node_name, schema_version)
     SELECT n.id, n.name, $1 FROM public.replication_node n
     ON CONFLICT (id) DO UPDATE SET node_name = EXCLUDED.node_name, schema_version = EXCLUDED.schema_version
     WHERE striker_schema_versions.schema_version IS DISTINCT FROM EXCLUDED.schema_version
        OR striker_schema_versions.node_name IS DISTINCT FROM EXCLUDED.node_name`,
    [version],
  );
}

export interface SchemaVersionRow {
  nodeName: string;
  schemaVersion: number;
}

export async function schemaVersions(db: DbReader): Promise<SchemaVersionRow[]> {
  const { rows } = await db.query<{ node_name: string; schema_version: number }>('SELECT node_name, schema_version FROM public.striker_schema_versions ORDER BY node_name');
  return rows.map((r) => ({ nodeName: r.node_name, schemaVersion: r.schema_version }));
}
