/**
 * Verifies a repo that sits in a local directory as is (an extracted ISO's BaseOS/AppStream):
 * repomd.xml parses, every metadata file matches its repomd checksum, every package matches its
 * primary.xml checksum and size, and no href leaves the directory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { runPool } from '../fetch/download-pool.js';
import type { Checksum } from '../metadata/checksum.js';
import { openMetadata } from '../metadata/decompress.js';
import { parsePrimary } from '../metadata/primary.js';
import { parseRepomd, recordOf } from '../metadata/repomd.js';

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

export async function verifyRepoDir(dir: string, deps: { runner: CommandRunner; scratchDir: string; signal: AbortSignal; onPackage?: (bytes: number) => void }, label: string): Promise<VerifiedRepoDir> {
  let repomdText: string;
  try {
    repomdText = await readFile(join(dir, 'repodata', 'repomd.xml'), 'utf8');
  } catch {
    throw new StrikerError('REPO_FETCH_FAILED', `${label} is not a yum/dnf repository: it has no repodata/repomd.xml`, { details: { dir } });
  }
  const repomd = parseRepomd(repomdText);
  for (const record of repomd.records) {
    await expectChecksum(join(dir, record.href), record.checksum, `${label} ${record.type} metadata`, deps.signal);
  }
  const primary = recordOf(repomd, 'primary')!;
  const opened = await openMetadata(join(dir, primary.href), deps, `${label} ${primary.href}`);
  const packages: { href: string; checksum: Checksum; size: number }[] = [];
  try {
    for await (const p of parsePrimary(opened.chunks, { withDependencies: false })) packages.push({ href: p.href, checksum: p.checksum, size: p.size });
  } finally {
    await opened.dispose();
  }
  let bytes = 0;
  await runPool(packages, 2, deps.signal, async (p) => {
    const path = join(dir, p.href);
    const size = await stat(path).then((s) => s.size, () => -1);
    if (size !== p.size) throw new StrikerError('REPO_VERIFY_FAILED', `${label} ${p.href}: expected ${p.size} bytes — got ${size < 0 ? 'no file' : size}`, { details: { href: p.href } });
    await expectChecksum(path, p.checksum, `${label} ${p.href}`, deps.signal);
    bytes += size;
    deps.onPackage?.(size);
  });
  return { packageCount: packages.length, bytes };
}
