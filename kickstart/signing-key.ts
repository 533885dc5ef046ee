/**
 * The HMAC key for signed kickstart URLs: 32 random bytes in a file under the data directory,
 * created on first use with mode 0600: written to a temporary file, then hard-linked into place,
 * which fails if another process got there first, so no one ever reads a half-written key.
 * Rotating the key (deleting the file) invalidates every signed URL handed out so far.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../striker/core/errors/index.js';

export const signingKeyBytes = 32;

export async function loadOrCreateSigningKey(path: string): Promise<Buffer> {
  try {
    const key = await readFile(path);
    if (key.length < signingKeyBytes) throw new ConfigError([{ path, message: `must hold at least ${signingKeyBytes} bytes — got ${key.length}` }], 'kickstart signing key');
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(signingKeyBytes);
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(tmp, key, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFile(path);
    throw error;
  } finally {
    await unlink(tmp);
  }
}
