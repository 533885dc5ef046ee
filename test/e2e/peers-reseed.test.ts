/**
 * A peer away longer than max_slot_wal_keep_size allows: two real `striker serve`s peered, B
 * stopped, more WAL than the limit written on A (its slot for B is lost at the next checkpoint),
 * a row added meanwhile. A's Strikers API says "re-seed this peer"; B, started again, cannot
 * catch up on its own; the re-seed action makes B copy A's rows again, after which both replicate
 * and the row added while B was away is on B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sideApi, sideSql, startSide, type Side } from '../support/striker-sides.js';

let a: Side;
let b: Side;

interface PeersAnswer {
  peers: { name: string; state: string; connected: boolean; slot: { walStatus: string | null } | null }[];
}
const stateOf = async (side: Side, peer: string) => (await sideApi<PeersAnswer>(side, 'GET', '/api/peers')).body.peers.find((p) => p.name === peer)?.state;

beforeAll(async () => {
  [a, b] = await Promise.all([startSide('ra', { STRIKER_DATABASE__REPLICATION__MAX_SLOT_WAL_KEEP_SIZE_MB: '64' }), startSide('rb')]);
}, 180_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('a peer away too long', () => {
  it('is shown as "re-seed this peer", and the re-seed action brings it back with what it missed', async () => {
    expect((await sideApi(a, 'POST', '/api/peers', { address: `${b.url}/`, token: b.token })).status).toBe(201);
    await eventually('A replicating from B', () => stateOf(a, b.name), (s) => s === 'replicating');
    await eventually('B replicating from A', () => stateOf(b, a.name), (s) => s === 'replicating');

    await b.halt();
    expect((await sideApi(a, 'POST', '/api/users', { username: 'made-while-away', displayName: '', password: 'correct horse battery staple 42', role: 'viewer' })).status).toBe(201);
    // 96 MiB of WAL (logical messages, no table) against a 64 MiB limit, then a checkpoint.
    await sideSql(a, "SELECT count(pg_logical_emit_message(false, 'striker-test-padding', repeat('x', 1048576))) FROM generate_series(1, 96)");
    await sideSql(a, 'CHECKPOINT');
    await eventually('A to call B re-seed', async () => {
      await sideSql(a, 'CHECKPOINT');
      return stateOf(a, b.name);
    }, (s) => s === 'reseed-peer', 60_000);

    await b.resume();
    // B cannot catch up by itself: the WAL it needs is gone.
    await eventually('B stopped by the lost slot', () => stateOf(b, a.name), (s) => s !== 'replicating' && s !== undefined, 60_000);
    expect(await sideSql(b, "SELECT username FROM users WHERE username = 'made-while-away'")).toEqual([]);

    const reseed = await sideApi<{ peer: string; side: string }>(a, 'POST', `/api/peers/${b.name}/reseed`, { side: 'peer' });
    expect(reseed).toEqual({ status: 202, body: { peer: b.name, side: 'peer' } });
    await eventually('the missed row on B', async () => (await sideSql(b, "SELECT username FROM users WHERE username = 'made-while-away'")).length, (n) => n === 1, 60_000);
    await eventually('B replicating from A again', () => stateOf(b, a.name), (s) => s === 'replicating', 60_000);
    await eventually('A sees B replicating', async () => (await sideApi<PeersAnswer>(a, 'GET', '/api/peers')).body.peers, (p) => p[0]?.state === 'replicating', 60_000);
    expect((await sideApi(a, 'POST', '/api/users', { username: 'after-reseed', displayName: '', password: 'correct horse battery staple 42', role: 'viewer' })).status).toBe(201);
    await eventually('a new row on B', async () => (await sideSql(b, "SELECT username FROM users WHERE username = 'after-reseed'")).length, (n) => n === 1);
    const audit = await sideSql<{ action: string }>(a, "SELECT action FROM audit_log WHERE action LIKE 'striker.peer.reseed%'");
    expect(audit.map((r) => r.action)).toContain('striker.peer.reseed-requested');
  }, 300_000);
});
