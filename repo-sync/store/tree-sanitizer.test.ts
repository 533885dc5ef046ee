import { createServer } from 'node:net';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrikerError } from '../../striker/core/errors/index.js';
import { addHostileEntries, unsafeEntries, type HostileEntries } from '../../test/support/hostile-media.js';
import { openRegularInside, regularFileInside, sanitizeTree } from './tree-sanitizer.js';

let dir: string;
let root: string;
let hostile: HostileEntries;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'striker-sanitize-'));
  root = join(dir, 'tree');
  await mkdir(join(root, 'dir', 'sub'), { recursive: true });
  await writeFile(join(root, 'good.txt'), 'good');
  await writeFile(join(root, 'dir', 'sub', 'file.rpm'), 'rpm');
  hostile = await addHostileEntries(root, join(dir, 'outside'), { hugeBytes: 1024 * 1024 });
  await symlink('dir/sub/file.rpm', join(root, 'ok-link'));
  await symlink('dir', join(root, 'ok-dirlink'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  // Inside on disk only while `esc` exists: `esc` goes, so `through-esc` must go in the next round.
  await mkdir(join(dir, 'outside', 'inner'), { recursive: true });
  await symlink(join(dir, 'outside', 'inner'), join(root, 'esc'));
  await symlink('esc/../../tree/good.txt', join(root, 'through-esc'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('sanitizeTree', () => {
  it('removes links leaving the tree (on disk, also through relative chains), dangling and looping links, FIFOs, devices and sockets, and says why', async () => {
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(join(root, 'live.sock'), resolve));
    try {
      const { dropped, entries } = await sanitizeTree(root, { label: 'test tree' });
      expect(entries).toBeGreaterThan(20);
      expect(dropped.map((d) => d.path)).toEqual(['esc', 'live.sock', 'loop1', 'loop2', 'through-esc', ...hostile.dropped].sort());
      const by = new Map(dropped.map((d) => [d.path, d]));
      expect(by.get('hostile/e')).toMatchObject({ kind: 'symlink', reason: 'it resolves to /, outside the tree', target: expect.stringMatching(/^b\/c\/b\/c\/\.\.\//) });
      expect(by.get('hostile/abs-secret')).toMatchObject({ kind: 'symlink', reason: `it resolves to ${hostile.secretFile}, outside the tree`, target: hostile.secretFile });
      expect(by.get('hostile/dangling')).toMatchObject({ kind: 'symlink', reason: 'its target does not exist' });
      expect(by.get('loop1')).toMatchObject({ kind: 'symlink', reason: 'it is part of a symlink loop' });
      expect(by.get('hostile/to-fifo')).toMatchObject({ kind: 'symlink', reason: 'it names a FIFO' });
      expect(by.get('through-esc')).toMatchObject({ kind: 'symlink', reason: 'its target does not exist' });
      expect(by.get('hostile/fifo')).toMatchObject({ kind: 'fifo', reason: 'a FIFO is never served' });
      expect(by.get('hostile/null')).toMatchObject({ kind: 'char-device' });
      expect(by.get('hostile/sock')).toMatchObject({ kind: 'socket' });
    } finally {
      listener.close();
    }
    expect(await unsafeEntries(root)).toEqual([]);
    const left = await readdir(join(root, 'hostile'));
    for (const p of hostile.kept) expect(left).toContain(p.split('/')[1]);
    expect(await readFile(join(root, 'ok-link'), 'utf8')).toBe('rpm');
    expect(await readdir(join(root, 'ok-dirlink'))).toEqual(['sub']);
    // Removing a link never touches what it pointed at.
    expect(await readFile(hostile.secretFile, 'utf8')).toBe(hostile.secretText);
  });

  it('a clean tree comes back unchanged', async () => {
    expect((await sanitizeTree(root, { label: 'test tree' })).dropped).toEqual([]);
  });

  it('gives up with a clear error past the entry bound', async () => {
    const error = await sanitizeTree(root, { label: 'ISO big.iso', maxEntries: 5 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StrikerError);
    expect((error as StrikerError).code).toBe('REPO_VERIFY_FAILED');
    expect((error as Error).message).toBe('ISO big.iso holds more than 5 files, directories and links; refusing to walk further');
  });
});

describe('reading one file of a directory Striker does not own', () => {
  let repo: string;
  beforeAll(async () => {
    repo = join(dir, 'operator-repo');
    await mkdir(repo);
    await writeFile(join(repo, 'ok.rpm'), 'ok');
    await symlink('ok.rpm', join(repo, 'alias.rpm'));
    await symlink(hostile.secretFile, join(repo, 'secret.rpm'));
    await addHostileEntries(repo, join(dir, 'outside2'), { hugeBytes: 1 });
  });

  it('a regular file inside, also through an inside link, is read', async () => {
    expect(await regularFileInside(repo, 'alias.rpm')).toBe(join(repo, 'ok.rpm'));
    const fh = await openRegularInside(repo, 'ok.rpm');
    expect((await fh!.readFile()).toString()).toBe('ok');
    await fh!.close();
    expect(await openRegularInside(repo, 'missing.rpm')).toBeUndefined();
    // A directory where a file is expected is no file: nothing to read, like a missing one.
    expect(await openRegularInside(repo, 'hostile/b')).toBeUndefined();
  });

  it.each([
    ['secret.rpm', /secret\.rpm under .*operator-repo: leaves the tree \(resolves to .*secret\.txt\); refusing to read it/],
    ['hostile/e/etc/passwd', /hostile\/e\/etc\/passwd under .*: leaves the tree \(resolves to \/etc\/passwd\)/],
    ['hostile/fifo', /hostile\/fifo under .*: not a regular file: FIFO; refusing to read it/],
    ['hostile/to-fifo', /not a regular file: FIFO/],
    ['hostile/null', /not a regular file: character device/],
    ['hostile/sock', /not a regular file: socket/],
  ])('%s is refused before it is opened', async (rel, message) => {
    const error = await openRegularInside(repo, rel).then(() => undefined, (e: unknown) => e);
    expect((error as StrikerError).code).toBe('REPO_VERIFY_FAILED');
    expect((error as Error).message).toMatch(message);
  });
});
