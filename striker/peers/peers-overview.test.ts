import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { saveIdentity } from '../setup/identity-store.js';
import { sampleIdentity } from '../setup/sample-identity.js';
import type { PeeringDeps } from './actions.js';
import { peersOverview } from './peers-overview.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

function deps(): Pick<PeeringDeps, 'db' | 'keys' | 'replication' | 'self'> {
  const replication = {
    status: async () => ({ subscriptions: [], slots: [] }),
    conflicts: async () => [],
    slotName: (subscriber: string, publisher: string) => `${subscriber}_${publisher}`,
  } as unknown as PeeringDeps['replication'];
  const keys = { keyring: () => ({ current: 'k1' }) } as unknown as PeeringDeps['keys'];
  return { db: t.db, keys, replication, self: () => ({ address: 'http://127.0.0.1:8080/', database: { host: '127.0.0.1', port: 5432, name: 'striker' } }) };
}

describe('this Striker in the peers overview', () => {
  it('before the setup wizard: no host name and no network addresses, the node id and URL only', async () => {
    const { self } = await peersOverview(deps());
    expect(self).toMatchObject({ hostName: null, networks: [], address: 'http://127.0.0.1:8080/' });
    expect(self.name).toMatch(/^s[0-9a-f]{12}$/);
  });

  it('after the wizard: the host name and each network address it set', async () => {
    await t.db.tx((q) => saveIdentity(q, sampleIdentity(), null));
    const { self } = await peersOverview(deps());
    expect(self.hostName).toBe('an-striker01.alteeve.example');
    expect(self.networks).toEqual([
      { network: 'ifn', address: '192.168.122.10' },
      { network: 'bcn', address: '10.201.4.1' },
      { network: 'sn', address: '10.101.4.1' },
      { network: 'mn', address: '10.199.4.1' },
    ]);
  });
});
