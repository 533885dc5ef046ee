import { mkdir, mkdtemp, open, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { DirectorySource, descriptorFile } from './directory-source.js';
import { composeSources, type OpenResult } from './file-source.js';
import { VirtualFiles } from './virtual-files.js';

const peer = { address: '10.0.0.9', port: 2000 };
let base: string;
let root: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'stk-tftp-src-'));
  root = join(base, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(base, 'secret'), 'outside');
  await writeFile(join(root, 'hello.txt'), 'hello world');
  await writeFile(join(root, 'sub', 'inner.bin'), Buffer.from([1, 2, 3, 4, 5]));
  await symlink('sub/inner.bin', join(root, 'link-inside'));
  await symlink('../secret', join(root, 'link-outside'));
  await symlink('/etc/passwd', join(root, 'link-absolute'));
  await symlink('/dev/null', join(root, 'link-dev'));
  await symlink(base, join(root, 'dir-outside'));
  await runCommand(['mknod', join(root, 'null-device'), 'c', '1', '3'], { timeoutMs: 5000 });
  await runCommand(['mkfifo', join(root, 'fifo')], { timeoutMs: 5000 });
  // 5 GiB sparse: sizes and offsets past 4 GiB, read without loading the file.
  await writeFile(join(root, 'huge.img'), '');
  await truncate(join(root, 'huge.img'), 5 * 1024 ** 3);
  const handle = await open(join(root, 'huge.img'), 'r+');
  await handle.write(Buffer.from('END!'), 0, 4, 5 * 1024 ** 3 - 4);
  await handle.close();
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function contents(result: OpenResult): Promise<string> {
  if (result.kind !== 'file') throw new Error(`expected a file, got ${JSON.stringify(result)}`);
  const target = Buffer.alloc(result.file.size);
  const n = await result.file.read([target], 0);
  await result.file.close();
  return target.subarray(0, n).toString('latin1');
}

describe('DirectorySource', () => {
  it('answers "not found" while its root is missing, and serves it once it appears', async () => {
    const later = join(root, '..', 'appears-later');
    const source = new DirectorySource(later);
    const before = await source.open('x.txt', peer);
    expect(before.kind).toBe('missing');
    await mkdir(later, { recursive: true });
    await writeFile(join(later, 'x.txt'), 'now here');
    const after = await source.open('x.txt', peer);
    expect(after.kind).toBe('file');
  });

  it('opens regular files and symlinks that stay inside the root', async () => {
    const source = new DirectorySource(root);
    expect(await contents(await source.open('hello.txt', peer))).toBe('hello world');
    expect(await contents(await source.open('sub/inner.bin', peer))).toBe('\x01\x02\x03\x04\x05');
    expect(await contents(await source.open('link-inside', peer))).toBe('\x01\x02\x03\x04\x05');
  });

  it('reads by offset into several buffers (preadv), short only at the end', async () => {
    const opened = await new DirectorySource(root).open('hello.txt', peer);
    if (opened.kind !== 'file') throw new Error('not opened');
    const a = Buffer.alloc(3);
    const b = Buffer.alloc(3);
    expect(await opened.file.read([a, b], 2)).toBe(6);
    expect(`${a}${b}`).toBe('llo wo');
    expect(await opened.file.read([Buffer.alloc(10)], 8)).toBe(3);
    await opened.file.close();
  });

  it('streams a 5 GiB file by offset in bounded memory', async () => {
    const opened = await new DirectorySource(root).open('huge.img', peer);
    if (opened.kind !== 'file') throw new Error('not opened');
    expect(opened.file.size).toBe(5 * 1024 ** 3);
    const tail = Buffer.alloc(8);
    expect(await opened.file.read([tail], 5 * 1024 ** 3 - 8)).toBe(8);
    expect(tail.toString('latin1')).toBe('\0\0\0\0END!');
    await opened.file.close();
  });

  it.each([
    ['link-outside', 'symlink-escape'],
    ['link-absolute', 'symlink-escape'],
    ['link-dev', 'symlink-escape'],
    ['dir-outside/secret', 'symlink-escape'],
    ['null-device', 'not-regular-file'],
    ['fifo', 'not-regular-file'],
    ['sub', 'not-regular-file'],
    ['../secret', 'traversal'],
    ['/etc/passwd', 'absolute-path'],
    ['sub\0x', 'nul-byte'],
    [`${'a'.repeat(300)}`, 'name-too-long'],
  ])('refuses %j (%s)', async (path, reason) => {
    expect(await new DirectorySource(root).open(path, peer)).toMatchObject({ kind: 'refused', reason });
  });

  it('reports missing files as missing', async () => {
    const source = new DirectorySource(root);
    expect(await source.open('nope', peer)).toEqual({ kind: 'missing' });
    expect(await source.open('hello.txt/x', peer)).toEqual({ kind: 'missing' });
  });
});

describe('VirtualFiles in front of the directory', () => {
  const seen: string[] = [];
  const virtual = new VirtualFiles((path, from) => {
    seen.push(`${from.address} ${path}`);
    if (path === 'pxelinux.cfg/01-52-54-00-12-34-56') return Buffer.from(`DEFAULT install # for ${from.address}`);
    if (path === 'hello.txt') return Buffer.from('virtual hello');
    return null;
  });
  const source = composeSources(virtual, { open: (path, from) => new DirectorySource(root).open(path, from) });

  it('serves generated files per peer, shadows the directory, falls through when null', async () => {
    expect(await contents(await source.open('pxelinux.cfg/01-52-54-00-12-34-56', peer))).toBe('DEFAULT install # for 10.0.0.9');
    expect(await contents(await source.open('hello.txt', peer))).toBe('virtual hello');
    expect(await contents(await source.open('sub/inner.bin', peer))).toBe('\x01\x02\x03\x04\x05');
    expect(await source.open('missing', peer)).toEqual({ kind: 'missing' });
    expect(seen).toContain('10.0.0.9 sub/inner.bin');
  });

  it('applies the path rules before asking the generator', async () => {
    seen.length = 0;
    expect(await source.open('../pxelinux.cfg/x', peer)).toMatchObject({ kind: 'refused', reason: 'traversal' });
    expect(seen).toEqual([]);
  });
});

describe('descriptorFile (what the TFTP worker thread reads a file on disk through)', () => {
  it('names its descriptor, releases it only after every read already started, and refuses reads after close', async () => {
    const handle = await open(join(root, 'huge.img'), 'r');
    const events: string[] = [];
    const file = descriptorFile(handle.fd, 5 * 1024 ** 3, async () => {
      events.push('released');
      await handle.close();
    });
    expect(file.fd).toBe(handle.fd);
    const tail = Buffer.alloc(4);
    const head = Buffer.alloc(1024 * 1024);
    const reads = [file.read([tail], 5 * 1024 ** 3 - 4), file.read([head], 0)].map((read) => read.then((n) => (events.push(`read ${n}`), n)));
    const closed = file.close();
    await expect(file.read([Buffer.alloc(1)], 0)).rejects.toThrow('file closed');
    await Promise.all([closed, ...reads]);
    expect(tail.toString()).toBe('END!');
    expect(events.slice(0, 2).sort()).toEqual(['read 1048576', 'read 4']);
    expect(events.slice(2)).toEqual(['released']);
    await file.close();
    expect(events.filter((e) => e === 'released')).toHaveLength(1);
  });
});
