/**
 * A repo in a local directory (an extracted ISO, a USB stick, an NFS mount). Files are copied
 * into the store through the same verifying writer as downloads: a local file is trusted no
 * more than a remote one. A file is read only if it is a regular file whose real location stays
 * inside the directory, opened without blocking (`openRegularInside`): a link leaving it is
 * refused, and a FIFO cannot hang the sync.
 */
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
      throw new StrikerError('REPO_FETCH_FAILED', `cannot read ${path}: ${(error as Error).message}`, { details: { path } });
    }
    if (fh === undefined) return undefined;
    try {
      const { size } = await fh.stat();
      if (size > maxBytes) throw new StrikerError('REPO_FETCH_FAILED', `${path} is larger than ${maxBytes} bytes`, { details: { path } });
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  async fetchToStore(href: string, expected: { checksum: Checksum; size?: number }, store: ContentStore, options: FetchOptions): Promise<string> {
    const path = this.pathOf(href);
    const fh = await openRegularInside(this.root, href).catch((error: unknown) => {
      if (error instanceof StrikerError) throw error;
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
