import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrikerError } from '../core/errors/index.js';
import { columnContext, encryptedColumnRegistry, mergeKeys, siteKeys, type SiteKeys } from '../core/secrets/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { checkKeyringHoldsSealingKeys } from './keyring-check.js';

const registry = encryptedColumnRegistry([{ table: 'keyring_check_probe', key: 'id', columns: ['password'], scope: 'replicated' }]);
let t: TestDatabase;
const dirs: string[] = [];
function keysIn(): SiteKeys {
  const dir = mkdtempSync(join(tmpdir(), 'striker-keyring-check-'));
  dirs.push(dir);
  return siteKeys(dir);
}

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.write('CREATE TABLE keyring_check_probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), password text)');
});
afterAll(async () => {
  await t.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('checkKeyringHoldsSealingKeys', () => {
  it('passes a keyring holding every sealing key, and refuses one that does not, naming the key, the column and the fix', async () => {
    const site = keysIn();
    await checkKeyringHoldsSealingKeys(t.db, site.keyring(), registry, '/var/lib/striker/site-keys.json');
    for (const pw of ['a', 'b']) await t.db.write('INSERT INTO keyring_check_probe (password) VALUES ($1)', [site.encrypt(pw, columnContext('keyring_check_probe', 'password'))]);
    await t.db.write('INSERT INTO keyring_check_probe (password) VALUES (NULL)');
    await checkKeyringHoldsSealingKeys(t.db, site.keyring(), registry, '/var/lib/striker/site-keys.json');

    const stranger = keysIn().keyring();
    const error = await checkKeyringHoldsSealingKeys(t.db, stranger, registry, '/var/lib/striker/site-keys.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrikerError);
    expect((error as StrikerError).code).toBe('SECRET_UNREADABLE');
    expect((error as Error).message).toBe(
      `the site keyring /var/lib/striker/site-keys.json does not hold the keys this Striker's secrets were sealed with (key ${site.keyring().current} sealed 2 secret(s) in keyring_check_probe.password); ` +
        "put back the keyring file this Striker had (from a backup, or a peer's copy), then start it again",
    );
    // A keyring that also holds the old key (after a rotation) opens them.
    await checkKeyringHoldsSealingKeys(t.db, mergeKeys(stranger, site.keyring().keys), registry, 'x');
  });
});
