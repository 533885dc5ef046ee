/**
 * Raw request URL → small file already in memory, for the front door (striker/http/front-door.ts).
 * The repo routes add a URL after answering it from memory through the safe opener's checks; the
 * front door then answers it with one Map lookup and no disk access, so it never blocks. An entry
 * is trusted only while the snapshot links have not changed since it was made (`generation`, see
 * snapshot-links.ts), so a switched snapshot goes through the routes again. Bounded by entries and
 * bytes; when full it starts over (cheap, and the hot set refills within one pass of an installer).
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
