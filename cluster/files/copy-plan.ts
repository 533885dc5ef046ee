/**
 * What a Striker does about its copies of the files' bytes, decided from what the database and its
 * disk say (pure: the keeper gathers the facts and carries the plan out).
 *
 *   - A file whose bytes are on the disk with the right size but not recorded as held here (the
 *     upload went through an older Striker, or a fetch ended just before it was recorded) is
 *     checked: its SHA-256 is computed, and only an equal one is recorded as held.
 *   - A file whose bytes are missing is fetched from the peers: those recorded as holding it
 *     first, then the others (a peer without the bytes answers 404 at once). One that failed
 *     here waits `retryAfterMs` before it is tried again; one fetching in this process is left alone.
 *   - A directory under the store named for a file that no longer exists, and not an open upload,
 *     is removed: a file removed on any Striker is removed on every Striker.
 */
import type { CopyView } from './file-copies-store.js';

export type CopyAction =
  | { kind: 'verify'; file: CopyView }
  | { kind: 'fetch'; file: CopyView; sources: string[] }
  | { kind: 'no-source'; file: CopyView }
  | { kind: 'remove'; id: string };

export interface CopyFacts {
  files: readonly CopyView[];
  openUploads: ReadonlySet<string>;
  /** Size of each file's bytes in the store, by file id (absent: not there). */
  onDisk: ReadonlyMap<string, number>;
  /** Directories in the store named like a file id. */
  directories: readonly string[];
  /** Peer Strikers this Striker can call, by node name. */
  peers: readonly string[];
  /** Files this process is fetching or checking now. */
  busy: ReadonlySet<string>;
  now: Date;
  retryAfterMs: number;
}

export function planCopies(f: CopyFacts): CopyAction[] {
  const actions: CopyAction[] = [];
  const known = new Set(f.files.map((x) => x.id));
  for (const id of f.directories) if (!known.has(id) && !f.openUploads.has(id) && !f.busy.has(id)) actions.push({ kind: 'remove', id });
  for (const file of f.files) {
    if (f.busy.has(file.id)) continue;
    const there = f.onDisk.get(file.id) === file.sizeBytes;
    if (there) {
      if (file.own?.state !== 'held') actions.push({ kind: 'verify', file });
      continue;
    }
    if (file.own?.state === 'failed' && f.now.getTime() - file.own.updatedAt.getTime() < f.retryAfterMs) continue;
    const holders = file.holders.filter((h) => f.peers.includes(h));
    const sources = [...holders, ...f.peers.filter((p) => !holders.includes(p))];
    actions.push(sources.length === 0 ? { kind: 'no-source', file } : { kind: 'fetch', file, sources });
  }
  return actions;
}
