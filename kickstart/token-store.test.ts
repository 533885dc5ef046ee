import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database.js';
import { systemActor } from '../striker/audit/audit-store.js';
import { describeMachine, getMachine } from '../striker/machines/index.js';
import { hostIdOf } from './host-id.js';
import { generateToken } from './registration-token.js';
import { ServedKickstartTokens } from './token-store.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const macOf = (i: number) => `52:54:00:c2:00:${i.toString(16).padStart(2, '0')}`;
const now = new Date();

describe('ServedKickstartTokens', () => {
  it('stores the tokens of many concurrent kickstarts in two statements and marks each machine installing', async () => {
    for (let i = 1; i <= 20; i++) await describeMachine(t.db, systemActor, macOf(i), { role: 'node', hostname: `an-a01n${String(i).padStart(2, '0')}` });
    const store = new ServedKickstartTokens(t.db);
    const issued = Array.from({ length: 20 }, (_, k) => ({ hostId: hostIdOf(macOf(k + 1)), ...generateToken(now, 3600) }));
    await Promise.all(issued.map((i) => store.put(i.hostId, i.hash, i.expiresAt)));
    // The first is written at once, the nineteen that arrived meanwhile together.
    expect(store.stats).toEqual({ items: 20, batches: 2, splitBatches: 0 });
    for (let i = 1; i <= 20; i++) expect((await getMachine(t.db, macOf(i))).state).toBe('installing');
    for (const i of issued) expect(await store.consume(i.hostId, i.hash, now)).toBe(true);
  });

  it('a refused issue fails its own request only; the others in its batch are stored', async () => {
    for (let i = 30; i <= 32; i++) await describeMachine(t.db, systemActor, macOf(i), { role: 'node' });
    const store = new ServedKickstartTokens(t.db);
    const a = generateToken(now, 3600);
    const c = generateToken(now, 3600);
    const outcomes = await Promise.allSettled([
      store.put(hostIdOf(macOf(30)), a.hash, a.expiresAt),
      store.put(hostIdOf(macOf(31)), 'not-a-sha256', a.expiresAt), // the table's CHECK refuses it
      store.put(hostIdOf(macOf(99)), c.hash, c.expiresAt), // no such machine
      store.put(hostIdOf(macOf(32)), c.hash, c.expiresAt),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('check constraint');
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toContain(`no machine ${macOf(99)}`);
    expect(store.stats.splitBatches).toBe(1);
    expect(await store.consume(hostIdOf(macOf(30)), a.hash, now)).toBe(true);
    expect(await store.consume(hostIdOf(macOf(32)), c.hash, now)).toBe(true);
    expect((await getMachine(t.db, macOf(31))).state).toBe('assigned');
  });

  it('two kickstarts for one machine in a batch: the later token is the one kept, as if written one after the other', async () => {
    await describeMachine(t.db, systemActor, macOf(40), { role: 'node' });
    const store = new ServedKickstartTokens(t.db);
    const [first, second, third] = [generateToken(now, 3600), generateToken(now, 3600), generateToken(now, 3600)];
    const hostId = hostIdOf(macOf(40));
    await Promise.all([first, second, third].map((x) => store.put(hostId, x.hash, x.expiresAt)));
    expect(store.stats.batches).toBe(2);
    expect(await store.consume(hostId, second.hash, now)).toBe(false);
    expect(await store.consume(hostId, third.hash, now)).toBe(true);
  });

  it('an installed machine being reinstalled keeps its state; a machine without a role gets no token', async () => {
    await describeMachine(t.db, systemActor, macOf(50), { role: 'node' });
    await t.db.write(`UPDATE machines SET state = 'installed' WHERE mac = $1`, [macOf(50)]);
    await describeMachine(t.db, systemActor, macOf(51), { hostname: 'spare' });
    const store = new ServedKickstartTokens(t.db);
    const x = generateToken(now, 3600);
    await store.put(hostIdOf(macOf(50)), x.hash, x.expiresAt);
    expect((await getMachine(t.db, macOf(50))).state).toBe('installed');
    await store.put(hostIdOf(macOf(51)), x.hash, x.expiresAt);
    expect((await getMachine(t.db, macOf(51))).state).toBe('discovered');
  });
});
