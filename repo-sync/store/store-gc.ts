/**
 * Garbage collection of the content-addressed store. Snapshots hard-link their files from the
 * store, so the link count is the reference count: a store file with one link (its own name)
 * belongs to no snapshot left on disk. Such files, and abandoned partial downloads, are removed
 * once older than `minAgeMs`, so a file fetched by a sync that has not published yet is kept.
 * If a sync still planned to use a collected file, its publish fails loudly (ENOENT on link) and
 * the next sync downloads it again; nothing unverified is ever published.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoreGcResult {
  removedFiles: number;
  removedBytes: number;
  keptFiles: number;
}

export async function collectStoreGarbage(storeRoot: string, options: { minAgeMs?: number; now?: number } = {}): Promise<StoreGcResult> {
  const minAge = options.minAgeMs ?? 24 * 3600_000;
  const now = options.now ?? Date.now();
  const result: StoreGcResult = { removedFiles: 0, removedBytes: 0, keptFiles: 0 };
  const consider = async (path: string, unreferenced: (nlink: number) => boolean) => {
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) return;
    if (unreferenced(st.nlink) && now - st.mtimeMs >= minAge) {
      await rm(path, { force: true });
      result.removedFiles += 1;
      result.removedBytes += st.size;
    } else {
      result.keptFiles += 1;
    }
  };
  for (const top of await readdir(storeRoot).catch(() => [] as string[])) {
    const dir = join(storeRoot, top);
    if (top === 'partial') {
      for (const name of await readdir(dir)) await consider(join(dir, name), () => true);
      continue;
    }
    for (const hh of await readdir(dir).catch(() => [] as string[])) {
      for (const name of await readdir(join(dir, hh)).catch(() => [] as string[])) await consider(join(dir, hh, name), (n) => n <= 1);
    }
  }
  return result;
}
