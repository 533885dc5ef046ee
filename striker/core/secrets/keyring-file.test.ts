import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKey, mergeKeys, withCurrent } from './keyring.js';
import { keyringPath, loadOrCreateKeyring, readKeyring, writeKeyring } from './keyring-file.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'striker-keys-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('site keyring file', () => {
  it('is made once, mode 0600, and read back the same', () => {
    const dir = dataDir();
    const first = loadOrCreateKeyring(dir, new Date());
    expect(statSync(keyringPath(dir)).mode & 0o777).toBe(0o600);
    const again = loadOrCreateKeyring(dir, new Date());
    expect(again.current).toBe(first.current);
    expect(again.keys[0]!.key.equals(first.keys[0]!.key)).toBe(true);
  });

  it('keeps every key across a rotation write', () => {
    const dir = dataDir();
    const first = loadOrCreateKeyring(dir, new Date());
    const next = generateKey(new Date());
    writeKeyring(dir, withCurrent(mergeKeys(first, [next]), next.id));
    const read = readKeyring(keyringPath(dir));
    expect(read.current).toBe(next.id);
    expect(read.keys.map((k) => k.id)).toEqual([first.current, next.id]);
  });

  it('refuses a file other users can read', () => {
    const dir = dataDir();
    loadOrCreateKeyring(dir, new Date());
    chmodSync(keyringPath(dir), 0o644);
    expect(() => readKeyring(keyringPath(dir))).toThrow(/readable by other users \(mode 644\)/);
  });

  it('refuses a malformed file without quoting key bytes', () => {
    const dir = dataDir();
    const path = keyringPath(dir);
    writeFileSync(path, JSON.stringify({ version: 1, current: 'k000000000000', keys: [{ id: 'k000000000000', key: 'c2VjcmV0LWJ5dGVz', createdAt: 'x' }] }), { mode: 0o600 });
    let message = '';
    try {
      readKeyring(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/is not a site keyring: keys\.0\.key: must be 32 bytes in base64/);
    expect(message).not.toContain('c2VjcmV0LWJ5dGVz');
    writeFileSync(path, '{not json', { mode: 0o600 });
    expect(() => readKeyring(path)).toThrow(/is not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('{not json');
  });
});
