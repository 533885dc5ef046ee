/**
 * On-disk layout of one mirrored repo under `<reposDir>/<name>/`:
 *   snapshots/<id>/          a complete published repo (packages hard-linked from the store + repodata)
 *   snapshots/<id>.json      its manifest (the packages it holds, for the next sync plan)
 *   snapshots/.building-<id> a snapshot being built (never served; removed if a sync died)
 *   current -> snapshots/<id> the served snapshot, switched by one rename(2)
 */
import { readFile, readlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedPackage } from './plan.js';

export interface SnapshotManifest {
  id: string;
  createdAt: string;
  source: string;
  /** sha256 of the upstream repomd.xml this snapshot was made from (unchanged upstream → no work). */
  upstreamRepomdSha256?: string;
  /** Tag of the verification policy used (a changed key or policy forces a new snapshot). */
  keyFingerprint?: string;
  packages: PlannedPackage[];
}

export const snapshotsDir = (repoDir: string) => join(repoDir, 'snapshots');
export const currentLink = (repoDir: string) => join(repoDir, 'current');

export function newSnapshotId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The id `current` points at, or undefined when nothing was published yet. */
export async function currentSnapshotId(repoDir: string): Promise<string | undefined> {
  try {
    const target = await readlink(currentLink(repoDir));
    return target.split('/').pop();
  } catch {
    return undefined;
  }
}

export async function readManifest(repoDir: string, id: string): Promise<SnapshotManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(snapshotsDir(repoDir), `${id}.json`), 'utf8')) as SnapshotManifest;
  } catch {
    return undefined;
  }
}

export async function readCurrentManifest(repoDir: string): Promise<SnapshotManifest | undefined> {
  const id = await currentSnapshotId(repoDir);
  return id === undefined ? undefined : readManifest(repoDir, id);
}

/** Published snapshot ids, oldest first (ids sort by time). */
export async function listSnapshots(repoDir: string): Promise<string[]> {
  try {
    const names = await readdir(snapshotsDir(repoDir), { withFileTypes: true });
    return names.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
  } catch {
    return [];
  }
}
