import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { migrate, migrationStatus, readMigrations } from './migrate.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
});
afterAll(async () => t.drop());

describe('migrations', () => {
  it('applies every numbered migration once, in order', async () => {
    const all = readMigrations();
    expect(all.map((m) => m.version)).toEqual([...new Set(all.map((m) => m.version))].sort((a, b) => a - b));
    const first = await migrate(t.db, quietLogger);
    expect(first).toEqual(all.map((m) => m.version));
    expect(await migrate(t.db, quietLogger)).toEqual([]);
    const status = await migrationStatus(t.db);
    expect(status.every((s) => s.appliedAt instanceof Date)).toBe(true);
  });

  // Tables without a history of their own, and why.
  const withoutHistory: Record<string, string> = {
    boot_events: 'an append-only log, capped per machine (migration 0008)',
    replication_node: "this Striker's name among its peers, set once (migration 0013)",
    conflict_inbox: 'rows wait here only until they are shared through conflicts, which has a history (migration 0013)',
    row_deletions: 'an append-only log of deletes, purged by age (migration 0013)',
    striker_schema_versions: "each Striker's newest migration, rewritten at start (migration 0013)",
    striker_peers: "this Striker's own peers and their sealed credentials; adding and removing a peer are audited (migration 0015)",
    manifest_secrets: 'sealed secrets: a history row would keep an envelope out of reach of key rotation; the manifest document records set/cleared (migration 0016)',
    scan_readings: 'a time series: each row is a reading at a time, never updated, purged by age (migration 0018)',
    health_scores: 'a time series of scores with their reasons, never updated, purged by age (migration 0018)',
    cluster_pair_keys: 'sealed corosync authkeys: a history row would keep an envelope out of reach of key rotation, as for manifest_secrets (migration 0024)',
  };
  // Tables keyed by a name rather than a uuid, and why.
  const keyedByName: Record<string, string> = {
    striker_peers: 'a peer is its node name, which both Strikers already agree on; the table never replicates (migration 0015)',
  };

  it('gives every table a uuid key, modified_at and a history table (but the append-only logs)', async () => {
    const { rows } = await t.db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
    );
    expect(rows.length).toBeGreaterThan(4);
    for (const { table_name } of rows) {
      const cols = await t.db.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [table_name],
      );
      const byName = new Map(cols.rows.map((c) => [c.column_name, c.data_type]));
      expect(byName.get('id'), `${table_name}.id`).toBe(table_name in keyedByName ? 'text' : 'uuid');
      expect(byName.get('modified_at'), `${table_name}.modified_at`).toBe('timestamp with time zone');
      const history = await t.db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'history' AND table_name = $1", [table_name]);
      expect(history.rowCount, `history.${table_name}`).toBe(table_name in withoutHistory ? 0 : 1);
    }
  });

  it('records every version of a row and bumps modified_at', async () => {
    const { rows: [u] } = await t.db.query<{ id: string; modified_at: Date }>(
      "INSERT INTO users (username, password_hash, role) VALUES ('hist', 'x', 'viewer') RETURNING id, modified_at",
    );
    await new Promise((r) => setTimeout(r, 5));
    const { rows: [after] } = await t.db.query<{ modified_at: Date }>("UPDATE users SET role = 'operator' WHERE id = $1 RETURNING modified_at", [u!.id]);
    expect(after!.modified_at.getTime()).toBeGreaterThan(u!.modified_at.getTime());
    await t.db.query('DELETE FROM users WHERE id = $1', [u!.id]);
    const { rows } = await t.db.query<{ history_op: string; role: string }>('SELECT history_op, role FROM history.users WHERE id = $1 ORDER BY history_id', [u!.id]);
    expect(rows).toEqual([
      { history_op: 'INSERT', role: 'viewer' },
      { history_op: 'UPDATE', role: 'operator' },
      { history_op: 'DELETE', role: 'operator' },
    ]);
  });

  it('keeps history right after a later migration adds a column to a tracked table and its history', async () => {
    const other = await createTestDatabase();
    try {
      await other.db.query('ALTER TABLE kickstart_settings ADD COLUMN motd text');
      await other.db.query('ALTER TABLE history.kickstart_settings ADD COLUMN motd text');
      await other.db.query("UPDATE kickstart_settings SET motd = 'welcome', timezone = 'Europe/Oslo'");
      await other.db.query("UPDATE kickstart_settings SET motd = NULL");
      const { rows } = await other.db.query<{ history_op: string; timezone: string; motd: string | null }>(
        'SELECT history_op, timezone, motd FROM history.kickstart_settings ORDER BY history_id',
      );
      expect(rows).toEqual([
        { history_op: 'INSERT', timezone: 'Etc/UTC', motd: null },
        { history_op: 'UPDATE', timezone: 'Europe/Oslo', motd: 'welcome' },
        { history_op: 'UPDATE', timezone: 'Europe/Oslo', motd: null },
      ]);
    } finally {
      await other.drop();
    }
  });

  it('keeps history right when a migration adds a column where no event trigger follows ALTER TABLE', async () => {
    const other = await createTestDatabase();
    try {
      await other.db.query('ALTER EVENT TRIGGER striker_history_columns DISABLE');
      const last = readMigrations().at(-1)!.version;
      const extra = { version: last + 1, name: 'test-motd', checksum: 'test-motd',
        sql: 'ALTER TABLE kickstart_settings ADD COLUMN motd text; ALTER TABLE history.kickstart_settings ADD COLUMN motd text;' };
      expect(await migrate(other.db, quietLogger, [...readMigrations(), extra])).toEqual([last + 1]);
      await other.db.query("UPDATE kickstart_settings SET motd = 'welcome'");
      const { rows } = await other.db.query<{ history_op: string; motd: string | null }>(
        'SELECT history_op, motd FROM history.kickstart_settings ORDER BY history_id');
      expect(rows).toEqual([{ history_op: 'INSERT', motd: null }, { history_op: 'UPDATE', motd: 'welcome' }]);
    } finally {
      await other.drop();
    }
  });

  it('writes history through a function per table that names its columns', async () => {
    const { rows } = await t.db.query<{ tgname: string; proname: string; body: string }>(
      "SELECT g.tgname, p.proname, p.prosrc AS body FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid WHERE g.tgrelid = 'public.users'::regclass AND g.tgname = 'users_history'");
    expect(rows[0]?.proname).toBe('striker_history_users');
    expect(rows[0]?.body).toMatch(/INSERT INTO history\.users \(id, username, /);
    expect(rows[0]?.body).not.toMatch(/pg_attribute|EXECUTE/);
  });

  it('refuses a migration edited after it was applied', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
    await expect(migrate(t.db, quietLogger, edited)).rejects.toThrow(/was changed after it was applied/);
  });
});
