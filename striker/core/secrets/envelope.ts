/**
 * Secrets at rest: an AES-256-GCM envelope that names its key.
 *
 *   sk1.<key id>.<iv, 12 bytes>.<ciphertext>.<tag, 16 bytes>      (parts in base64url)
 *
 * `context` (for a column: `table.column`) is bound as additional authenticated data, so an
 * envelope copied into another column does not open. A wrong key, a changed byte anywhere, a
 * different context or a malformed envelope all give `SECRET_UNREADABLE`; nothing about the
 * plaintext or the key is put in the message. Pure: the keyring is passed in.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StrikerError } from '../errors/index.js';
import { currentKey, isKeyId, keyById, type SiteKeyring } from './keyring.js';

const PREFIX = 'sk1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The longest plaintext sealed (a secret is a password or a key file, never a document). */
export const MAX_SECRET_BYTES = 64 * 1024;
const B64URL = /^[A-Za-z0-9_-]*$/;

export function encryptSecret(keyring: SiteKeyring, plaintext: string, context: string): string {
  const bytes = Buffer.from(plaintext, 'utf8');
  if (bytes.length > MAX_SECRET_BYTES) throw new StrikerError('VALIDATION_FAILED', `a secret may be at most ${MAX_SECRET_BYTES} bytes — got ${bytes.length}`);
  const key = currentKey(keyring);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(key.id, context));
  const ciphertext = Buffer.concat([cipher.update(bytes), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, key.id, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
}

export function decryptSecret(keyring: SiteKeyring, envelope: string, context: string): string {
  const parts = parseEnvelope(envelope, context);
  const key = keyById(keyring, parts.keyId);
  if (!key) throw unreadable(context, `it was sealed with key ${parts.keyId}, which this Striker does not hold`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(parts.keyId, context));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    throw unreadable(context, 'it fails authentication (changed, or sealed for another column)', error);
  }
}

/** The id of the key that sealed `envelope` (for re-encryption and reports). */
export function envelopeKeyId(envelope: string, context = 'secret'): string {
  return parseEnvelope(envelope, context).keyId;
}

/** Whether `value` has the shape of an envelope (it may still not open). */
export function isEnvelope(value: string): boolean {
  try {
    parseEnvelope(value, '');
    return true;
  } catch {
    return false;
  }
}

interface EnvelopeParts {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parseEnvelope(envelope: string, context: string): EnvelopeParts {
  if (envelope.length > MAX_SECRET_BYTES * 2) throw unreadable(context, 'it is longer than any sealed secret');
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== PREFIX) throw unreadable(context, `it is not an ${PREFIX} envelope`);
  const [, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (!isKeyId(keyId)) throw unreadable(context, 'its key id is malformed');
  if (![iv, ciphertext, tag].every((p) => B64URL.test(p))) throw unreadable(context, 'it is not base64url');
  const parsed = { keyId, iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url'), tag: Buffer.from(tag, 'base64url') };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) throw unreadable(context, 'its nonce or tag has the wrong length');
  return parsed;
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${PREFIX}\0${keyId}\0${context}`, 'utf8');
}

function unreadable(context: string, why: string, cause?: unknown): StrikerError {
  return new StrikerError('SECRET_UNREADABLE', `the secret in ${context || 'the value'} cannot be opened: ${why}`, { details: { context }, cause, retryable: false });
}
