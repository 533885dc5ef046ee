/**
 * The one way a served file (/repos, /trees) is opened. Mirrors and media are hostile input: an
 * imported tree may hold symlink chains that leave it (`b/c -> ..`, `e -> b/c/b/c/../../..`),
 * absolute links, FIFOs, sockets and device nodes. Opening is asynchronous throughout (libuv's
 * thread pool), and nothing but a regular file inside the root is ever opened for reading:
 *
 * 1. `realpath` of root + tail, on disk: the result must be the root or below it.
 * 2. `lstat` of that real path: only a regular file goes on (a FIFO, socket or device is never
 *    opened at all, so opening cannot block or touch a device).
 * 3. `open` with O_RDONLY | O_NOFOLLOW | O_NONBLOCK: a symlink swapped in at the last component
 *    fails (ELOOP), and a FIFO swapped in opens without waiting for a writer.
 * 4. `fstat` of the descriptor: a regular file, with the dev/ino that step 2 saw, so a swap of the
 *    file between the check and the open is refused.
 * 5. The kernel's name for the descriptor (`/proc/self/fd/<n>`) equals the real path, so a swap of
 *    a directory above the file (a directory replaced by a link to elsewhere between step 1 and
 *    step 2) is refused too; where procfs is not mounted, steps 3–4 still hold.
 */
import { constants, type Dirent, type Stats } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** A regular file inside the root, open for reading; the caller closes `handle`. */
export interface OpenedFile {
  readonly handle: FileHandle;
  readonly stats: Stats;
  readonly realPath: string;
}

export type OpenOutcome =
  | { readonly kind: 'file'; readonly file: OpenedFile }
  /** Nothing there (or a directory): an ordinary 404. */
  | { readonly kind: 'missing' }
  /** Something there that must never be served: leaves the root, not a regular file, changed while opening. */
  | { readonly kind: 'refused'; readonly why: string };

const openFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const missingCodes = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG']);

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

/** What an entry is, from lstat or readdir's d_type (never following a link). */
export type FileType = 'file' | 'directory' | 'symlink' | 'fifo' | 'char-device' | 'block-device' | 'socket' | 'unknown';

export function fileTypeOf(entry: Dirent | Stats): FileType {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isFIFO()) return 'fifo';
  if (entry.isCharacterDevice()) return 'char-device';
  if (entry.isBlockDevice()) return 'block-device';
  if (entry.isSocket()) return 'socket';
  return 'unknown';
}

/** Each file type in words, as refusals and the tree sanitizer's reasons name it. */
export const fileTypeNames: Readonly<Record<FileType, string>> = {
  file: 'regular file', directory: 'directory', symlink: 'symlink', fifo: 'FIFO',
  'char-device': 'character device', 'block-device': 'block device', socket: 'socket', unknown: 'unknown file type',
};

/** The real location of a root on disk (links resolved), or undefined when it does not exist. */
export async function resolveRoot(path: string): Promise<string | undefined> {
  return realpath(path).catch(() => undefined);
}

/** True when `real` is `root` or lies below it (both real paths). */
export function isUnder(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Opens `tail` (a relative path already checked by the caller for `..`, NUL and the like) under
 * `realRoot` (a real path, see resolveRoot), or says why not. `base` is where `tail` starts when
 * that is a directory below the root (a repo inside an extracted tree).
 */
export async function openUnderRoot(realRoot: string, tail: string, base: string = realRoot): Promise<OpenOutcome> {
  let real: string;
  try {
    real = await realpath(join(base, tail));
  } catch (error) {
    const code = codeOf(error);
    return missingCodes.has(code) ? { kind: 'missing' } : { kind: 'refused', why: `cannot resolve: ${code}` };
  }
  if (!isUnder(realRoot, real)) return { kind: 'refused', why: `leaves the tree (resolves to ${real})` };
  return openRealPath(real);
}

/** Steps 2–5 above, for a path `realpath` returned. */
export async function openRealPath(real: string): Promise<OpenOutcome> {
  let before: Stats;
  try {
    before = await lstat(real);
  } catch (error) {
    const code = codeOf(error);
    return missingCodes.has(code) ? { kind: 'missing' } : { kind: 'refused', why: `cannot stat: ${code}` };
  }
  if (before.isDirectory()) return { kind: 'missing' };
  if (!before.isFile()) return { kind: 'refused', why: `not a regular file: ${fileTypeNames[fileTypeOf(before)]}` };
  let handle: FileHandle;
  try {
    handle = await open(real, openFlags);
  } catch (error) {
    const code = codeOf(error);
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'refused', why: `cannot open: ${code}` };
  }
  const refuse = async (why: string): Promise<OpenOutcome> => {
    await handle.close().catch(() => undefined);
    return { kind: 'refused', why };
  };
  let stats: Stats;
  try {
    stats = await handle.stat();
  } catch (error) {
    return refuse(`cannot fstat: ${codeOf(error)}`);
  }
  if (!stats.isFile()) return refuse(`not a regular file once opened: ${fileTypeNames[fileTypeOf(stats)]}`);
  if (stats.dev !== before.dev || stats.ino !== before.ino) return refuse('changed while being opened');
  const name = await readlink(`/proc/self/fd/${handle.fd}`).catch((error: unknown) => (codeOf(error) === 'ENOENT' ? undefined : null));
  if (name === null) return refuse('cannot name the opened file');
  if (name !== undefined && name !== real) return refuse('changed while being opened');
  return { kind: 'file', file: { handle, stats, realPath: real } };
}
