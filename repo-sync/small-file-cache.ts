/**
 * Small served files (repodata, tiny RPMs, .treeinfo) in memory, keyed by the real root they were
 * served from and the path under it (`<real snapshot or tree dir>/<tail>`). Published snapshot
 * and tree directories are immutable (a new sync or import makes a new directory), so bytes read
 * once under a real root never change and are kept without revalidation; the route resolves the
 * root per request, so a switched snapshot gives new keys. Only bytes read through the safe
 * opener (safe-open.ts) are ever stored, so a memory hit serves nothing the opener would refuse.
 * Bounded (LRU by bytes and entries); files larger than `maxFileBytes` are streamed instead.
 */
import type { FileHandle } from 'node:fs/promises';
import { fileHeaders, type FileHeaders } from './file-headers.js';
import type { OpenedFile } from './safe-open.js';

/** A file in memory with its response headers (made once: every answer from memory sends the same). */
export interface CachedFile extends FileHeaders {
  readonly body: Buffer;
}

/** Reads exactly `size` bytes from the start of `handle`; throws when the file is shorter. */
async function readWhole(handle: FileHandle, size: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const { bytesRead } = await handle.read(body, at, size - at, at);
    if (bytesRead === 0) throw new Error(`file shrank while being read: ${at} of ${size} bytes`);
    at += bytesRead;
  }
  return body;
}

export class SmallFileCache {
  private readonly entries = new Map<string, CachedFile>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024, readonly maxFileBytes = 64 * 1024, private readonly maxEntries = 100_000) {}

  /** The cached file if it is in memory now (no disk access). */
  peek(key: string): CachedFile | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Reads a small file the safe opener opened (the caller closes it) into memory and keeps it
   * under `key` (whose name also gives the Content-Type); undefined (nothing read) when it is
   * larger than `maxFileBytes`.
   */
  async load(key: string, file: OpenedFile): Promise<CachedFile | undefined> {
    if (file.stats.size > this.maxFileBytes) return undefined;
    const body = await readWhole(file.handle, file.stats.size);
    const cached: CachedFile = { body, ...fileHeaders(key, file.stats) };
    this.remember(key, cached);
    return cached;
  }

  private remember(key: string, value: CachedFile): void {
    const old = this.entries.get(key);
    if (old !== undefined) this.bytes -= old.body.length;
    this.entries.delete(key);
    this.entries.set(key, value);
    this.bytes += value.body.length;
    for (const [k, entry] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
      this.bytes -= entry.body.length;
    }
  }
}
