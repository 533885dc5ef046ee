/**
 * A repo in a local directory (an extracted ISO, a USB stick, an NFS mount). Files are copied
 * into the store through the same verifying writer as downloads: a local file is trusted no
 * more than a remote one.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { StrikerError } from '../../striker/core/errors/index.js';
import { VerifyingWriter } from '../fetch/verifying-writer.js';
import type { Checksum } from '../metadata/checksum.js';
import type { ContentStore } from '../store/content-store.js';
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
      fh = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StrikerError('REPO_FETCH_FAILED', `cannot read ${path}: ${(error as Error).message}`, { details: { path } });
    }
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
    const writer = await VerifyingWriter.open(store.partialPathFor(expected.checksum), expected.checksum.algorithm, false);
    try {
      for await (const chunk of createReadStream(path, { signal: options.signal })) {
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
