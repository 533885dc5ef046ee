/**
 * Opens a (possibly compressed) metadata file as a stream of bytes, in bounded memory.
 * gzip goes through node:zlib. xz, bzip2 and zstd go through the system tools (`xz`, `bzip2`,
 * `zstd`, Debian packages xz-utils, bzip2, zstd) via the command adapter into a scratch file:
 * Node 20 has no zstd/xz/bz2 in zlib, and the pure-JS decoders on npm are either unmaintained
 * (lzma, seek-bzip) or buffer whole files; the reference tools are what createrepo_c itself uses.
 * The format is detected from magic bytes, not the file name (a store path has no extension).
 * What is opened here is XML: an uncompressed file must start like XML (a UTF-8 byte-order mark,
 * whitespace or `<`), so a file in an unknown format is named as such, not as broken XML.
 */
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdtemp, open, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DecodeError } from '../../striker/core/errors/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { CommandError } from '../../striker/core/command/command-error.js';

export type Compression = 'none' | 'gz' | 'xz' | 'bz2' | 'zst';

/** RFC 1952 §2.3.1 (gzip ID1 ID2), xz file format §2.1.1.1, bzip2 "BZh", RFC 8878 §3.1.1 (zstd). */
export function detectCompression(head: Uint8Array): Compression {
  const starts = (...b: number[]) => b.every((v, i) => head[i] === v);
  if (starts(0x1f, 0x8b)) return 'gz';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (starts(0x42, 0x5a, 0x68)) return 'bz2';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zst';
  return 'none';
}

export interface OpenedMetadata {
  chunks: AsyncIterable<Buffer>;
  compression: Compression;
  /** Removes any scratch file. Call when done with the chunks. */
  dispose: () => Promise<void>;
}

export async function openMetadata(path: string, deps: { runner: CommandRunner; scratchDir: string; signal?: AbortSignal }, label: string): Promise<OpenedMetadata> {
  const fh = await open(path, 'r');
  const buffer = Buffer.alloc(8);
  let head: Buffer;
  try { head = buffer.subarray(0, (await fh.read(buffer, 0, 8, 0)).bytesRead); } finally { await fh.close(); }
  const compression = detectCompression(head);
  if (compression === 'none') {
    if (!looksLikeXml(head)) {
      throw new DecodeError(`neither gzip, xz, bzip2, zstd nor XML: the file starts with bytes ${[...head].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`, label, 0);
    }
    return { chunks: createReadStream(path), compression, dispose: async () => {} };
  }
  if (compression === 'gz') return { chunks: gunzipChunks(path, label), compression, dispose: async () => {} };
  const dir = await mkdtemp(join(deps.scratchDir, 'md-'));
  const input = join(dir, `m.${compression}`);
  const output = join(dir, 'm');
  await linkOrCopy(path, input);
  const argv = compression === 'xz' ? ['xz', '-d', '-k', '-f', '-T1', input]
    : compression === 'bz2' ? ['bzip2', '-d', '-k', '-f', input]
    : ['zstd', '-d', '-q', '-f', input, '-o', output];
  try {
    await deps.runner(argv, { timeoutMs: 10 * 60_000, ...(deps.signal ? { signal: deps.signal } : {}) });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof CommandError && error.failure === 'exit') {
      throw new DecodeError(`corrupt ${compression} data: ${toolMessage(error.stderr, input)}`, label, 0);
    }
    throw error;
  }
  return { chunks: createReadStream(output), compression, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The reason from a decompressor's stderr: its first line without the tool's and the scratch
 * file's names ("xz: …/m.xz: Unexpected end of input", "bzip2: Compressed file ends
 * unexpectedly;", "…/m.zst : Read error (39) : premature end").
 */
function toolMessage(stderr: string, input: string): string {
  const first = stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'the tool failed without a message';
  // zstd may shorten a long path from the left, so drop everything up to the scratch file's name.
  const name = basename(input).replace(/\./g, '\\.');
  return first.replace(/^(xz|bzip2|zstd): /, '').replace(new RegExp(`^\\S*${name}\\s*:\\s*`), '').replace(/;$/, '');
}

/** The scratch directory may sit on another file system than the metadata (EXDEV): copy then. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    await copyFile(from, to);
  }
}

/** An empty file passes (the XML parser names it); otherwise a BOM, whitespace or `<` first. */
function looksLikeXml(head: Uint8Array): boolean {
  const first = head[0];
  return first === undefined || first === 0xef || first === 0x3c || first === 0x20 || first === 0x09 || first === 0x0a || first === 0x0d;
}

/** zlib errors ("incorrect header check", "unexpected end of file") become DecodeErrors naming the file. */
async function* gunzipChunks(path: string, label: string): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const source = createReadStream(path);
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (error) {
    throw new DecodeError(`corrupt gzip data: ${(error as Error).message}`, label, 0);
  } finally {
    source.destroy();
  }
}
