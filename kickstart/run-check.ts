/**
 * Runs one machine's pre-boot check (kickstart's `checkHost`: lint, disk layouts, `%packages`
 * against this Striker's own repos through dnf or the resolver) and stores the outcome. Used by
 * the `kickstart.check` job and by `striker kickstart check` in the CLI process. A draft that
 * cannot be built is stored as failed with its problems, so the machine page shows why.
 */
import { mkdir } from 'node:fs/promises';
import type { CommandRunner } from '../striker/core/command/run-command.js';
import type { Database } from '../striker/db/database.js';
import { checkHost } from './preboot-check.js';
import { type KickstartConfig } from './config.js';
import { loadCheck, saveCheck, statusOf, type KickstartStatus, type StoredCheck } from './check-store.js';
import { loadHostDraft, type DraftPlace } from './host-drafts.js';
import { systemClock, type Clock } from '../striker/core/clock.js';

export interface CheckDeps {
  db: Database;
  run: CommandRunner;
  place: DraftPlace;
  config: KickstartConfig;
  /** Parent of dnf's throw-away install roots. */
  scratchDir: string;
  now?: Clock;
}

export interface CheckOutcome {
  status: KickstartStatus;
  packageProblems: unknown[];
}

export async function runKickstartCheck(
  deps: CheckDeps,
  mac: string,
  options: { jobId?: string | null; engine?: 'auto' | 'dnf' | 'resolver'; progress?: (percent: number, message: string) => Promise<void> } = {},
): Promise<CheckOutcome> {
  const now = deps.now ?? systemClock;
  const progress = options.progress ?? (async () => {});
  await progress(5, 'Building the kickstart');
  const draft = await loadHostDraft(deps.db, mac, deps.place);
  if (!draft.ok) {
    const problems = draft.problems.map((p) => ({ source: 'draft' as const, severity: 'error' as const, line: 0, message: `${p.path}: ${p.message}` }));
    await saveCheck(deps.db, mac, { status: 'failed', engine: 'none', problems }, 'incomplete', options.jobId ?? null, now());
    return { status: statusOf(draft, await loadCheck(deps.db, mac)), packageProblems: [] };
  }
  await progress(20, 'Linting and resolving %packages against the mirror');
  await mkdir(deps.scratchDir, { recursive: true });
  const engine = options.engine ?? deps.config.checkEngine;
  let check: Pick<StoredCheck, 'status' | 'engine' | 'problems'> & { packageProblems: unknown[] };
  try {
    check = await checkHost(deps.run, draft.draft, draft.checkRepos, { engine, timeoutMs: deps.config.checkTimeoutSeconds * 1000, scratchDir: deps.scratchDir });
  } catch (error) {
    // A repo directory that is gone or unreadable metadata: the check failed, and says why.
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    check = { status: 'failed' as const, engine: 'none' as const, problems: [{ source: 'packages', severity: 'error', line: 0, message: `the repos could not be read: ${message}` }], packageProblems: [] };
  }
  await progress(90, 'Storing the result');
  await saveCheck(deps.db, mac, check, draft.fingerprint, options.jobId ?? null, now());
  return { status: statusOf(draft, await loadCheck(deps.db, mac)), packageProblems: check.packageProblems };
}
