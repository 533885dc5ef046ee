/**
 * Raw request URL → small file already in memory, for the front door (see serve.ts). A hit costs
 * one Map lookup instead of parsing the URL, joining paths and resolving the snapshot link again,
 * which together were a third of a small-file response. An entry is trusted only while the
 * snapshot links have not changed since it was made (`generation`), so a switched snapshot is
 * looked up afresh. Bounded by entries and bytes; when full it starts over (cheap, and the hot
 * set refills within one pass of an installer).
 */
import type { CachedFile } from './small-file-cache.js';

interface Entry {
  readonly file: CachedFile;
  readonly generation: number;
}

export class HotUrlIndex {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxEntries = 4096, private readonly maxBytes = 16 * 1024 * 1024) {}

  get(url: string, generation: number): CachedFile | undefined {
    const entry = this.entries.get(url);
    return entry !== undefined && entry.generation === generation ? entry.file : undefined;
  }

  set(url: string, file: CachedFile, generation: number): void {
    const old = this.entries.get(url);
    if (old !== undefined) this.bytes -= old.file.body.length;
    if (this.entries.size >= this.maxEntries || this.bytes + file.body.length > this.maxBytes) {
      this.entries.clear();
      this.bytes = 0;
    }
    this.entries.set(url, { file, generation });
    this.bytes += file.body.length;
  }

  get size(): number {
    return this.entries.size;
  }
}
