/**
 * Large served files (kernels, initrds, RPMs) kept open between requests, keyed by the published
 * link they were served through and the path under it. A rack powering on asks for the same
 * kernel and initrd fifty times within a second; each request would otherwise resolve the link
 * and the path (two realpath), lstat, open, fstat and name the descriptor again (safe-open.ts),
 * seven trips to the thread pool before its first byte. sendfile(2) reads by offset, so one
 * descriptor serves any number of downloads at once.
 *
 * Only descriptors the safe opener opened are kept, so a hit serves nothing the opener would
 * refuse. Published snapshot and tree directories are immutable (small-file-cache.ts), so a
 * kept descriptor stays the file its path named (the route still fstat(2)s it per request, one
 * trip instead of seven, and opens afresh if size, mtime or inode changed, as they do when a file
 * is changed in place against that rule); an entry is trusted only while the snapshot
 * links have not changed since it was opened (`generation`, see snapshot-links.ts), so a switched
 * snapshot or tree is opened afresh. A descriptor closes once it is dropped (a newer generation,
 * or the cache full) and the last download using it has finished. Bounded by entries.
 */
import type { OpenedFile } from './safe-open.js';
import type { FileHeaders } from './file-headers.js';

interface Entry {
  readonly file: OpenedFile;
  readonly headers: FileHeaders;
  readonly generation: number;
  /** Downloads using the descriptor now. */
  users: number;
  /** No longer in the map: closes when `users` reaches 0. */
  dropped: boolean;
}

/** A kept file in use by one request; `release` once its response is done (exactly once). */
export interface OpenFileLease {
  readonly file: OpenedFile;
  readonly headers: FileHeaders;
  release(): Promise<void>;
  /** Releases it and drops it from the cache (it no longer matches its path's file). */
  discard(): Promise<void>;
}

export class OpenFileCache {
  private readonly entries = new Map<string, Entry>();
  /** The newest generation seen: on a newer one every older entry is dropped (a removed tree's files close). */
  private generation = -Infinity;

  constructor(private readonly maxEntries = 64) {}

  /** The file kept under `key` if it was opened under `generation`; a stale entry is dropped. */
  take(key: string, generation: number): OpenFileLease | undefined {
    this.see(generation);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.generation !== generation) {
      void this.drop(key, entry);
      return undefined;
    }
    this.entries.delete(key); // most recently used last
    this.entries.set(key, entry);
    return this.lease(entry);
  }

  /**
   * Keeps `file` (just opened by the safe opener under `generation`) under `key` and leases it to
   * the request that opened it. A file already kept under that key stays, and the new one closes
   * when this lease is released.
   */
  keep(key: string, file: OpenedFile, headers: FileHeaders, generation: number): OpenFileLease {
    this.see(generation);
    const entry: Entry = { file, headers, generation, users: 0, dropped: false };
    const current = this.entries.get(key);
    if (current !== undefined && current.generation === generation) {
      entry.dropped = true;
      return this.lease(entry);
    }
    if (current !== undefined) void this.drop(key, current);
    if (this.entries.size >= this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      void this.drop(oldestKey, oldest);
    }
    this.entries.set(key, entry);
    return this.lease(entry);
  }

  /** Drops every entry (each closes once its downloads finish). */
  async clear(): Promise<void> {
    await Promise.all([...this.entries].map(([key, entry]) => this.drop(key, entry)));
  }

  get size(): number {
    return this.entries.size;
  }

  private see(generation: number): void {
    if (generation <= this.generation) return;
    this.generation = generation;
    for (const [key, entry] of [...this.entries]) if (entry.generation !== generation) void this.drop(key, entry);
  }

  private lease(entry: Entry): OpenFileLease {
    entry.users += 1;
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.dropped && entry.users === 0) await closeQuietly(entry);
    };
    return {
      file: entry.file,
      headers: entry.headers,
      release,
      discard: async () => {
        for (const [key, kept] of this.entries) if (kept === entry) this.entries.delete(key);
        entry.dropped = true;
        await release();
      },
    };
  }

  private async drop(key: string, entry: Entry): Promise<void> {
    if (this.entries.get(key) === entry) this.entries.delete(key);
    if (entry.dropped) return;
    entry.dropped = true;
    if (entry.users === 0) await closeQuietly(entry);
  }
}

async function closeQuietly(entry: Entry): Promise<void> {
  await entry.file.handle.close().catch(() => undefined);
}
