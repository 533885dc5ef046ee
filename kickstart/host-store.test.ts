import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database.js';
import { systemActor } from '../striker/audit/audit-store.js';
import { describeMachine, getMachine } from '../striker/machines/index.js';
import { hostIdOf } from './host-id.js';
import { markRegistered } from './host-store.js';
import { generateToken } from './registration-token.js';
import { ServedKickstartTokens } from './token-store.js';

async function serveKickstart(db: TestDatabase['db'], hostId: string): Promise<void> {
  const issued = generateToken(new Date(), 3600);
  await new ServedKickstartTokens(db).put(hostId, issued.hash, issued.expiresAt);
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('machine state along the install', () => {
  it('an assigned machine that fetched its kickstart is installing, and installed once it registers', async () => {
    const mac = '52:54:00:c1:00:01';
    await describeMachine(t.db, systemActor, mac, { role: 'node', hostname: 'an-a01n01' });
    expect((await getMachine(t.db, mac)).state).toBe('assigned');
    await serveKickstart(t.db, hostIdOf(mac));
    expect((await getMachine(t.db, mac)).state).toBe('installing');
    await markRegistered(t.db, hostIdOf(mac));
    expect((await getMachine(t.db, mac)).state).toBe('installed');
  });

  it('leaves a machine without a role discovered', async () => {
    const mac = '52:54:00:c1:00:02';
    await describeMachine(t.db, systemActor, mac, { hostname: 'spare' });
    const before = (await getMachine(t.db, mac)).state;
    await serveKickstart(t.db, hostIdOf(mac));
    expect((await getMachine(t.db, mac)).state).toBe(before);
    expect(before).not.toBe('installing');
  });
});
