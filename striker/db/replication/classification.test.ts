import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../../test/support/test-database.js';
import { ensurePublication, subscribeToPeer } from './replication.js';
import { replicatedTables, tableClasses, unclassifiedTables } from './table-classification.js';
import { localNodeName, publishedTables, schemaTables } from './publication-store.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('table classification', () => {
  it('classifies every table of the migrated schema', async () => {
    const tables = await schemaTables(t.db);
    expect(tables.length).toBeGreaterThan(10);
    expect(unclassifiedTables(tables), 'add each to striker/db/replication/table-classification.ts').toEqual([]);
    expect(Object.keys(tableClasses).filter((name) => !tables.includes(name)), 'classified tables the schema does not have').toEqual([]);
  });

  it('names a table the schema has but the classification lacks', () => {
    expect(unclassifiedTables(['machines', 'new_table', 'sessions'])).toEqual(['new_table']);
  });

  it('says why each local table is local', () => {
    for (const [name, c] of Object.entries(tableClasses)) {
      if (c.kind === 'local') expect(c.why.length, name).toBeGreaterThan(20);
    }
  });

  it('gives every replicated table a uuid id and modified_at, and publishes exactly them with the conflict rules attached', async () => {
    const result = await ensurePublication(t.db);
    expect(result.unclassified).toEqual([]);
    const expected = replicatedTables().map((r) => r.table);
    expect(await publishedTables(t.db)).toEqual(expected);
    for (const table of expected) {
      const { rows } = await t.db.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1", [table]);
      const cols = new Map(rows.map((r) => [r.column_name, r.data_type]));
      expect(cols.get('id'), `${table}.id`).toBe('uuid');
      expect(cols.get('modified_at'), `${table}.modified_at`).toBe('timestamp with time zone');
      expect(cols.get('previous_modified_at'), `${table}.previous_modified_at`).toBe('timestamp with time zone');
      const { rows: triggers } = await t.db.query<{ tgname: string; tgenabled: string }>(
        "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = ('public.' || quote_ident($1))::regclass AND tgname IN ($1 || '_replication', $1 || '_history')", [table]);
      expect(triggers.every((g) => g.tgenabled === 'A'), `${table} triggers ENABLE ALWAYS`).toBe(true);
      expect(triggers.some((g) => g.tgname === `${table}_replication`), `${table}_replication`).toBe(true);
    }
    // A job that arrives from a peer wakes this Striker's listeners (live pages, agents' held claims):
    // the job feed is part of jobs' one ENABLE ALWAYS AFTER trigger (migration 0038).
    const { rows: notify } = await t.db.query<{ tgenabled: string; def: string }>("SELECT tgenabled, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = 'public.jobs'::regclass AND tgname IN ('jobs_notify', 'jobs_history')");
    expect(notify).toEqual([{ tgenabled: 'A', def: expect.stringContaining("'striker_jobs'") }]);
    // A peer's change to a replicated table reaches this Striker's live pages: every live trigger is
    // ENABLE ALWAYS (and so folded into the table's one trigger): a plain one does not fire for applied rows.
    const { rows: apart } = await t.db.query<{ tgname: string }>(
      `SELECT g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        WHERE c.relname = ANY($1::text[]) AND g.tgfoid = 'public.striker_live_trigger()'::regprocedure AND g.tgenabled <> 'A' ORDER BY g.tgname`, [expected]);
    expect(apart.map((r) => r.tgname), 'live triggers of replicated tables that are not ENABLE ALWAYS').toEqual([]);
    // Idempotent: a second start changes nothing.
    expect((await ensurePublication(t.db)).added).toEqual([]);
  });

  it('gives every replicated column a type with binary send and receive (subscriptions transfer binary, the initial copy too)', async () => {
    const { rows } = await t.db.query<{ col: string; type: string }>(
      `SELECT c.relname || '.' || a.attname AS col, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         JOIN pg_type ty ON ty.oid = a.atttypid
        WHERE c.relname = ANY($1::text[]) AND a.attnum > 0 AND NOT a.attisdropped
          AND (ty.typsend = 0 OR ty.typreceive = 0)`,
      [replicatedTables().map((r) => r.table)]);
    expect(rows, 'a replicated column whose type PostgreSQL cannot transfer in binary').toEqual([]);
    const { rows: [checked] } = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY($1::text[])", [replicatedTables().map((r) => r.table)]);
    expect(checked!.n).toBeGreaterThan(100);
  });

  it('refuses a peer name that is not a node name, and this Striker itself, naming the field', async () => {
    await expect(subscribeToPeer(t.db, { name: 'Bad Name', connectionString: 'postgres://x@127.0.0.1:1/striker', copyData: false })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ path: 'name' }] });
    const self = await localNodeName(t.db);
    await expect(subscribeToPeer(t.db, { name: self, connectionString: 'postgres://x@127.0.0.1:1/striker', copyData: false })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', problems: [{ path: 'name' }] });
  });

  it('keeps modified_at moving forward and remembers the version an update replaced', async () => {
    await ensurePublication(t.db);
    const future = '2099-01-01T00:00:00Z';
    const { rows: [m] } = await t.db.query<{ id: string }>("INSERT INTO machines (mac, modified_at) VALUES ('52:54:00:aa:00:01', $1) RETURNING id", [future]);
    const { rows: [after] } = await t.db.query<{ modified_at: Date; previous_modified_at: Date }>(
      "UPDATE machines SET hostname = 'x' WHERE id = $1 RETURNING modified_at, previous_modified_at", [m!.id]);
    expect(after!.previous_modified_at.toISOString()).toBe('2099-01-01T00:00:00.000Z');
    expect(after!.modified_at.getTime()).toBeGreaterThanOrEqual(after!.previous_modified_at.getTime());
    const { rows } = await t.db.query('SELECT row_id FROM row_deletions WHERE row_id = $1', [m!.id]);
    expect(rows).toEqual([]);
    await t.db.query('DELETE FROM machines WHERE id = $1', [m!.id]);
    const { rows: deleted } = await t.db.query<{ table_name: string }>('SELECT table_name FROM row_deletions WHERE row_id = $1', [m!.id]);
    expect(deleted).toEqual([{ table_name: 'machines' }]);
  });

  it('writes each conflict-rule function for its table: other unique keys searched only where they exist, the settled column compared first', async () => {
    await ensurePublication(t.db);
    const source = async (table: string) => (await t.db.query<{ src: string }>('SELECT prosrc AS src FROM pg_proc WHERE proname = $1', [`striker_resolve_${table}`])).rows[0]!.src;
    const check = async () => {
      expect(await source('machines')).toContain('striker_resolve_unique');
      expect(await source('jobs')).not.toContain('striker_resolve_unique');
      expect(await source('conflicts')).toContain("'resolved_at'");
      expect(await source('machines')).not.toContain('resolved_at');
    };
    await check();
    // Rewritten after every migration from the triggers' arguments: the same functions again.
    await t.db.query('SELECT public.striker_resolve_refresh()');
    await check();
  });
});
