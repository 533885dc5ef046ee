/**
 * Where a published link (`<repo>/current`, `<treesDir>/<tree>`) points, remembered between
 * requests. Reading the link costs a readlink(2) per request, a noticeable share of a small-file
 * response; so the answer is kept until inotify (fs.watch on the link's directory) reports any change in
 * that directory, which a publish's rename(2) of the link always causes. Without a watcher (limit
 * reached, or the platform refuses) every call reads the link.
 *
 * The watcher is started before the link is read, so a switch between the two is never missed.
 * A request handled between the rename and the inotify event (same event-loop turn) still gets the
 * previous snapshot, which is complete and immutable: to a client that is the same as having asked
 * a moment earlier. Callers that need in-process ordering (a test that renames and then asks) use
 * `readLinkTarget` directly.
 */
import { readlinkSync, watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The directory a link points at (relative targets resolved against the link's directory). */
export function readLinkTarget(linkPath: string): string | undefined {
  try {
    return resolve(dirname(linkPath), readlinkSync(linkPath));
  } catch {
    return undefined;
  }
}

export class SnapshotLinks {
  private readonly targets = new Map<string, string>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** Goes up whenever a remembered link may have changed: answers derived from older ones are stale. */
  generation = 0;

  constructor(private readonly maxWatchers = 256) {}

  resolve(linkPath: string): string | undefined {
    const known = this.targets.get(linkPath);
    if (known !== undefined) return known;
    const watched = this.watch(dirname(linkPath));
    const target = readLinkTarget(linkPath);
    // Only links that exist are remembered, so unknown names cannot grow the map or the watchers.
    if (target !== undefined && watched) this.targets.set(linkPath, target);
    return target;
  }

  close(): void {
    this.generation += 1;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.targets.clear();
  }

  /** True when `dir` is (now) watched. */
  private watch(dir: string): boolean {
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

  private drop(dir: string): void {
    this.generation += 1;
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
    for (const link of this.targets.keys()) {
      if (dirname(link) === dir) this.targets.delete(link);
    }
  }
}
