import { link, mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentStore } from './content-store.js';
import { collectStoreGarbage } from './store-gc.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'striker-gc-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('collectStoreGarbage', () => {
  it('removes old unreferenced files and old partials, keeps referenced and recent ones', async () => {
    const store = new ContentStore(join(dir, 'store'));
    await store.ensurePartialDir();
    const put = async (hex: string, old: boolean) => {
      const c = { algorithm: 'sha256' as const, value: hex.repeat(64) };
      const p = store.pathFor(c);
      await mkdir(join(p, '..'), { recursive: true });
      await writeFile(p, hex);
      if (old) await utimes(p, new Date(0), new Date(0));
      return p;
    };
    const referenced = await put('a', true);
    await mkdir(join(dir, 'snap'), { recursive: true });
    await link(referenced, join(dir, 'snap', 'a.rpm'));
    const orphan = await put('b', true);
    const fresh = await put('c', false);
    await writeFile(join(store.root, 'partial', 'sha256-old'), 'x');
    await utimes(join(store.root, 'partial', 'sha256-old'), new Date(0), new Date(0));
    const result = await collectStoreGarbage(store.root);
    expect(result).toEqual({ removedFiles: 2, removedBytes: 2, keptFiles: 2 });
    await expect(stat(orphan)).rejects.toThrow(/ENOENT/);
    expect((await stat(referenced)).nlink).toBe(2);
    expect((await stat(fresh)).isFile()).toBe(true);
  });
});
