/**
 * A read-only root directory as a `FileSource` (adapter: touches the file system).
 *
 * Safety, beyond the name rules of `request-path.ts`: the path is resolved with realpath(3) and
 * must stay inside the root's real path (a symlink pointing out of the root is refused); only
 * regular files are opened (devices, FIFOs, sockets and directories are refused before open);
 * the file is opened with O_NOFOLLOW | O_NONBLOCK and checked again with fstat, so a file
 * swapped between the check and the open is not served. Reads are preadv(2) by offset into the
 * caller's buffers: memory stays bounded whatever the file size.
 */
import { constants, fstat, open as openFd, close as closeFd, readv } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import type { FileSource, OpenFile, OpenResult, Peer } from './file-source.js';
import { checkRequestPath, type PathRules } from './request-path.js';

const openAsync = promisify(openFd);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(closeFd);

export class DirectorySource implements FileSource {
  private rootReal: Promise<string> | null = null;

  constructor(
    readonly root: string,
    private readonly rules: PathRules = {},
  ) {}

  async open(path: string, _peer: Peer): Promise<OpenResult> {
    const checked = checkRequestPath(path, this.rules);
    if (checked.kind === 'refused') return checked;
    let root: string;
    let real: string;
    try {
      // A root that is missing now may appear later: forget a failed lookup instead of caching it.
      this.rootReal ??= realpath(this.root).catch((error: unknown) => {
        this.rootReal = null;
        throw error;
      });
      root = await this.rootReal;
      real = await realpath(join(root, checked.relative));
    } catch (error) {
      return fromFsError(error);
    }
    if (!real.startsWith(root + sep)) {
      return { kind: 'refused', reason: 'symlink-escape', message: 'the path resolves outside the TFTP root' };
    }
    try {
      const before = await stat(real);
      if (!before.isFile()) return notRegular();
      const fd = await openAsync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
      const after = await fstatAsync(fd).catch(async (error: unknown) => {
        await closeAsync(fd);
        throw error;
      });
      if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev) {
        await closeAsync(fd);
        return notRegular();
      }
      return { kind: 'file', file: descriptorFile(fd, after.size) };
    } catch (error) {
      return fromFsError(error);
    }
  }
}

function notRegular(): OpenResult {
  return { kind: 'refused', reason: 'not-regular-file', message: 'only regular files are served' };
}

function fromFsError(error: unknown): OpenResult {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
  if (code === 'ELOOP') return { kind: 'refused', reason: 'symlink-escape', message: 'too many levels of symbolic links' };
  if (code === 'ENAMETOOLONG') return { kind: 'refused', reason: 'name-too-long', message: 'file name too long' };
  return { kind: 'refused', reason: 'unreadable', message: `cannot open: ${code ?? 'unknown error'}` };
}

/**
 * An open descriptor as an `OpenFile`: reads are preadv(2) (`readDescriptor`); `release` runs once
 * on close (default: close(2) the descriptor), after every read already started has settled, so
 * a read never lands on a descriptor number that was closed and reused meanwhile.
 */
export function descriptorFile(fd: number, size: number, release: () => Promise<void> = () => closeAsync(fd)): OpenFile {
  let closing: Promise<void> | undefined;
  const reading = new Set<Promise<number>>();
  return {
    size,
    fd,
    read(targets, position) {
      if (closing !== undefined) return Promise.reject(new Error('file closed'));
      const read = readDescriptor(fd, targets, position);
      reading.add(read);
      const done = (): void => void reading.delete(read);
      read.then(done, done);
      return read;
    },
    close() {
      closing ??= Promise.allSettled([...reading]).then(release);
      return closing;
    },
  };
}

/** preadv(2) on an open descriptor into `targets` from `position`, retried until they are full or the file ends. */
export function readDescriptor(fd: number, targets: readonly Uint8Array[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let total = 0;
    let pending = targets;
    const next = (): void => {
      readv(fd, pending as NodeJS.ArrayBufferView[], position + total, (error, bytes) => {
        if (error) return reject(error);
        total += bytes;
        const wanted = pending.reduce((n, t) => n + t.length, 0);
        if (bytes === 0 || bytes === wanted) return resolve(total);
        pending = remaining(pending, bytes);
        next();
      });
    };
    next();
  });
}

/** The part of `targets` not yet filled after `filled` bytes. */
function remaining(targets: readonly Uint8Array[], filled: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let skip = filled;
  for (const target of targets) {
    if (skip >= target.length) {
      skip -= target.length;
      continue;
    }
    out.push(skip > 0 ? target.subarray(skip) : target);
    skip = 0;
  }
  return out;
}
