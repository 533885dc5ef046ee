/**
 * Verifies a repo that sits in a local directory as is (an extracted ISO's BaseOS/AppStream):
 * repomd.xml parses, every metadata file matches its repomd checksum, every package matches its
 * primary.xml checksum and size, and no href leaves the directory. Every file it reads must be a
 * regular file whose real location on disk stays inside `within` (the directory itself unless
 * given, e.g. the whole extracted tree): a link leaving it, a FIFO or a device is refused before
 * it is opened (`regularFileInside`), so a hostile directory can neither leak nor block.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { runPool } from '../fetch/download-pool.js';
import type { Checksum } from '../metadata/checksum.js';
import { openMetadata } from '../metadata/decompress.js';
import { parsePrimary } from '../metadata/primary.js';
import { parseRepomd, recordOf } from '../metadata/repomd.js';
import { regularFileInside } from '../store/tree-sanitizer.js';

export async function hashFile(path: string, algorithm: Checksum['algorithm'], signal?: AbortSignal): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(path, signal ? { signal } : {})) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function expectChecksum(path: string, expected: Checksum, what: string, signal?: AbortSignal): Promise<void> {
  let actual: string;
  try {
    actual = await hashFile(path, expected.algorithm, signal);
  } catch (error) {
    signal?.throwIfAborted();
    throw new StrikerError('REPO_VERIFY_FAILED', `${what}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (actual !== expected.value) {
    throw new StrikerError('REPO_VERIFY_FAILED', `${what}: ${expected.algorithm} checksum mismatch — expected ${expected.value}, got ${actual}`, { details: { path, expected: expected.value, actual } });
  }
}

export interface VerifiedRepoDir {
  packageCount: number;
  bytes: number;
}

export interface VerifyRepoDirDeps {
  runner: CommandRunner;
  scratchDir: string;
  signal: AbortSignal;
  onPackage?: (bytes: number) => void;
  /** Where the files' real locations must stay (default: `dir`). */
  within?: string;
}

export async function verifyRepoDir(dir: string, deps: VerifyRepoDirDeps, label: string): Promise<VerifiedRepoDir> {
  const within = deps.within ?? dir;
  const repomdPath = await regularFileInside(dir, 'repodata/repomd.xml', within);
  const repomdText = repomdPath === undefined ? undefined : await readFile(repomdPath, 'utf8').catch(() => undefined);
  if (repomdText === undefined) {
    throw new StrikerError('REPO_FETCH_FAILED', `${label} is not a yum/dnf repository: it has no repodata/repomd.xml`, { details: { dir } });
  }
  const repomd = parseRepomd(repomdText);
  const fileOf = async (href: string, what: string) => {
    const real = await regularFileInside(dir, href, within);
    if (real === undefined) throw new StrikerError('REPO_VERIFY_FAILED', `${what}: ${href} is missing`, { details: { href } });
    return real;
  };
  for (const record of repomd.records) {
    const what = `${label} ${record.type} metadata`;
    await expectChecksum(await fileOf(record.href, what), record.checksum, what, deps.signal);
  }
  const primary = recordOf(repomd, 'primary')!;
  const opened = await openMetadata(await fileOf(primary.href, `${label} primary metadata`), deps, `${label} ${primary.href}`);
  const packages: { href: string; checksum: Checksum; size: number }[] = [];
  try {
    for await (const p of parsePrimary(opened.chunks, { withDependencies: false })) packages.push({ href: p.href, checksum: p.checksum, size: p.size });
  } finally {
    await opened.dispose();
  }
  let bytes = 0;
  await runPool(packages, 2, deps.signal, async (p) => {
    const path = await regularFileInside(dir, p.href, within);
    const size = path === undefined ? -1 : await stat(path).then((s) => s.size, () => -1);
    if (size !== p.size) throw new StrikerError('REPO_VERIFY_FAILED', `${label} ${p.href}: expected ${p.size} bytes — got ${size < 0 ? 'no file' : size}`, { details: { href: p.href } });
    await expectChecksum(path!, p.checksum, `${label} ${p.href}`, deps.signal);
    bytes += size;
    deps.onPackage?.(size);
  });
  return { packageCount: packages.length, bytes };
}
