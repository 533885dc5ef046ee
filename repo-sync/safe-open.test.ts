import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layHostileEntries, type HostileSet } from '../test/support/hostile-files.js';
import { isUnder, openRealPath, openUnderRoot, resolveRoot, type OpenOutcome } from './safe-open.js';

let dir: string;
let root: string;
let planted: HostileSet;

async function closed(outcome: OpenOutcome): Promise<OpenOutcome> {
  if (outcome.kind === 'file') await outcome.file.handle.close();
  return outcome;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-safe-open-'));
  await writeFile(join(dir, 'secret'), 'secret');
  await mkdir(join(dir, 'tree', 'images'), { recursive: true });
  await writeFile(join(dir, 'tree', 'images', 'k'), 'kernel');
  planted = await layHostileEntries(join(dir, 'tree'), join(dir, 'secret'));
  root = (await resolveRoot(join(dir, 'tree')))!;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openUnderRoot', () => {
  it('opens a regular file inside the root, with its real path and stats', async () => {
    const outcome = await openUnderRoot(root, 'images/k');
    expect(outcome.kind).toBe('file');
    if (outcome.kind !== 'file') return;
    expect(outcome.file.realPath).toBe(join(root, 'images', 'k'));
    expect(outcome.file.stats.size).toBe(6);
    expect((await outcome.file.handle.readFile()).toString()).toBe('kernel');
    await outcome.file.handle.close();
  });

  it('says missing for absent files and directories', async () => {
    expect(await openUnderRoot(root, 'nope')).toEqual({ kind: 'missing' });
    expect(await openUnderRoot(root, 'images/k/below')).toEqual({ kind: 'missing' });
    expect(await openUnderRoot(root, 'images')).toEqual({ kind: 'missing' });
    expect(await openUnderRoot(root, 'images/')).toEqual({ kind: 'missing' });
  });

  it.each([
    ['e/etc/passwd', 'leaves the tree'],
    ['abs-secret', 'leaves the tree'],
    ['rel-secret', 'leaves the tree'],
    ['etc-dir/passwd', 'leaves the tree'],
    ['fifo', 'not a regular file: FIFO'],
    ['self/fifo', 'not a regular file: FIFO'],
    ['sock', 'not a regular file: socket'],
    ['null', 'not a regular file: character device'],
    ['loop-dev', 'not a regular file: block device'],
    ['loop-a', 'cannot resolve: ELOOP'],
  ])('refuses %s (%s)', async (tail, why) => {
    const outcome = await closed(await openUnderRoot(root, tail));
    expect(outcome).toMatchObject({ kind: 'refused' });
    expect((outcome as { why: string }).why.startsWith(why)).toBe(true);
  });

  it('serves links that stay inside', async () => {
    for (const { tail } of planted.inside) expect((await closed(await openUnderRoot(root, tail))).kind).toBe('file');
  });
});

describe('openRealPath (after realpath has checked the location)', () => {
  it('refuses a path whose directory became a link to elsewhere after realpath ran', async () => {
    // As if `swapped` was a real directory inside the tree when realpath ran and was then replaced
    // by a link out: lstat and open both follow it, so only the descriptor's real name tells.
    await symlink(dir, join(root, 'swapped'));
    expect(await closed(await openRealPath(join(root, 'swapped', 'secret')))).toEqual({ kind: 'refused', why: 'changed while being opened' });
  });

  it('refuses a final symlink without opening it', async () => {
    expect(await closed(await openRealPath(join(root, 'abs-secret')))).toEqual({ kind: 'refused', why: 'not a regular file: symlink' });
  });
});

describe('isUnder', () => {
  it('compares whole path segments', () => {
    expect(isUnder('/a/tree', '/a/tree')).toBe(true);
    expect(isUnder('/a/tree', '/a/tree/x')).toBe(true);
    expect(isUnder('/a/tree', '/a/tree2/x')).toBe(false);
    expect(isUnder('/a/tree', '/a')).toBe(false);
    expect(isUnder('/', '/etc')).toBe(true);
  });
});
