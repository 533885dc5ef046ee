/**
 * Serves small files (repodata, tiny RPMs, .treeinfo) from memory. Published snapshot and tree
 * directories are immutable (a new sync makes a new snapshot id), so a file's bytes under
 * `snapshots/<id>/…` never change and can be cached without revalidation; the `current` link is
 * resolved per request (see snapshot-links.ts), so a switch is seen. Bounded (LRU by bytes); files larger than
 * `maxFileBytes` are remembered as "large" and left to the streaming path.
 * The ETag and Last-Modified match @fastify/send's (W/"size-mtime"), so conditional and Range
 * requests, which go to @fastify/send, agree with cached responses.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileHeaders, type FileHeaders } from './file-headers.js';

/** A file in memory with its response headers (made once: every answer from memory sends the same). */
export interface CachedFile extends FileHeaders {
  readonly body: Buffer;
}

export class SmallFileCache {
  private readonly entries = new Map<string, CachedFile | 'large'>();
  private bytes = 0;
  hits = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024, readonly maxFileBytes = 64 * 1024) {}

  /** The cached file if it is in memory now (no disk access, for synchronous callers). */
  peek(path: string): CachedFile | undefined {
    const entry = this.entries.get(path);
    if (entry === undefined || entry === 'large') return undefined;
    this.entries.delete(path);
    this.entries.set(path, entry);
    this.hits += 1;
    return entry;
  }

  /** The cached file, loading it on a miss; undefined when missing, not a regular file, or large. */
  async get(path: string): Promise<CachedFile | undefined> {
    const entry = this.entries.get(path);
    if (entry === 'large') return undefined;
    if (entry !== undefined) return this.peek(path);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    if (st.size > this.maxFileBytes) {
      this.remember(path, 'large', 0);
      return undefined;
    }
    const body = await readFile(path).catch(() => undefined);
    if (body === undefined || body.length !== st.size) return undefined;
    const file: CachedFile = { body, ...fileHeaders(path, st) };
    this.remember(path, file, body.length);
    return file;
  }

  private remember(path: string, value: CachedFile | 'large', size: number): void {
    this.entries.set(path, value);
    this.bytes += size;
    for (const [key, old] of this.entries) {
      if (this.bytes <= this.maxBytes && this.entries.size <= 100_000) break;
      this.entries.delete(key);
      if (old !== 'large') this.bytes -= old.body.length;
    }
  }
}
