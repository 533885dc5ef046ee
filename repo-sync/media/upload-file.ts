/**
 * The bytes of an upload on disk, all under the media tree:
 *   <mediaDir>/uploads/<id>.part     what has been received, chunk by chunk
 *   <mediaDir>/<id>/<fileName>       the complete, checksummed file the import reads
 * Paths are built from the upload's id (a UUID) and its validated file name only, and each is
 * checked to stay inside the media tree. A chunk is written at its offset after the file was cut
 * back to that offset, and synced before it is counted, so the count in the database never runs
 * ahead of the disk; a chunk the disk has no room for is cut off again and reported as 507.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { StrikerError } from '../../striker/core/errors/index.js';

export interface MediaTree {
  partPath(id: string): string;
  finalPath(id: string, fileName: string): string;
}

export function mediaTree(mediaDir: string): MediaTree {
  const root = resolve(mediaDir);
  const inside = (path: string): string => {
    const full = resolve(path);
    if (!full.startsWith(root + sep)) throw new StrikerError('VALIDATION_FAILED', `upload path ${full} would leave the media tree ${root}`, { details: { problems: [{ path: 'fileName', message: 'must name a file inside the media tree' }] } });
    return full;
  };
  return {
    partPath: (id) => inside(join(root, 'uploads', `${id}.part`)),
    finalPath: (id, fileName) => inside(join(root, id, fileName)),
  };
}

/** Bytes free for an unprivileged writer on the filesystem holding `dir` (made if missing). */
export async function freeBytes(dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export function noRoom(cause: unknown, needed: number): StrikerError {
  return new StrikerError('INSUFFICIENT_STORAGE', `the Striker's disk has no room for ${needed} more bytes of the upload; free space and resume`, { cause, details: { neededBytes: needed } });
}

/** Writes `data` at `offset` of the part file, after cutting the file back to `offset`. */
export async function writeChunkAt(partPath: string, offset: number, data: Buffer): Promise<void> {
  await mkdir(dirname(partPath), { recursive: true });
  const handle = await open(partPath, constants.O_RDWR | constants.O_CREAT, 0o640);
  try {
    await handle.truncate(offset);
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await handle.write(data, written, data.length - written, offset + written);
      written += bytesWritten;
    }
    await handle.datasync();
  } catch (error) {
    await handle.truncate(offset).catch(() => {});
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC' || (error as NodeJS.ErrnoException).code === 'EDQUOT') throw noRoom(error, data.length);
    throw error;
  } finally {
    await handle.close();
  }
}

export async function fileSize(path: string): Promise<number | undefined> {
  return stat(path).then((s) => s.size, () => undefined);
}

/** Hex SHA-256 of a file, read as a stream. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Base64(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

/** Moves the complete part file to its final place (same filesystem: one rename). */
export async function promote(partPath: string, finalPath: string): Promise<void> {
  await mkdir(dirname(finalPath), { recursive: true });
  await rename(partPath, finalPath);
}

export async function removePart(partPath: string): Promise<void> {
  await rm(partPath, { force: true });
}
