/**
 * Password hashing with scrypt (node:crypto). Stored as `scrypt$N$r$p$salt$hash` (base64url) so
 * the cost can be raised later without breaking old hashes. The key derivation is a parameter so
 * `PasswordHasher` (password-hasher.ts) can bound how many run at once.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/** Derives a key from a password: scrypt, or scrypt behind a limiter. */
export type Kdf = (password: string, salt: Buffer, options: { N: number; r: number; p: number }) => Promise<Buffer>;

/** scrypt on libuv's thread pool. */
export const scryptKdf: Kdf = (password, salt, options) =>
  new Promise((resolve, reject) => {
    const scryptOptions: ScryptOptions = { ...options, maxmem: 128 * options.N * options.r * 2 };
    scryptCb(password.normalize('NFKC'), salt, KEY_LENGTH, scryptOptions, (err, key) => (err ? reject(err) : resolve(key)));
  });

export async function hashPassword(password: string, kdf: Kdf = scryptKdf): Promise<string> {
  const salt = randomBytes(16);
  const key = await kdf(password, salt, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string, kdf: Kdf = scryptKdf): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!N || !r || !p) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  const key = await kdf(password, salt, { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash that no password matches, used to spend the same time when the user does not exist. */
export const UNUSABLE_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEY_LENGTH).toString('base64url')}`;
