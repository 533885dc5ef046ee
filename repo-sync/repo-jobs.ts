/**
 * The repo jobs: `repo.sync` mirrors one repo, `repo.import-iso` turns OS media into an
 * installation tree. Both report files, bytes, rate and time left, and stop when cancelled, and
 * both say (a warning in the job's messages) which entries they dropped from what they serve.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import type { Database } from '../striker/db/database.js';
import { defineJobKind, type JobContext as StrikerJobContext } from '../striker/jobs/job-kind.js';
import { collectStoreGarbage } from './store/store-gc.js';
import { GpgRepoSigner } from './verify/repo-signer.js';
import { importIso } from './iso/import-iso.js';
import { repoPaths, type RepoPaths } from './repo-paths.js';
import { syncRepo } from './sync-repo.js';
import { type JobContext as RepoJobContext } from './job-context.js';
import { getRepo, recordSync, recordTree } from './repo-store.js';
import { TransferMeter } from './repo-progress.js';
import type { DroppedEntry } from './store/tree-sanitizer.js';

export interface RepoJobDeps {
  db: Database;
  dataDir: string;
  runner: CommandRunner;
  /** Sign republished metadata with Striker's own key (default true). */
  sign?: boolean;
}

/** Adapts a Striker job context to repo-sync's, sending at most one progress write every 500 ms. */
function repoContext(ctx: StrikerJobContext<unknown>): RepoJobContext {
  const meter = new TransferMeter();
  let last = 0;
  let pending: Promise<void> = Promise.resolve();
  return {
    signal: ctx.signal,
    logger: ctx.logger,
    progress: (p) => {
      const now = Date.now();
      if (now - last < 500 && p.phase !== 'done' && p.phase !== 'publish') return;
      last = now;
      const r = meter.report(p, now);
      pending = pending.then(() => ctx.progress(r.percent, r.message, r.vars)).catch(() => undefined);
    },
  };
}

/** One line naming each dropped entry and why, for the job's messages (the full list is in the result). */
export function describeDropped(dropped: readonly DroppedEntry[], limit = 20): string {
  const shown = dropped.slice(0, limit).map((d) => `${d.path} (${d.kind}: ${d.reason})`);
  if (dropped.length > limit) shown.push(`and ${dropped.length - limit} more`);
  return shown.join('; ');
}

/** Striker's repo signing key, made on first use; its public half is served beside the repos. */
export async function readySigner(paths: RepoPaths, runner: CommandRunner): Promise<GpgRepoSigner> {
  const signer = new GpgRepoSigner(paths.gnupg, runner);
  await signer.ensureKey();
  if (!existsSync(paths.signingKeyFile)) await signer.exportPublicKey(paths.signingKeyFile);
  return signer;
}

export function repoJobKinds(deps: RepoJobDeps) {
  const paths = repoPaths(deps.dataDir);
  return [
    defineJobKind({
      kind: 'repo.sync',
      title: 'Sync a repo',
      subject: { of: (p: { name: string }) => p.name, title: 'Sync {subject}' },
      payload: z.strictObject({ name: z.string().min(1).max(64) }),
      maxAttempts: 3,
      onStale: 'retry',
      retryDelaySeconds: (attempt) => 30 * attempt,
      async run(ctx) {
        const repo = await getRepo(deps.db, ctx.payload.name);
        const signer = deps.sign === false ? undefined : await readySigner(paths, deps.runner);
        try {
          const result = await syncRepo(repo.config, { paths, runner: deps.runner, ctx: repoContext(ctx), signer });
          await recordSync(deps.db, repo.name, ctx.job.id, { result });
          await ctx.note(
            result.unchanged ? 'Upstream unchanged; snapshot {snapshot} kept' : 'Published snapshot {snapshot}: {packages} packages, {downloaded} downloaded ({mb} MB), {present} already here, {removed} removed',
            { snapshot: result.snapshotId, packages: result.packageCount, downloaded: result.downloaded, mb: (result.downloadedBytes / 1e6).toFixed(1), present: result.alreadyPresent, removed: result.removed },
          );
          if (result.dropped.length > 0) {
            await ctx.note('Dropped {count} unsafe entries from snapshot {snapshot}: {entries}', { count: result.dropped.length, snapshot: result.snapshotId, entries: describeDropped(result.dropped) }, 'warn');
          }
        } catch (error) {
          if (!ctx.signal.aborted) await recordSync(deps.db, repo.name, ctx.job.id, { error: (error as Error).message });
          throw error;
        }
      },
    }),
    defineJobKind({
      kind: 'repo.collect-garbage',
      title: 'Remove unreferenced files from the repo store',
      payload: z.strictObject({}),
      maxAttempts: 2,
      onStale: 'retry',
      async run(ctx) {
        await ctx.progress(10, 'Looking for files no snapshot uses');
        const result = await collectStoreGarbage(paths.store);
        await ctx.note('Removed {files} files ({mb} MB) that no snapshot uses', { files: result.removedFiles, mb: (result.removedBytes / 1e6).toFixed(1) });
      },
    }),
    defineJobKind({
      kind: 'repo.import-iso',
      title: 'Import OS media',
      subject: { of: (p: { path: string; name?: string | undefined }) => p.name ?? basename(p.path), title: 'Import {subject}' },
      payload: z.strictObject({
        path: z.string().startsWith('/', 'must be an absolute path to an ISO on the Striker').max(4096),
        name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/).optional(),
      }),
      maxAttempts: 1,
      onStale: 'fail',
      async run(ctx) {
        const tree = await importIso(ctx.payload.path, {
          treesDir: paths.trees,
          scratchDir: paths.scratch,
          runner: deps.runner,
          ctx: repoContext(ctx),
          ...(ctx.payload.name ? { name: ctx.payload.name } : {}),
        });
        await recordTree(deps.db, tree, ctx.payload.path);
        await ctx.note('Imported {name} ({family} {version} {arch}): kernel, initrd and {repos} repos', {
          name: tree.name,
          family: tree.family,
          version: tree.version,
          arch: tree.arch,
          repos: tree.repos.length,
        });
        const dropped = tree.dropped ?? [];
        if (dropped.length > 0) {
          await ctx.note('Dropped {count} unsafe entries from the ISO (never served): {entries}', { count: dropped.length, entries: describeDropped(dropped) }, 'warn');
        }
      },
    }),
  ];
}
