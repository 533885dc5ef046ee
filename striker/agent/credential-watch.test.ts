/**
 * CredentialWatch on a real database: a credential seen live is trusted for the cache period
 * without asking again, a revocation (NOTIFY from the store) ends that at once and wakes whoever
 * waits on it, and with caching off every check asks the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { credentialChannel, insertCredential, revokeLiveCredential } from './credential-store.js';
import { CredentialWatch } from './credential-watch.js';

let t: TestDatabase;
const watches: CredentialWatch[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});

afterAll(async () => {
  for (const w of watches) w.close();
  await t.drop();
});

async function watch(cacheMs: number): Promise<CredentialWatch> {
  const w = new CredentialWatch(t.db, quietLogger, cacheMs);
  watches.push(w);
  await w.start();
  return w;
}

/** Revokes without the store's NOTIFY: what only a database check can see. */
const revokeSilently = (id: string) => t.db.write(`UPDATE agent_credentials SET revoked_at = clock_timestamp(), revoked_reason = 'revoked' WHERE id = $1`, [id]);

describe('CredentialWatch', () => {
  it('trusts a live credential for the cache period, and drops it at the revocation NOTIFY, waking its waiters', async () => {
    const w = await watch(600_000);
    const cred = await insertCredential(t.db, '52-54-00-0c-00-01', 'a'.repeat(64), 'registration');
    expect(await w.holds(cred.id)).toBe(true);
    await revokeSilently(cred.id);
    // Cached: the silent revocation is not asked about.
    expect(await w.holds(cred.id)).toBe(true);
    await t.db.write(`UPDATE agent_credentials SET revoked_at = NULL, revoked_reason = NULL WHERE id = $1`, [cred.id]);
    const woken = new Promise<void>((resolve) => w.whenRevoked(cred.id, resolve));
    expect(await revokeLiveCredential(t.db, '52-54-00-0c-00-01', 'revoked')).toBe(cred.id);
    await woken;
    expect(await w.holds(cred.id)).toBe(false);
  });

  it('asks the database at every check with caching off', async () => {
    const w = await watch(0);
    const cred = await insertCredential(t.db, '52-54-00-0c-00-02', 'b'.repeat(64), 'registration');
    expect(await w.holds(cred.id)).toBe(true);
    await revokeSilently(cred.id);
    expect(await w.holds(cred.id)).toBe(false);
  });

  it('the store NOTIFYs the revoked id on the channel the watch listens to', async () => {
    const cred = await insertCredential(t.db, '52-54-00-0c-00-03', 'c'.repeat(64), 'registration');
    let heard: (payload: string | undefined) => void = () => undefined;
    const payload = new Promise<string | undefined>((resolve) => (heard = resolve));
    const listener = await t.db.listen(credentialChannel, (p) => heard(p), () => undefined);
    await t.db.tx((tx) => revokeLiveCredential(tx, '52-54-00-0c-00-03', 'rotation'));
    expect(await payload).toBe(cred.id);
    listener.close();
  });
});
