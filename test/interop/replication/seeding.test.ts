/**
 * Seeding a new peer: while its initial copy runs, changes to a table being copied wait for that
 * table's sync worker (seconds of lag that are the copy's, not the stream's). The replication
 * status says how many tables are still being copied, so the benchmark and an admin can tell the
 * two apart; it is 0 once every table is copied, and rows written meanwhile arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicationStatus, setSubscriptionEnabled, subscribeToPeer } from '../../../striker/db/replication/index.js';
import { startPeer, waitUntil, type Peer } from '../../support/replication-peers.js';

let a: Peer;
let b: Peer;

beforeAll(async () => {
  [a, b] = await Promise.all([startPeer('seed_a'), startPeer('seed_b')]);
});
afterAll(async () => {
  await Promise.all([a?.remove(), b?.remove()]);
});

describe('seeding a peer', () => {
  it('reports the tables still in their initial copy until each is copied', async () => {
    await subscribeToPeer(b.db, { name: a.name, connectionString: a.url, copyData: true });
    // Held before its workers copy much: the copy's state stays as it is while disabled.
    await setSubscriptionEnabled(b.db, a.name, false);
    const held = (await replicationStatus(b.db)).subscriptions;
    expect(held).toHaveLength(1);
    expect(held[0]!.tablesCopying).toBeGreaterThan(0);

    const { rows } = await a.db.query<{ id: string }>("INSERT INTO jobs (kind, payload) VALUES ('seed.check', '{}') RETURNING id");
    await setSubscriptionEnabled(b.db, a.name, true);
    await waitUntil(async () => (await replicationStatus(b.db)).subscriptions[0]!.tablesCopying === 0, 60_000, 'the initial copy');
    await waitUntil(async () => (await b.db.query('SELECT 1 FROM jobs WHERE id = $1', [rows[0]!.id])).rowCount === 1, 20_000, 'the row written while seeding');
    expect((await replicationStatus(a.db)).subscriptions).toEqual([]);
  });
});
