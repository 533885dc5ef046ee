/**
 * Bearer secrets (session cookies, API tokens): 32 random bytes shown once, stored only as a
 * SHA-256 hash so a database dump reveals no usable credential.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
