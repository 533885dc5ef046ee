/**
 * Two Strikers' databases (real embedded PostgreSQL, one cluster each) replicating both ways:
 * writes, history, and every conflict rule — update against update, insert against insert (the
 * stream must keep flowing), delete against update — each converging and reported in `conflicts`;
 * and the subscriptions' transfer options (binary, parallel streaming of large transactions).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../striker/db/database.js';
import { listConflicts, markConflictResolved, ReplicationWatch, replicationStatus, setSubscriptionEnabled, shareConflicts, subscriptionOptions } from '../../../striker/db/replication/index.js';
import { converged, joinMesh, replicationLogger, startPeer, waitUntil, type Peer } from '../../support/replication-peers.js';

let a: Peer;
let b: Peer;

beforeAll(async () => {
  [a, b] = await Promise.all([startPeer('striker_a'), startPeer('striker_b')]);
  await joinMesh([a, b]);
  // The tests below are about the stream once seeded. While a table is in its initial copy, its
  // changes are applied by that table's sync worker, not in order with the other tables' (a
  // delete's row_deletions row could then arrive after the delete, and its conflict go unseen).
  for (const p of [a, b]) {
    await waitUntil(async () => (await replicationStatus(p.db)).subscriptions.every((s) => s.tablesCopying === 0), 120_000, `${p.name}'s initial copy`);
  }
});
afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

let macCounter = 0x10;
function nextMac(): string {
  macCounter += 1;
  return `52:54:00:00:${(macCounter >> 8).toString(16).padStart(2, '0')}:${(macCounter & 0xff).toString(16).padStart(2, '0')}`;
}

async function machine(db: Database, id: string): Promise<{ hostname: string | null } | null> {
  const { rows } = await db.query<{ hostname: string | null }>('SELECT hostname FROM machines WHERE id = $1', [id]);
  return rows[0] ?? null;
}

async function partition(on: boolean): Promise<void> {
  await setSubscriptionEnabled(a.db, b.name, !on);
  await setSubscriptionEnabled(b.db, a.name, !on);
  if (on) {
    // Wait until neither apply worker runs, so a write made now cannot cross.
    await waitUntil(async () => (await Promise.all([a, b].map((p) => replicationStatus(p.db)))).every((s) => s.subscriptions.every((x) => !x.workerRunning)), 20_000, 'apply workers to stop');
  }
}

async function sharedConflicts(rowId: string) {
  await Promise.all([shareConflicts(a.db), shareConflicts(b.db)]);
  return converged([a, b], async (db) => (await listConflicts(db)).filter((c) => c.rowId === rowId).map((c) => ({ kind: c.kind, kept: c.kept?.hostname ?? null, discarded: c.discarded.hostname, keptOrigin: c.keptOrigin, discardedOrigin: c.discardedOrigin })), 20_000, (v) => v.length > 0);
}

describe('replication between two Strikers', () => {
  it('carries writes made on either Striker to the other, in both directions', async () => {
    const { rows: [m1] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'from-a') RETURNING id", [nextMac()]);
    const { rows: [m2] } = await b.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'from-b') RETURNING id", [nextMac()]);
    await converged([a, b], async (db) => [await machine(db, m1!.id), await machine(db, m2!.id)], 20_000, (v) => v.every((r) => r !== null));
    await b.db.query("UPDATE machines SET hostname = 'renamed-on-b' WHERE id = $1", [m1!.id]);
    expect(await converged([a, b], (db) => machine(db, m1!.id), 20_000, (v) => v?.hostname === 'renamed-on-b')).toEqual({ hostname: 'renamed-on-b' });
    await a.db.query('DELETE FROM machines WHERE id = $1', [m2!.id]);
    expect(await converged([a, b], (db) => machine(db, m2!.id), 20_000, (v) => v === null)).toBeNull();
    expect((await listConflicts(a.db)).filter((c) => c.rowId === m1!.id || c.rowId === m2!.id)).toEqual([]);
  });

  it('keeps local tables local', async () => {
    await a.db.query("UPDATE kickstart_settings SET timezone = 'Europe/Oslo'");
    await a.db.query("INSERT INTO machines (mac) VALUES ($1)", [nextMac()]);
    const { rows: [marker] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'marker') RETURNING id", [nextMac()]);
    await converged([a, b], (db) => machine(db, marker!.id), 20_000, (v) => v !== null);
    const { rows } = await b.db.query<{ timezone: string }>('SELECT timezone FROM kickstart_settings');
    expect(rows).toEqual([{ timezone: 'Etc/UTC' }]);
  });

  it('records each change once in the history of each Striker', async () => {
    const { rows: [m] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'h1') RETURNING id", [nextMac()]);
    await converged([a, b], (db) => machine(db, m!.id), 20_000, (v) => v !== null);
    await b.db.query("UPDATE machines SET hostname = 'h2' WHERE id = $1", [m!.id]);
    await converged([a, b], (db) => machine(db, m!.id), 20_000, (v) => v?.hostname === 'h2');
    await a.db.query("UPDATE machines SET last_seen_at = clock_timestamp() WHERE id = $1", [m!.id]);
    await a.db.query('DELETE FROM machines WHERE id = $1', [m!.id]);
    const history = await converged([a, b], async (db) => (await db.query('SELECT history_op, hostname FROM history.machines WHERE id = $1 ORDER BY history_id', [m!.id])).rows, 20_000, (v) => v.length >= 3);
    expect(history).toEqual([
      { history_op: 'INSERT', hostname: 'h1' },
      { history_op: 'UPDATE', hostname: 'h2' },
      { history_op: 'DELETE', hostname: 'h2' },
    ]);
  });

  it('converges a row edited on both while apart to the newer version and records the other', async () => {
    const { rows: [m] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'before') RETURNING id", [nextMac()]);
    await converged([a, b], (db) => machine(db, m!.id), 20_000, (v) => v !== null);
    await partition(true);
    await a.db.query("UPDATE machines SET hostname = 'older-on-a' WHERE id = $1", [m!.id]);
    await new Promise((r) => setTimeout(r, 5));
    await b.db.query("UPDATE machines SET hostname = 'newer-on-b' WHERE id = $1", [m!.id]);
    await partition(false);
    expect(await converged([a, b], (db) => machine(db, m!.id), 20_000, (v) => v?.hostname === 'newer-on-b')).toEqual({ hostname: 'newer-on-b' });
    expect(await sharedConflicts(m!.id)).toEqual([
      { kind: 'update', kept: 'newer-on-b', discarded: 'older-on-a', keptOrigin: 'striker_b', discardedOrigin: 'striker_a' },
    ]);
  });

  it('shares a conflict as soon as an apply worker records it (the watch beside serve)', async () => {
    const watches = [new ReplicationWatch(a.db, replicationLogger, 600_000), new ReplicationWatch(b.db, replicationLogger, 600_000)];
    await Promise.all(watches.map((w) => w.start()));
    try {
      const { rows: [m] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'w0') RETURNING id", [nextMac()]);
      await converged([a, b], (db) => machine(db, m!.id), 20_000, (v) => v !== null);
      await partition(true);
      await b.db.query("UPDATE machines SET hostname = 'w-b' WHERE id = $1", [m!.id]);
      await new Promise((r) => setTimeout(r, 5));
      await a.db.query("UPDATE machines SET hostname = 'w-a' WHERE id = $1", [m!.id]);
      await partition(false);
      // No shareConflicts call here: the NOTIFY from the apply worker makes each watch share it.
      const shared = await converged([a, b], async (db) => (await listConflicts(db)).filter((c) => c.rowId === m!.id).map((c) => [c.kept?.hostname, c.discarded.hostname]), 20_000, (v) => v.length > 0);
      expect(shared).toEqual([['w-a', 'w-b']]);
      const inbox = await Promise.all([a, b].map(async (p) => (await p.db.query('SELECT count(*)::int AS n FROM conflict_inbox')).rows[0]));
      expect(inbox).toEqual([{ n: 0 }, { n: 0 }]);
    } finally {
      await Promise.all(watches.map((w) => w.stop()));
    }
  });

  it('turns the same key inserted on both into one decision and keeps replicating', async () => {
    await partition(true);
    const id = '7c1e5a52-0000-4000-8000-000000000001';
    const mac = nextMac();
    await b.db.query("INSERT INTO machines (id, mac, hostname) VALUES ($1, $2, 'inserted-on-b')", [id, mac]);
    await new Promise((r) => setTimeout(r, 5));
    await a.db.query("INSERT INTO machines (id, mac, hostname) VALUES ($1, $2, 'inserted-on-a')", [id, mac]);
    await partition(false);
    expect(await converged([a, b], (db) => machine(db, id), 20_000, (v) => v?.hostname === 'inserted-on-a')).toEqual({ hostname: 'inserted-on-a' });
    expect(await sharedConflicts(id)).toEqual([
      { kind: 'insert', kept: 'inserted-on-a', discarded: 'inserted-on-b', keptOrigin: 'striker_a', discardedOrigin: 'striker_b' },
    ]);
    // The stream did not stop: later writes cross both ways.
    const { rows: [later] } = await b.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'after') RETURNING id", [nextMac()]);
    await converged([a, b], (db) => machine(db, later!.id), 20_000, (v) => v !== null);
    const status = await replicationStatus(a.db);
    expect(status.subscriptions.map((s) => ({ enabled: s.enabled, applyErrors: s.applyErrors }))).toEqual([{ enabled: true, applyErrors: 0 }]);
  });

  it('keeps one of two rows made apart for the same unique key (a MAC seen by both) and keeps replicating', async () => {
    await partition(true);
    const mac = nextMac();
    const { rows: [onA] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'seen-by-a') RETURNING id", [mac]);
    await new Promise((r) => setTimeout(r, 5));
    const { rows: [onB] } = await b.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'seen-by-b') RETURNING id", [mac]);
    await partition(false);
    const kept = await converged([a, b], async (db) => (await db.query('SELECT id, hostname FROM machines WHERE mac = $1', [mac])).rows, 20_000, (v) => v.length === 1 && v[0]?.id === onB!.id);
    expect(kept).toEqual([{ id: onB!.id, hostname: 'seen-by-b' }]);
    expect(await sharedConflicts(onA!.id)).toEqual([
      { kind: 'insert', kept: 'seen-by-b', discarded: 'seen-by-a', keptOrigin: 'striker_b', discardedOrigin: 'striker_a' },
    ]);
    const { rows: [later] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'after-mac') RETURNING id", [nextMac()]);
    await converged([a, b], (db) => machine(db, later!.id), 20_000, (v) => v !== null);
  });

  it('breaks a tie on modified_at the same way on both Strikers', async () => {
    await partition(true);
    const id = '7c1e5a52-0000-4000-8000-000000000002';
    const mac = nextMac();
    const at = '2026-01-01T00:00:00.000001Z';
    await a.db.query("INSERT INTO machines (id, mac, hostname, modified_at) VALUES ($1, $2, 'tie-a', $3)", [id, mac, at]);
    await b.db.query("INSERT INTO machines (id, mac, hostname, modified_at) VALUES ($1, $2, 'tie-b', $3)", [id, mac, at]);
    await partition(false);
    const winner = await converged([a, b], (db) => machine(db, id), 20_000, () => true);
    expect(['tie-a', 'tie-b']).toContain(winner?.hostname);
    const conflicts = await sharedConflicts(id);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.kept).toBe(winner?.hostname);
  });

  it('reports a delete against a concurrent update; the delete wins on both', async () => {
    const { rows: [m] } = await a.db.query<{ id: string }>("INSERT INTO machines (mac, hostname) VALUES ($1, 'doomed') RETURNING id", [nextMac()]);
    await converged([a, b], (db) => machine(db, m!.id), 20_000, (v) => v !== null);
    await partition(true);
    await a.db.query('DELETE FROM machines WHERE id = $1', [m!.id]);
    await b.db.query("UPDATE machines SET hostname = 'edited-on-b' WHERE id = $1", [m!.id]);
    await partition(false);
    expect(await converged([a, b], (db) => machine(db, m!.id), 20_000, (v) => v === null)).toBeNull();
    expect(await sharedConflicts(m!.id)).toEqual([
      { kind: 'delete', kept: null, discarded: 'edited-on-b', keptOrigin: 'striker_a', discardedOrigin: 'striker_b' },
    ]);
  });
  it('keeps a conflict settled when a peer shares its own copy of it after the admin settled it', async () => {
    // Both apply workers record the same conflict (one id); here A's copy is shared and settled
    // before B's apply worker, which was behind, records and shares B's copy: B's unsettled copy
    // is the newer row, and must not reopen the conflict on either Striker.
    await partition(true);
    const id = '7c1e5a52-0000-4000-8000-0000000000c1';
    const record = (db: Database, node: string) => db.query(
      `INSERT INTO conflict_inbox (id, table_name, row_id, kind, kept, discarded, kept_origin, discarded_origin, detected_on)
       VALUES ($1, 'machines', $2, 'update', '{"hostname": "kept"}', '{"hostname": "discarded"}', 'striker_b', 'striker_a', $3)`,
      [id, '7c1e5a52-0000-4000-8000-0000000000c2', node]);
    await record(a.db, a.name);
    await shareConflicts(a.db);
    expect(await markConflictResolved(a.db, id, 'kept', 'admin')).toBe(true);
    await new Promise((r) => setTimeout(r, 5));
    await record(b.db, b.name);
    await shareConflicts(b.db);
    await partition(false);
    const settled = await converged([a, b], async (db) => (await listConflicts(db)).filter((c) => c.id === id).map((c) => ({ resolution: c.resolution, by: c.resolvedBy, on: c.detectedOn })), 20_000,
      (v) => v.length === 1 && v[0]!.resolution !== null);
    expect(settled).toEqual([{ resolution: 'kept', by: 'admin', on: a.name }]);
    // B's newer unsettled copy arrived at A and was dropped there, not the other way round.
    await new Promise((r) => setTimeout(r, 500));
    expect((await Promise.all([a, b].map(async (p) => (await listConflicts(p.db, { unresolvedOnly: true })).filter((c) => c.id === id)))).flat()).toEqual([]);
  });
});

describe('subscription transfer options', () => {
  it('subscribes with binary transfer and parallel streaming, and sets them at start on a subscription made without', async () => {
    for (const p of [a, b]) expect(await subscriptionOptions(p.db)).toEqual([{ peer: p === a ? b.name : a.name, binary: true, streaming: 'parallel' }]);
    // A subscription made before the options were chosen: the next start brings it to them.
    await b.db.query(`ALTER SUBSCRIPTION striker_sub_${a.name} SET (binary = false, streaming = off)`);
    expect(await subscriptionOptions(b.db)).toEqual([{ peer: a.name, binary: false, streaming: 'off' }]);
    await b.prepare();
    expect(await subscriptionOptions(b.db)).toEqual([{ peer: a.name, binary: true, streaming: 'parallel' }]);
    // Values of every kind cross in binary both ways: uuid, timestamptz, jsonb, uuid[], inet, macaddr.
    const { rows: [m] } = await a.db.query<{ id: string }>(
      "INSERT INTO machines (mac, hostname, reserved_ip) VALUES ($1, 'binary-a', '10.201.4.7') RETURNING id", [nextMac()]);
    const { rows: [j] } = await b.db.query<{ id: string }>(
      "INSERT INTO jobs (kind, payload, run_after) VALUES ('test.binary', '{\"n\": [1, 2.5, \"é\"]}', '2030-01-02T03:04:05.678901Z') RETURNING id");
    const machineRow = (db: Database) => db.query('SELECT id, mac::text, hostname, host(reserved_ip) AS ip, modified_at FROM machines WHERE id = $1', [m!.id]).then((r) => r.rows);
    const jobRow = (db: Database) => db.query('SELECT id, payload, run_after, waits_for, modified_at FROM jobs WHERE id = $1', [j!.id]).then((r) => r.rows);
    expect(await converged([a, b], machineRow, 20_000, (v) => v.length === 1)).toMatchObject([{ hostname: 'binary-a', ip: '10.201.4.7' }]);
    expect(await converged([a, b], jobRow, 20_000, (v) => v.length === 1)).toMatchObject([{ payload: { n: [1, 2.5, 'é'] }, waits_for: [] }]);
  });

  it('streams a transaction larger than logical_decoding_work_mem and applies all of it, with its history', async () => {
    await a.db.query("ALTER SYSTEM SET logical_decoding_work_mem = '64kB'");
    await a.db.query('SELECT pg_reload_conf()');
    const slot = `striker_${b.name}_from_${a.name}`;
    const streamed = async () => (await a.db.query<{ n: number }>('SELECT stream_txns::int AS n FROM pg_stat_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.n ?? 0;
    const before = await streamed();
    try {
      await a.db.query("INSERT INTO jobs (kind, payload) SELECT 'test.streamed', jsonb_build_object('i', i) FROM generate_series(1, 3000) i");
      const count = (db: Database, sql: string) => db.query<{ n: number }>(sql).then((r) => r.rows[0]!.n);
      expect(await converged([a, b], (db) => count(db, "SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.streamed'"), 30_000, (n) => n === 3000)).toBe(3000);
      expect(await converged([a, b], (db) => count(db, "SELECT count(*)::int AS n FROM history.jobs WHERE kind = 'test.streamed' AND history_op = 'INSERT'"), 30_000, (n) => n === 3000)).toBe(3000);
      await waitUntil(async () => (await streamed()) > before, 10_000, 'the slot to count a streamed transaction');
    } finally {
      await a.db.query('ALTER SYSTEM RESET logical_decoding_work_mem');
      await a.db.query('SELECT pg_reload_conf()');
    }
  });
});
