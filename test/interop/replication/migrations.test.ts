/**
 * Migrations on a live replicated pair, applied one Striker at a time while both keep writing:
 * one adds a column, one adds a table. The Striker that is behind refuses its peer's changes with
 * a stated reason (status: schemaBehind) until it is upgraded, then catches up; nothing stalls for
 * good and no committed row is lost.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../striker/db/database.js';
import { readMigrations, type Migration } from '../../../striker/db/migrate.js';
import { refreshSubscriptions, replicationStatus, tableClasses } from '../../../striker/db/replication/index.js';
import { converged, joinMesh, startPeer, waitUntil, type Peer } from '../../support/replication-peers.js';

function migration(version: number, name: string, sql: string): Migration {
  return { version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
}

const base = readMigrations();
const top = base[base.length - 1]!.version;
const addColumn = migration(top + 1, 'machines-rack', 'ALTER TABLE machines ADD COLUMN rack text; ALTER TABLE history.machines ADD COLUMN rack text;');
const addTable = migration(top + 2, 'racks', `CREATE TABLE racks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, modified_at timestamptz NOT NULL DEFAULT clock_timestamp());
SELECT striker_track('racks');`);
const withRacks = { ...tableClasses, racks: { kind: 'replicated', mode: 'record' } } as const;

let a: Peer;
let b: Peer;
beforeAll(async () => {
  [a, b] = await Promise.all([startPeer('striker_a'), startPeer('striker_b')]);
  await joinMesh([a, b]);
});
afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

async function ids(db: Database, sql: string): Promise<string[]> {
  return (await db.query<{ id: string }>(sql)).rows.map((r) => r.id);
}

describe('migrations on a live replicated pair', () => {
  it('adds a column, then a table, one Striker at a time, with writes going on: no lost row', async () => {
    const machines: string[] = [];
    const racks: string[] = [];
    const schema = { a: top, b: top };
    let stop = false;
    let n = 0;
    const writer = async (p: Peer, key: 'a' | 'b') => {
      while (!stop) {
        const mac = `52:54:01:${key === 'a' ? '0a' : '0b'}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
        n += 1;
        // A Striker writes the new column and table only once it has them itself.
        const sql = schema[key] >= addColumn.version ? "INSERT INTO machines (mac, rack) VALUES ($1, 'r1') RETURNING id" : 'INSERT INTO machines (mac) VALUES ($1) RETURNING id';
        machines.push((await p.db.query<{ id: string }>(sql, [mac])).rows[0]!.id);
        if (schema[key] >= addTable.version) racks.push((await p.db.query<{ id: string }>("INSERT INTO racks (name) VALUES ($1) RETURNING id", [`rack-${key}-${n}`])).rows[0]!.id);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const writers = [writer(a, 'a'), writer(b, 'b')];
    await new Promise((r) => setTimeout(r, 300));

    // The column: A first. B refuses A's changes until it has the column too, and says so.
    await a.prepare([...base, addColumn]);
    schema.a = addColumn.version;
    await waitUntil(async () => (await replicationStatus(b.db, { probePeers: true })).schemaBehind.length === 1, 20_000, 'B to report its schema behind A');
    const behind = await replicationStatus(b.db, { probePeers: true });
    expect(behind.schemaBehind).toEqual([{ peer: 'striker_a', peerVersion: addColumn.version, localVersion: top }]);
    expect(behind.subscriptions[0]!.lastError).toMatch(/schema behind: striker_a is at migration \d+, this Striker at \d+; upgrade this Striker/);
    await new Promise((r) => setTimeout(r, 300));
    await b.prepare([...base, addColumn]);
    schema.b = addColumn.version;
    await new Promise((r) => setTimeout(r, 300));

    // The table: B first this time.
    await b.prepare([...base, addColumn, addTable], withRacks);
    schema.b = addTable.version;
    await waitUntil(async () => (await replicationStatus(a.db, { probePeers: true })).schemaBehind.length === 1, 20_000, 'A to report its schema behind B');
    await new Promise((r) => setTimeout(r, 300));
    await a.prepare([...base, addColumn, addTable], withRacks);
    schema.a = addTable.version;
    // B takes up A's new table (the watch in `striker serve` does this on its own).
    await refreshSubscriptions(b.db, { onlyWhenChanged: true });
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(writers);

    const allMachines = await converged([a, b], (db) => ids(db, 'SELECT id FROM machines ORDER BY id'), 30_000, (v) => v.length >= machines.length);
    expect(allMachines).toEqual([...machines].sort());
    const allRacks = await converged([a, b], (db) => ids(db, 'SELECT id FROM racks ORDER BY id'), 30_000, (v) => v.length >= racks.length);
    expect(allRacks).toEqual([...racks].sort());
    expect(racks.length).toBeGreaterThan(10);
    const withRack = await converged([a, b], async (db) => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM machines WHERE rack = 'r1'")).rows[0]!.n);
    expect(withRack).toBeGreaterThan(10);
    for (const p of [a, b]) {
      const status = await replicationStatus(p.db, { probePeers: true });
      expect(status.schemaBehind).toEqual([]);
      expect(status.subscriptions.map((s) => s.enabled && s.workerRunning)).toEqual([true]);
    }
  }, 180_000);
});
