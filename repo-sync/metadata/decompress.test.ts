import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { detectCompression, openMetadata } from './decompress.js';

let dir: string;
const text = '<metadata packages="0">' + 'x'.repeat(100_000) + '</metadata>';

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'striker-decompress-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function readAll(chunks: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts).toString();
}

describe('detectCompression', () => {
  it.each([
    [[0x1f, 0x8b, 8], 'gz'], [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0], 'xz'], [[0x42, 0x5a, 0x68, 0x39], 'bz2'], [[0x28, 0xb5, 0x2f, 0xfd], 'zst'], [[0x3c, 0x3f, 0x78], 'none'], [[], 'none'],
  ])('%j → %s', (bytes, want) => {
    expect(detectCompression(Uint8Array.from(bytes))).toBe(want);
  });
});

describe('openMetadata', () => {
  it.each([
    ['gz', null], ['xz', ['xz', '-z', '-k', '-f']], ['bz2', ['bzip2', '-z', '-k', '-f']], ['zst', ['zstd', '-q', '-f']], ['none', null],
  ])('round-trips %s with the real tool', async (kind, argv) => {
    const plain = join(dir, `m-${kind}`);
    await writeFile(plain, text);
    let path = plain;
    if (kind === 'gz') { path = `${plain}.gz`; await writeFile(path, gzipSync(text)); }
    else if (argv) { await runCommand([...argv, plain], { timeoutMs: 30_000 }); path = `${plain}.${kind}`; }
    const opened = await openMetadata(path, { runner: runCommand, scratchDir: dir }, 'test');
    expect(opened.compression).toBe(kind);
    expect(await readAll(opened.chunks)).toBe(text);
    await opened.dispose();
  });

  it.each([
    ['gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 1)]), /test at offset 0: corrupt gzip data/],
    ['bz2', Buffer.concat([Buffer.from('BZh9'), Buffer.alloc(64, 1)]), /test at offset 0: corrupt bz2 data/],
    ['zst', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 1)]), /test at offset 0: corrupt zst data/],
  ])('corrupt %s is a DecodeError naming the file', async (kind, bytes, message) => {
    const path = join(dir, `bad-${kind}`);
    await writeFile(path, bytes);
    await expect((async () => {
      const opened = await openMetadata(path, { runner: runCommand, scratchDir: dir }, 'test');
      try { await readAll(opened.chunks); } finally { await opened.dispose(); }
    })()).rejects.toThrow(message);
  });
});
