/**
 * The content-addressed store: every verified file lives once under
 * `<root>/<algo>/<hh>/<hash>` (hh = first two hex digits), whatever repo or snapshot uses it.
 * Snapshots hard-link from here. A file enters the store only by `commit` after its checksum was
 * verified, so presence in the store means "verified". Partial downloads wait in `<root>/partial/`
 * under their expected checksum, so a restarted sync resumes them with an HTTP Range request.
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checksumKey, type Checksum } from '../metadata/checksum.js';

/** Fetches in flight in this process, by store path: two syncs wanting the same file share one download. */
const inflight = new Map<string, Promise<string>>();

export class ContentStore {
  constructor(readonly root: string) {}

  /** Runs `fetch` for checksum `c` unless the same file is already being fetched in this process. */
  once(c: Checksum, fetch: () => Promise<string>): Promise<string> {
    const key = this.pathFor(c);
    const running = inflight.get(key);
    if (running) return running;
    const p = fetch().finally(() => inflight.delete(key));
    inflight.set(key, p);
    return p;
  }

  pathFor(c: Checksum): string {
    return join(this.root, c.algorithm, c.value.slice(0, 2), c.value);
  }

  partialPathFor(c: Checksum): string {
    return join(this.root, 'partial', `${c.algorithm}-${c.value}`);
  }

  /** Synchronous presence check for the (pure) planner's `inStore` callback. */
  hasSync(key: string): boolean {
    const [algorithm, value] = key.split(':');
    if (!algorithm || !value) return false;
    return existsSync(join(this.root, algorithm, value.slice(0, 2), value));
  }

  async has(c: Checksum): Promise<boolean> {
    try {
      return (await stat(this.pathFor(c))).isFile();
    } catch {
      return false;
    }
  }

  /** Moves a verified file into the store (atomic rename on the same filesystem). */
  async commit(verifiedPath: string, c: Checksum): Promise<string> {
    const target = this.pathFor(c);
    await mkdir(dirname(target), { recursive: true });
    await rename(verifiedPath, target);
    return target;
  }

  async ensurePartialDir(): Promise<string> {
    const dir = join(this.root, 'partial');
    await mkdir(dir, { recursive: true });
    return dir;
  }

  keyOf(c: Checksum): string {
    return checksumKey(c);
  }
}
