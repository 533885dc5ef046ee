import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { parseComps } from './comps.js';
import { detectCompression, openMetadata } from './decompress.js';
import { parsePrimary } from './primary.js';
import { parseRepomd } from './repomd.js';

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

/**
 * Malformed metadata files, read the way sync and the kickstart check read them: opened by magic
 * bytes, decompressed by the real tools, parsed. Each must fail with an error that says what is
 * wrong, never hang, never yield half a repo.
 */
describe('malformed metadata files', () => {
  const primary = readFileSync(new URL('../../test/fixtures/repo/primary-deps.xml', import.meta.url));
  const compress = async (tool: 'xz' | 'bzip2' | 'zstd', bytes: Buffer): Promise<Buffer> => {
    const plain = join(dir, `plain-${tool}-${bytes.length}`);
    await writeFile(plain, bytes);
    await runCommand(tool === 'zstd' ? ['zstd', '-q', '-f', plain] : [tool, '-z', '-k', '-f', plain], { timeoutMs: 30_000 });
    return readFileSync(`${plain}.${tool === 'xz' ? 'xz' : tool === 'bzip2' ? 'bz2' : 'zst'}`);
  };
  const half = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));
  const bomb = '<?xml version="1.0"?><!DOCTYPE metadata [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    + '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><metadata packages="1"><package><name>&d;</name></package></metadata>';
  const parsers = {
    primary: async (chunks: AsyncIterable<Buffer>) => { for await (const _p of parsePrimary(chunks)) { /* read all */ } },
    comps: async (chunks: AsyncIterable<Buffer>) => { await parseComps(chunks); },
    repomd: async (chunks: AsyncIterable<Buffer>) => { const parts: Buffer[] = []; for await (const c of chunks) parts.push(c); parseRepomd(Buffer.concat(parts).toString()); },
  };

  it.each<[string, () => Promise<Buffer>, keyof typeof parsers, RegExp]>([
    ['truncated gzip', async () => half(gzipSync(primary)), 'primary', /md at offset 0: corrupt gzip data: unexpected end of file/],
    ['truncated xz', async () => half(await compress('xz', primary)), 'primary', /md at offset 0: corrupt xz data: Unexpected end of input$/],
    ['truncated bzip2', async () => half(await compress('bzip2', Buffer.from(text))), 'primary', /md at offset 0: corrupt bz2 data: Compressed file ends unexpectedly$/],
    ['truncated zstd', async () => half(await compress('zstd', primary)), 'primary', /md at offset 0: corrupt zst data: Read error \(\d+\) : premature end$/],
    ['a gzip header over garbage', async () => Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 1)]), 'primary', /corrupt gzip data: /],
    ['wrong magic (a zip archive)', async () => Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(60, 0)]), 'primary', /md at offset 0: neither gzip, xz, bzip2, zstd nor XML: the file starts with bytes 50 4b 03 04 00 00 00 00/],
    ['wrong magic (an HTML error page served as .xml.gz)', async () => Buffer.from('Not Found\n'), 'primary', /neither gzip, xz, bzip2, zstd nor XML: the file starts with bytes 4e 6f 74 20 46 6f 75 6e/],
    ['an empty file', async () => Buffer.alloc(0), 'primary', /primary\.xml at offset 0: not well-formed XML: document must contain a root element/],
    ['non-XML inside gzip (JSON)', async () => gzipSync('{"packages": []}'), 'primary', /primary\.xml at offset \d+: not well-formed XML: text data outside of root node/],
    ['non-XML inside zstd (text after the root)', async () => compress('zstd', Buffer.from('<metadata packages="0"></metadata> trailing')), 'primary', /not well-formed XML: text data outside of root node/],
    ['an XML entity bomb (billion laughs) inside xz', async () => compress('xz', Buffer.from(bomb)), 'primary', /not well-formed XML: undefined entity \(line 1, column \d+\); entities declared in a DOCTYPE are never expanded/],
    ['a huge external entity reference', async () => gzipSync('<!DOCTYPE comps [<!ENTITY x SYSTEM "/dev/zero">]><comps><group><id>&x;</id></group></comps>'), 'comps', /comps\.xml at offset \d+: not well-formed XML: undefined entity/],
    ['<location> without href', async () => gzipSync(Buffer.from(primary.toString().replace('<location href="Packages/beta-2.0-1.x86_64.rpm"/>', '<location/>'))), 'primary', /primary\.xml package beta location href '' refused: it is empty/],
    ['<size> without package=', async () => gzipSync(Buffer.from(primary.toString().replace('<size package="1000" installed="10" archive="20"/><location href="Packages/gamma', '<size/><location href="Packages/gamma'))), 'primary', /<package gamma> has no valid <size package=…>/],
    ['<checksum> without type', async () => gzipSync(Buffer.from(primary.toString().replace('<checksum type="sha256" pkgid="YES">a1a1', '<checksum>a1a1'))), 'primary', /primary\.xml package alpha checksum at offset 0: checksum type must be one of sha1, sha224, sha256, sha384, sha512 — got ''/],
    ['<rpm:entry> without name', async () => compress('bzip2', Buffer.from(primary.toString().replace('<rpm:entry name="/usr/bin/alpha"/>', '<rpm:entry flags="EQ"/>'))), 'primary', /<package gamma> has an <rpm:entry> without a name/],
    ['<version> without ver and rel', async () => gzipSync(Buffer.from(primary.toString().replace('<version epoch="0" ver="1" rel="1"/>', '<version epoch="0"/>'))), 'primary', /<package src-only> lacks version, release/],
    ['repomd <data> without type', async () => Buffer.from(`<repomd><data><checksum type="sha256">${'a'.repeat(64)}</checksum><location href="repodata/p.xml.gz"/></data></repomd>`), 'repomd', /repomd\.xml at offset \d+: <data> without a type attribute/],
    ['comps <group> without <id>', async () => compress('xz', Buffer.from('<comps><group><packagelist><packagereq>a</packagereq></packagelist></group></comps>')), 'comps', /comps\.xml at offset \d+: <group> without an <id>/],
  ])('%s', async (name, make, parser, message) => {
    const path = join(dir, `malformed-${name.replace(/\W+/g, '-')}`);
    await writeFile(path, await make());
    await expect((async () => {
      const opened = await openMetadata(path, { runner: runCommand, scratchDir: dir }, 'md');
      try { await parsers[parser](opened.chunks as AsyncIterable<Buffer>); } finally { await opened.dispose(); }
    })()).rejects.toThrow(message);
  });

  it('trusts the magic bytes over the name: gzip data in a file named .xz decodes', async () => {
    const path = join(dir, 'primary.xml.xz');
    await writeFile(path, gzipSync(primary));
    const opened = await openMetadata(path, { runner: runCommand, scratchDir: dir }, 'md');
    const names: string[] = [];
    try { for await (const p of parsePrimary(opened.chunks)) names.push(p.name); } finally { await opened.dispose(); }
    expect(opened.compression).toBe('gz');
    expect(names).toEqual(['alpha', 'beta', 'gamma', 'src-only']);
  });
});
