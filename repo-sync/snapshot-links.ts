/**
 * Tells when a published link (`<repo>/current`, `<treesDir>/<tree>`) may have changed, so answers
 * kept by request URL (hot-url-index.ts) are trusted only while the link they were served through
 * is unchanged. inotify (fs.watch on the link's directory) reports any change in that directory,
 * which a publish's rename(2) of the link always causes; each report raises `generation`.
 *
 * A caller reads `generation`, makes sure the link's directory is watched (`watch`), then resolves
 * the link and serves: an answer kept under that generation is dropped by any later change. A
 * request handled between the rename and the inotify event (same event-loop turn) still gets the
 * previous snapshot, which is complete and immutable: to a client that is the same as having asked
 * a moment earlier. Without a watcher (limit reached, or the platform refuses) nothing may be kept.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

export class SnapshotLinks {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Goes up whenever a watched link may have changed: answers kept under older values are stale. */
  generation = 0;

  constructor(private readonly maxWatchers = 256) {}

  /** True when the directory holding `linkPath` is (now) watched. */
  watch(linkPath: string): boolean {
    const dir = dirname(linkPath);
    if (this.watchers.has(dir)) return true;
    if (this.watchers.size >= this.maxWatchers) return false;
    let watcher: FSWatcher;
    try {
      // Any change drops the watcher too: after the directory itself is removed (repo removed, then
      // added again) an inotify watch is dead, so the next request watches afresh.
      watcher = watch(dir, { persistent: false }, () => this.drop(dir));
    } catch {
      return false;
    }
    watcher.on('error', () => this.drop(dir));
    this.watchers.set(dir, watcher);
    return true;
  }

  close(): void {
    this.generation += 1;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private drop(dir: string): void {
    this.generation += 1;
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }
}
