/**
 * The two setup-checklist steps repo-sync owns, read from what is on this Striker: OS media
 * imported (an installation tree exists) and repos synced (a repo other than Striker's own has a
 * successful sync). `striker/app` assembles them into the checklist.
 */
import type { DbReader } from '../striker/db/database.js';
import { OWN_REPO_NAME } from './own-packages.js';
import { listRepos, listTrees } from './repo-store.js';

export interface RepoSetupStep {
  done: boolean;
  /** What was found, in words. */
  detail: string;
}

export async function mediaSetupStep(q: DbReader): Promise<RepoSetupStep> {
  const trees = await listTrees(q);
  if (trees.length === 0) return { done: false, detail: 'No OS media imported yet.' };
  return { done: true, detail: `${trees.length === 1 ? 'Installation tree' : 'Installation trees'} ${trees.map((t) => t.name).join(', ')}.` };
}

export async function repoSyncSetupStep(q: DbReader): Promise<RepoSetupStep> {
  const repos = (await listRepos(q)).filter((r) => r.name !== OWN_REPO_NAME);
  const synced = repos.filter((r) => r.lastSyncedAt !== null);
  if (repos.length === 0) return { done: false, detail: 'No repos added yet.' };
  if (synced.length === 0) return { done: false, detail: `${repos.length} repo${repos.length === 1 ? '' : 's'} added, none synced yet.` };
  return { done: true, detail: `Synced: ${synced.map((r) => r.name).join(', ')}.` };
}
