import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileHeaders } from './file-headers.js';
import { OpenFileCache } from './open-file-cache.js';
import { openUnderRoot, type OpenedFile } from './safe-open.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stk-open-files-'));
  for (const name of ['a', 'b', 'c']) await writeFile(join(root, name), `file ${name}`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function opened(name: string): Promise<OpenedFile> {
  const outcome = await openUnderRoot(root, name);
  if (outcome.kind !== 'file') throw new Error(`${name}: ${outcome.kind}`);
  return outcome.file;
}

/** Whether the descriptor is still open: a read through a closed FileHandle rejects. */
async function isOpen(file: OpenedFile): Promise<boolean> {
  return file.handle.read(Buffer.alloc(1), 0, 1, 0).then(() => true, () => false);
}

describe('OpenFileCache', () => {
  it('hands a kept file to later requests of the same generation and closes it only after the last one is done', async () => {
    const cache = new OpenFileCache();
    const file = await opened('a');
    const first = cache.keep('a', file, fileHeaders('a', file.stats), 1);
    const second = cache.take('a', 1);
    expect(second?.file).toBe(file);
    await first.release();
    await second!.release();
    await second!.release(); // a second release changes nothing
    expect(await isOpen(file)).toBe(true);
    // A newer generation (a link changed): no hit, and the descriptor closes, as no one uses it.
    expect(cache.take('a', 2)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(await isOpen(file)).toBe(false);
  });

  it('keeps a dropped file open while a download still uses it', async () => {
    const cache = new OpenFileCache();
    const a = await opened('a');
    const b = await opened('b');
    const lease = cache.keep('a', a, fileHeaders('a', a.stats), 1);
    cache.keep('b', b, fileHeaders('b', b.stats), 2).release(); // generation 2 drops every older entry
    expect(cache.take('a', 2)).toBeUndefined();
    expect(await isOpen(a)).toBe(true);
    await lease.release();
    expect(await isOpen(a)).toBe(false);
    const hit = cache.take('b', 2);
    expect(hit?.file).toBe(b);
    await hit!.release();
    await cache.clear();
  });

  it('keeps the first of two files opened at once under one key; the second closes with its request', async () => {
    const cache = new OpenFileCache();
    const one = await opened('c');
    const two = await opened('c');
    const l1 = cache.keep('c', one, fileHeaders('c', one.stats), 1);
    const l2 = cache.keep('c', two, fileHeaders('c', two.stats), 1);
    await l2.release();
    expect(await isOpen(two)).toBe(false);
    await l1.release();
    const hit = cache.take('c', 1);
    expect(hit?.file).toBe(one);
    await hit!.release();
    await cache.clear();
  });

  it('is bounded: the least recently used entry is dropped (and closed) first', async () => {
    const cache = new OpenFileCache(2);
    const [a, b, c] = [await opened('a'), await opened('b'), await opened('c')];
    await cache.keep('a', a, fileHeaders('a', a.stats), 1).release();
    await cache.keep('b', b, fileHeaders('b', b.stats), 1).release();
    await cache.take('a', 1)!.release(); // a is now the most recent
    await cache.keep('c', c, fileHeaders('c', c.stats), 1).release();
    expect(cache.size).toBe(2);
    expect(await isOpen(b)).toBe(false);
    const hit = cache.take('a', 1);
    expect(hit?.file).toBe(a);
    await cache.clear();
    expect(await isOpen(a)).toBe(true); // still in use
    await hit!.release();
    expect(await isOpen(a)).toBe(false);
    expect(await isOpen(c)).toBe(false);
  });
});
