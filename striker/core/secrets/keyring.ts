/**
 * The site's secret keys: a keyring of AES-256 keys, each with an id, one of them current. New
 * secrets are sealed with the current key; an envelope names the key that sealed it, so after a
 * rotation rows sealed with an older key still open until they are re-encrypted. Pure: the file
 * that keeps the keyring is `keyring-file.ts`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const KEY_BYTES = 32;
const KEY_ID = /^k[0-9a-f]{12}$/;

export interface SiteKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
  createdAt: string;
}

export interface SiteKeyring {
  /** The id of the key new secrets are sealed with. */
  current: string;
  keys: readonly SiteKey[];
}

export function isKeyId(value: string): boolean {
  return KEY_ID.test(value);
}

/** A new random key with a new id. */
export function generateKey(now: Date): SiteKey {
  return { id: `k${randomBytes(6).toString('hex')}`, key: randomBytes(KEY_BYTES), createdAt: now.toISOString() };
}

/** A keyring holding one new key, current. */
export function newKeyring(now: Date): SiteKeyring {
  const key = generateKey(now);
  return { current: key.id, keys: [key] };
}

export function keyById(keyring: SiteKeyring, id: string): SiteKey | undefined {
  return keyring.keys.find((k) => k.id === id);
}

export function currentKey(keyring: SiteKeyring): SiteKey {
  const key = keyById(keyring, keyring.current);
  if (!key) throw new Error(`the keyring's current key ${keyring.current} is not in it`);
  return key;
}

/**
 * `keyring` with every key of `incoming` it lacks added. A key id already held with other bytes is
 * refused: ids are random, so that is a different site or a corrupted file, never a rotation.
 */
export function mergeKeys(keyring: SiteKeyring, incoming: readonly SiteKey[]): SiteKeyring {
  const keys = [...keyring.keys];
  for (const k of incoming) {
    const held = keys.find((h) => h.id === k.id);
    if (held === undefined) keys.push(k);
    else if (!held.key.equals(k.key)) throw new Error(`key ${k.id} is already held with different bytes`);
  }
  return { current: keyring.current, keys };
}

/** `keyring` with `id` (which it must hold) as the current key. */
export function withCurrent(keyring: SiteKeyring, id: string): SiteKeyring {
  if (!keyById(keyring, id)) throw new Error(`key ${id} is not in the keyring`);
  return { current: id, keys: keyring.keys };
}

/** How a key travels and is stored: base64 bytes. */
export const siteKeyWire = z.strictObject({
  id: z.string().regex(KEY_ID, 'must be a key id like k0123456789ab'),
  key: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64'),
  createdAt: z.iso.datetime({ offset: true }),
});
export type SiteKeyWire = z.infer<typeof siteKeyWire>;

export const keyringWire = z
  .strictObject({
    version: z.literal(1),
    current: z.string().regex(KEY_ID, 'must be a key id like k0123456789ab'),
    keys: z.array(siteKeyWire).min(1).max(1000),
  })
  .refine((k) => k.keys.some((key) => key.id === k.current), { message: 'the current key must be one of keys', path: ['current'] });

export function keyToWire(k: SiteKey): SiteKeyWire {
  return { id: k.id, key: k.key.toString('base64'), createdAt: k.createdAt };
}

export function keyFromWire(k: SiteKeyWire): SiteKey {
  return { id: k.id, key: Buffer.from(k.key, 'base64'), createdAt: k.createdAt };
}

export function keyringToWire(keyring: SiteKeyring): z.infer<typeof keyringWire> {
  return { version: 1, current: keyring.current, keys: keyring.keys.map(keyToWire) };
}

export function keyringFromWire(wire: z.infer<typeof keyringWire>): SiteKeyring {
  return { current: wire.current, keys: wire.keys.map(keyFromWire) };
}
