/**
 * The rule for every tree Striker serves (an extracted ISO, a published repo snapshot): each
 * entry is a regular file, a directory, or a symlink whose real location on disk stays inside
 * the tree and names a regular file or a directory. Anything else — a link leaving the tree (also
 * through a chain of relative links such as `b/c -> ..`, `e -> b/c/b/c/../../..`), a dangling or
 * looping link, a link to a FIFO, a FIFO, a character or block device, a socket — is removed, and
 * the caller is told what was removed and why.
 *
 * Links are judged on disk (`realpath`), never on paper, and the walk never follows them (entry
 * types come from readdir's d_type, i.e. lstat), so a link loop cannot make it loop. The walk is
 * bounded by an entry count. `sanitizeTree` owns the tree it cleans; for a directory Striker
 * does not own (an operator's repo directory), `regularFileInside` and `openRegularInside` apply
 * the same rule to one file at a time through the one safe opener (safe-open.ts).
 */
import { lstat, readdir, readlink, realpath, unlink, type FileHandle } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { StrikerError } from '../../striker/core/errors/index.js';
import { fileTypeNames, fileTypeOf, isUnder, openUnderRoot, type FileType, type OpenedFile } from '../safe-open.js';

/** What kind of entry was dropped: anything but a regular file or a directory. */
export type DroppedKind = Exclude<FileType, 'file' | 'directory'>;

/** One entry removed from a tree; `path` is relative to the tree root. */
export interface DroppedEntry {
  path: string;
  kind: DroppedKind;
  reason: string;
  /** A symlink's target as written in the link. */
  target?: string;
}

export interface SanitizeOptions {
  /** Names the tree in errors, e.g. the ISO path. */
  label: string;
  /** Most entries (files, directories, links) walked before giving up; default 500,000. */
  maxEntries?: number;
  signal?: AbortSignal;
}

export interface SanitizeResult {
  /** Entries walked (everything under the root, the root itself not counted). */
  entries: number;
  dropped: DroppedEntry[];
}

export const defaultMaxEntries = 500_000;

/** A dropped kind in words for the reasons given: "a FIFO", "a socket"; an unknown type is "not a regular file". */
function named(kind: DroppedKind): string {
  return kind === 'unknown' ? 'not a regular file' : `a ${fileTypeNames[kind]}`;
}

/**
 * Why the symlink at `path` may not stay (undefined when it may): its real location must exist,
 * stay under `realRoot` and be a regular file or a directory.
 */
async function judgeLink(realRoot: string, path: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'its target does not exist';
    if (code === 'ELOOP') return 'it is part of a symlink loop';
    return `its target cannot be resolved (${code ?? (error as Error).message})`;
  }
  if (!isUnder(realRoot, real)) return `it resolves to ${real}, outside the tree`;
  const kind = fileTypeOf(await lstat(real));
  if (kind !== 'file' && kind !== 'directory') return `it names ${named(kind)}`;
  return undefined;
}

/** Walks `root` without following links and removes every entry the rule refuses; returns what went. */
export async function sanitizeTree(root: string, options: SanitizeOptions): Promise<SanitizeResult> {
  const max = options.maxEntries ?? defaultMaxEntries;
  const realRoot = await realpath(root);
  const stack = [realRoot];
  const links: string[] = [];
  const specials: { path: string; kind: DroppedKind }[] = [];
  let entries = 0;
  while (stack.length > 0) {
    options.signal?.throwIfAborted();
    const dir = stack.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      entries += 1;
      if (entries > max) {
        throw new StrikerError('REPO_VERIFY_FAILED', `${options.label} holds more than ${max} files, directories and links; refusing to walk further`, { details: { maxEntries: max }, retryable: false });
      }
      const path = join(dir, entry.name);
      const kind = fileTypeOf(entry);
      if (kind === 'directory') stack.push(path);
      else if (kind === 'symlink') links.push(path);
      else if (kind !== 'file') specials.push({ path, kind });
    }
  }
  const rel = (path: string) => relative(realRoot, path);
  const dropped: DroppedEntry[] = specials.map((s) => ({ path: rel(s.path), kind: s.kind, reason: `${named(s.kind)} is never served` }));
  // Judged before anything is removed, so a link to a FIFO is reported as such; judged again
  // after each round of removals, since a kept link may have led through a removed one.
  let pending = links;
  let doomed = specials.map((s) => s.path);
  for (;;) {
    const kept: string[] = [];
    const refused: string[] = [];
    for (const path of pending) {
      options.signal?.throwIfAborted();
      const reason = await judgeLink(realRoot, path);
      if (reason === undefined) { kept.push(path); continue; }
      refused.push(path);
      dropped.push({ path: rel(path), kind: 'symlink', reason, target: await readlink(path) });
    }
    for (const path of [...doomed, ...refused]) await unlink(path);
    if (refused.length === 0) break;
    pending = kept;
    doomed = [];
  }
  dropped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { entries, dropped };
}

/**
 * Opens `rel` under `root` through the one safe opener (safe-open.ts) when it is a regular file
 * whose real location stays inside `within` (default `root`). Undefined when nothing (or a
 * directory) is there; anything else that is not such a file is a REPO_VERIFY_FAILED that retrying
 * cannot fix.
 */
async function openInside(root: string, rel: string, within: string): Promise<OpenedFile | undefined> {
  const realWithin = await realpath(within);
  const outcome = await openUnderRoot(realWithin, rel, root);
  if (outcome.kind === 'missing') return undefined;
  if (outcome.kind === 'refused') {
    throw new StrikerError('REPO_VERIFY_FAILED', `${rel} under ${root}: ${outcome.why}; refusing to read it`, { details: { path: rel }, retryable: false });
  }
  return outcome.file;
}

/** The real path of `rel` under `root` if it is a regular file inside `within` (see openInside). */
export async function regularFileInside(root: string, rel: string, within: string = root): Promise<string | undefined> {
  const file = await openInside(root, rel, within);
  await file?.handle.close();
  return file?.realPath;
}

/** `rel` under `root` open for reading (see openInside); the caller closes it. */
export async function openRegularInside(root: string, rel: string): Promise<FileHandle | undefined> {
  return (await openInside(root, rel, root))?.handle;
}
