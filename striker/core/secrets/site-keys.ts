/**
 * The site keyring as the rest of Striker uses it: seal and open secrets with the keyring file
 * under the data directory, and change that file under a lock so two processes (`striker serve`
 * taking a key from a peer, the CLI rotating) never lose each other's keys. The file is read on
 * every use: it is small, and a key added by another process is seen at once.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { StrikerError } from '../errors/index.js';
import { isAlive } from '../process-probe.js';
import { decryptSecret, encryptSecret } from './envelope.js';
import { keyringPath, loadOrCreateKeyring, readKeyring, writeKeyring } from './keyring-file.js';
import type { SiteKeyring } from './keyring.js';

export interface SiteKeys {
  keyring(): SiteKeyring;
  encrypt(plaintext: string, context: string): string;
  decrypt(envelope: string, context: string): string;
  /** Replaces the keyring with `change(current)`, under the file lock; returns the new keyring. */
  update(change: (current: SiteKeyring) => SiteKeyring): Promise<SiteKeyring>;
}

/** The keyring of the Striker whose data directory is `dataDir`; made on first use. */
export function siteKeys(dataDir: string, now: () => Date = () => new Date()): SiteKeys {
  const path = keyringPath(dataDir);
  const keyring = () => loadOrCreateKeyring(dataDir, now());
  return {
    keyring,
    encrypt: (plaintext, context) => encryptSecret(keyring(), plaintext, context),
    decrypt: (envelope, context) => decryptSecret(keyring(), envelope, context),
    async update(change) {
      keyring();
      const release = await lockFile(`${path}.lock`);
      try {
        const next = change(readKeyring(path));
        writeKeyring(dataDir, next);
        return next;
      } finally {
        release();
      }
    },
  };
}

async function lockFile(lock: string, timeoutMs = 10_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readOrEmpty(lock));
    if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new StrikerError('SECRET_UNREADABLE', `the site keyring lock ${lock} is held by process ${holder}; try again once it is done`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
