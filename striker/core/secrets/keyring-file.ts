/**
 * The site keyring on disk: `<dataDir>/site-keys.json`, mode 0600, owned by the Striker process.
 * Created once (the first time a Striker starts); after that only a rotation or a peering adds a
 * key. It is never in the database (so never replicated), never logged and never sent to a
 * client; a peer receives it only over the authenticated peering channel.
 *
 * A file readable by group or others is refused rather than used. Writes go to a file aside
 * (0600 from the start), are flushed, then renamed over the old one, so a crash leaves either the
 * old keyring or the new one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StrikerError } from '../errors/index.js';
import { problemsFromZod } from '../validation/zod-problems.js';
import { keyringFromWire, keyringToWire, keyringWire, newKeyring, type SiteKeyring } from './keyring.js';

export function keyringPath(dataDir: string): string {
  return join(resolve(dataDir), 'site-keys.json');
}

/** The keyring under `dataDir`, made (with one new key) when there is none. */
export function loadOrCreateKeyring(dataDir: string, now: Date): SiteKeyring {
  const path = keyringPath(dataDir);
  if (existsSync(path)) return readKeyring(path);
  const keyring = newKeyring(now);
  writeKeyring(dataDir, keyring);
  return keyring;
}

export function readKeyring(path: string): SiteKeyring {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new StrikerError('SECRET_UNREADABLE', `${path} is readable by other users (mode ${mode.toString(8)}); make it 0600 (chmod 600) before starting Striker`, { details: { path } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StrikerError('SECRET_UNREADABLE', `${path} is not valid JSON`, { details: { path }, cause: error });
  }
  const checked = keyringWire.safeParse(parsed);
  // The problems name paths and shapes only: a key's bytes are never quoted back.
  if (!checked.success) {
    const problems = problemsFromZod(checked.error, undefined).map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new StrikerError('SECRET_UNREADABLE', `${path} is not a site keyring: ${problems}`, { details: { path } });
  }
  return keyringFromWire(checked.data);
}

export function writeKeyring(dataDir: string, keyring: SiteKeyring): void {
  const path = keyringPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  const aside = `${path}.${process.pid}.tmp`;
  const fd = openSync(aside, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(keyringToWire(keyring), null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(aside, path);
}
