import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../striker/core/errors/index.js';
import { loadOrCreateSigningKey } from './signing-key.js';

const dir = mkdtempSync(join(tmpdir(), 'ks-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateSigningKey', () => {
  it('creates a 32-byte key with mode 0600 once, then reads the same key', async () => {
    const path = join(dir, 'keys', 'kickstart.key');
    const [a, b] = await Promise.all([loadOrCreateSigningKey(path), loadOrCreateSigningKey(path)]);
    expect(a.length).toBe(32);
    expect(b.equals(a)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateSigningKey(path)).equals(a)).toBe(true);
  });

  it('refuses a short key file', async () => {
    const path = join(dir, 'short.key');
    writeFileSync(path, 'abc');
    await expect(loadOrCreateSigningKey(path)).rejects.toBeInstanceOf(ConfigError);
  });
});
