/**
 * Three Strikers' databases in a full mesh (real embedded PostgreSQL each): a write on any reaches
 * the other two once (origin = none: nothing comes back), and a Striker whose PostgreSQL is killed
 * with SIGKILL while it is being written to loses no committed row and catches up on restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../striker/db/database.js';
import { replicationStatus } from '../../../striker/db/replication/index.js';
import { converged, joinMesh, startPeer, waitUntil, type Peer } from '../../support/replication-peers.js';

let peers: Peer[];

beforeAll(async () => {
  peers = await Promise.all(['striker_a', 'striker_b', 'striker_c'].map((n) => startPeer(n)));
  // The first seeds the others: rows it holds before peering reach them by the initial copy.
  await peers[0]!.db.query("INSERT INTO users (username, password_hash, role) VALUES ('seeded', 'x', 'viewer')");
  await joinMesh(peers);
});
afterAll(async () => {
  await Promise.all((peers ?? []).map((p) => p.remove()));
});

async function jobIds(db: Database, kind: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM jobs WHERE kind = $1 ORDER BY id', [kind]);
  return rows.map((r) => r.id);
}

describe('three Strikers in a mesh', () => {
  it('seeds new peers from one Striker only, without duplicates', async () => {
    const users = await converged(peers, async (db) => (await db.query("SELECT username FROM users WHERE username = 'seeded'")).rows, 20_000, (v) => v.length === 1);
    expect(users).toEqual([{ username: 'seeded' }]);
  });

  it('carries a write on any Striker to the other two exactly once', async () => {
    const written: string[] = [];
    for (const [i, p] of peers.entries()) {
      for (let n = 0; n < 20; n++) {
        const { rows } = await p.db.query<{ id: string }>("INSERT INTO jobs (kind, payload) VALUES ('test.mesh', $1) RETURNING id", [{ from: i, n }]);
        written.push(rows[0]!.id);
      }
    }
    const ids = await converged(peers, (db) => jobIds(db, 'test.mesh'), 30_000, (v) => v.length >= written.length);
    expect(ids).toEqual([...written].sort());
    // Nothing ping-pongs: a moment later the counts are the same.
    await new Promise((r) => setTimeout(r, 300));
    for (const p of peers) expect(await jobIds(p.db, 'test.mesh')).toHaveLength(written.length);
  });

  it('loses no committed row when a Striker is killed mid-write, and it catches up on restart', async () => {
    const [a, b, c] = peers as [Peer, Peer, Peer];
    const committed: string[] = [];
    let stopWriters = false;
    const writer = async (p: Peer, label: string) => {
      let n = 0;
      while (!stopWriters) {
        try {
          const { rows } = await p.db.query<{ id: string }>("INSERT INTO jobs (kind, payload) VALUES ('test.kill', $1) RETURNING id", [{ label, n: n++ }]);
          committed.push(rows[0]!.id);
        } catch {
          // The killed Striker refuses writes until it is back; only acknowledged commits count.
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const writers = [writer(a, 'a'), writer(b, 'b')];
    await converged(peers, async (db) => (await jobIds(db, 'test.kill')).length > 20, 30_000, (v) => v);
    await a.kill();
    // B keeps writing while A is down; its slot for A keeps the WAL.
    const whileDown = committed.length;
    await converged([b, c], async (db) => (await jobIds(db, 'test.kill')).length > whileDown + 20, 30_000, (v) => v);
    await a.start();
    await new Promise((r) => setTimeout(r, 500));
    stopWriters = true;
    await Promise.all(writers);
    const ids = await converged(peers, (db) => jobIds(db, 'test.kill'), 60_000, (v) => v.length >= committed.length);
    expect(ids).toEqual([...new Set(committed)].sort());
    // Every subscription of every Striker runs again and has nothing left to apply.
    for (const p of peers) {
      await waitUntil(async () => (await replicationStatus(p.db, { probePeers: true })).subscriptions.every((s) => s.enabled && s.workerRunning && s.lagBytes === 0), 30_000, `${p.name} to have caught up`);
    }
  }, 180_000);
});
