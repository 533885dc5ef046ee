/**
 * Writes bytes to a partial file while hashing them, then checks size and checksum before the file
 * may enter the store. Shared by the HTTP and directory sources so every path verifies the same way.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { Checksum } from '../metadata/checksum.js';
import type { ContentStore } from '../store/content-store.js';

export class VerifyingWriter {
  private constructor(private readonly fh: FileHandle, private readonly hash: Hash, public written: number, readonly path: string) {}

  /** Opens `path`; with `resume` keeps (and hashes) what is already there, else truncates. */
  static async open(path: string, algorithm: Checksum['algorithm'], resume: boolean): Promise<VerifyingWriter> {
    const hash = createHash(algorithm);
    let existing = 0;
    if (resume) {
      try {
        existing = (await stat(path)).size;
        for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
      } catch {
        existing = 0;
      }
    }
    const fh = await open(path, existing > 0 ? 'a' : 'w');
    return new VerifyingWriter(fh, hash, existing, path);
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.written += chunk.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** Closes, verifies and commits to the store; on mismatch deletes the partial and throws. */
  async finish(expected: { checksum: Checksum; size?: number }, store: ContentStore, what: string): Promise<string> {
    await this.fh.close();
    const actual = this.hash.digest('hex');
    if (expected.size !== undefined && this.written !== expected.size) {
      await rm(this.path, { force: true });
      throw sizeMismatch(what, expected.size, this.written);
    }
    if (actual !== expected.checksum.value) {
      await rm(this.path, { force: true });
      throw checksumMismatch(what, expected.checksum, actual);
    }
    return store.commit(this.path, expected.checksum);
  }
}

/** A file (`what`: its URL or path) that is not the size its verified metadata says. */
export function sizeMismatch(what: string, expectedSize: number, size: number): StrikerError {
  return new StrikerError('REPO_VERIFY_FAILED', `${what}: expected ${expectedSize} bytes — got ${size}`, { details: { what, expectedSize, size } });
}

/** A file whose checksum is not the one its verified metadata says. */
export function checksumMismatch(what: string, expected: Checksum, actual: string): StrikerError {
  return new StrikerError('REPO_VERIFY_FAILED', `${what}: ${expected.algorithm} checksum mismatch — expected ${expected.value}, got ${actual}`, {
    details: { what, algorithm: expected.algorithm, expected: expected.value, actual },
  });
}
