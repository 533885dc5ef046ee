/**
 * A repo in a local directory (an extracted ISO, a USB stick, an NFS mount). Files are copied
 * into the store through the same verifying writer as downloads: a local file is trusted no
 * more than a remote one. A file is read only if it is a regular file whose real location stays
 * inside the directory, opened without blocking (`openRegularInside`): a link leaving it is
 * refused, and a FIFO cannot hang the sync.
 */
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { StrikerError } from '../../striker/core/errors/index.js';
import { VerifyingWriter } from '../fetch/verifying-writer.js';
import type { Checksum } from '../metadata/checksum.js';
import type { ContentStore } from '../store/content-store.js';
import { openRegularInside } from '../store/tree-sanitizer.js';
import type { FetchOptions, RepoSource } from './repo-source.js';

export class DirectorySource implements RepoSource {
  readonly description: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.description = this.root;
  }

  private pathOf(href: string): string {
    const p = resolve(join(this.root, href));
    if (p !== this.root && !p.startsWith(this.root + sep)) {
      throw new StrikerError('REPO_VERIFY_FAILED', `href '${href}' resolves outside ${this.root}`, { details: { href } });
    }
    return p;
  }

  async readSmall(href: string, maxBytes: number): Promise<Buffer | undefined> {
    const path = this.pathOf(href);
    let fh;
    try {
      fh = await openRegularInside(this.root, href);
    } catch (error) {
      if (error instanceof StrikerError) throw error;
      await this.requireRoot();
      throw new StrikerError('REPO_FETCH_FAILED', `cannot read ${path}: ${(error as Error).message}`, { details: { path } });
    }
    if (fh === undefined) {
      await this.requireRoot();
      return undefined;
    }
    try {
      const { size } = await fh.stat();
      if (size > maxBytes) throw new StrikerError('REPO_FETCH_FAILED', `${path} is larger than ${maxBytes} bytes`, { details: { path } });
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  /** A file is missing: says so plainly when the whole directory is (not mounted, moved, mistyped); retrying cannot help. */
  private async requireRoot(): Promise<void> {
    const info = await stat(this.root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new StrikerError('REPO_FETCH_FAILED', `cannot read directory ${this.root}: ${error.message}`, { details: { path: this.root }, cause: error });
    });
    if (info === undefined) throw new StrikerError('REPO_FETCH_FAILED', `directory ${this.root} not found on this Striker`, { details: { path: this.root }, retryable: false });
    if (!info.isDirectory()) throw new StrikerError('REPO_FETCH_FAILED', `${this.root} is not a directory`, { details: { path: this.root }, retryable: false });
  }

  async fetchToStore(href: string, expected: { checksum: Checksum; size?: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    const path = this.pathOf(href);
    const fh = await openRegularInside(this.root, href).catch(async (error: unknown) => {
      if (error instanceof StrikerError) throw error;
      await this.requireRoot();
      throw new StrikerError('REPO_FETCH_FAILED', `cannot read ${path}: ${(error as Error).message}`, { details: { path }, cause: error });
    });
    if (fh === undefined) throw new StrikerError('REPO_FETCH_FAILED', `cannot read ${path}: no such file`, { details: { path } });
    const writer = await VerifyingWriter.open(store.partialPathFor(expected.checksum), expected.checksum.algorithm, false).catch(async (error: unknown) => { await fh.close(); throw error; });
    try {
      for await (const chunk of fh.createReadStream({ signal: options.signal })) {
        await writer.write(chunk as Buffer);
        options.onBytes?.((chunk as Buffer).length);
      }
    } catch (error) {
      await writer.close().catch(() => {});
      options.signal.throwIfAborted();
      throw new StrikerError('REPO_FETCH_FAILED', `cannot read ${path}: ${(error as Error).message}`, { details: { path }, cause: error });
    }
    return writer.finish(expected, store, path);
  }
}
