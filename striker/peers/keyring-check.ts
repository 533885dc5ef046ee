/**
 * Before `striker serve` starts: the site keyring must hold every key that sealed a secret in the
 * database. A keyring file replaced by another site's, or lost and made anew, would otherwise
 * start a Striker whose every stored password fails later, one request at a time; it is refused
 * at once instead, saying which keys are missing and what they sealed.
 */
import { StrikerError } from '../core/errors/index.js';
import { keyById, type EncryptedColumnRegistry, type SiteKeyring } from '../core/secrets/index.js';
import type { DbReader } from '../db/database.js';
import { sealingKeyIds } from './secret-store.js';

export async function checkKeyringHoldsSealingKeys(q: DbReader, keyring: SiteKeyring, registry: EncryptedColumnRegistry, keyringFile: string): Promise<void> {
  const missing: string[] = [];
  for (const table of registry) {
    for (const row of await sealingKeyIds(q, table)) {
      if (keyById(keyring, row.keyId) === undefined) missing.push(`key ${row.keyId} sealed ${row.count} secret(s) in ${table.table}.${row.column}`);
    }
  }
  if (missing.length === 0) return;
  throw new StrikerError(
    'SECRET_UNREADABLE',
    `the site keyring ${keyringFile} does not hold the keys this Striker's secrets were sealed with (${missing.join('; ')}); ` +
      `put back the keyring file this Striker had (from a backup, or a peer's copy), then start it again`,
    { details: { path: keyringFile } },
  );
}
