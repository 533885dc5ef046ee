/**
 * Running a manifest, once for the API and the CLI: `runManifest` turns the stored manifest into
 * its job graph (run-manifest.ts) in one transaction with its audit row, idempotent and resumable;
 * `manifestRuns` and `manifestRun` show runs with the live state of their jobs.
 */
import { liveCredentialOf, addHostJob } from '../agent/index.js';
import { audit, type ActionOptions, type Actor } from '../audit/audit-store.js';
import { ConflictError, NotFoundError, ValidationError, type Problem } from '../core/errors/index.js';
import { isUuid } from '../core/validation/uuid.js';
import { getManifest, listManifests } from './manifest-store.js';
import type { Database, DbReader } from '../db/database.js';
import type { Job } from '../jobs/job.js';
import { renderMessage } from '../jobs/job.js';
import { insertJob, jobsByIds, supersedeJobs } from '../jobs/job-store.js';
import type { HostKey } from './manifest-schema.js';
import { getManifestRun, insertManifestRun, latestManifestRun, listManifestRuns, lockManifestRuns, type ManifestRunRow, type RunJobEntry } from './manifest-run-store.js';
import { checkJobInfo, checkPayloadSchema } from './run-check-kind.js';
import { CHECK_KIND, hostIdOfMachine, manifestRevision, planRun, presentHosts, reconcileRun, runState, supersededJobs, type EarlierJob, type RunnableManifest, type RunState, type RunTarget } from './run-manifest.js';

export interface ManifestRunDeps {
  db: Database;
  /** Called after a run created jobs (wakes Striker's job runner). */
  onJobsCreated?: (() => void) | undefined;
}

/** A stored manifest by id, or by its name (`an-anvil-01`, as the CLI takes it); NotFoundError when there is none. */
export async function findRunnableManifest(q: DbReader, idOrName: string): Promise<RunnableManifest> {
  if (isUuid(idOrName)) return getManifest(q, idOrName);
  const found = (await listManifests(q)).find((m) => m.name === idOrName);
  if (found === undefined) throw new NotFoundError('manifest', idOrName.slice(0, 80));
  return found;
}

/** One job of a run as the API shows it: where it runs, and its live state. */
export interface RunJobView {
  key: string;
  target: RunTarget;
  hostId: string | null;
  kind: string;
  jobId: string;
  /** True when this run created the job; false when it kept an earlier run's. */
  created: boolean;
  /** `gone` when the job was purged from the job table. */
  status: Job['status'] | 'gone';
  progress: number;
  /** The job's message, rendered; for a held job, why it waits. */
  text: string;
  heldReason: string | null;
  waitsFor: string[];
  lastError: string | null;
}

export interface ManifestRunView {
  runId: string;
  manifestId: string;
  revision: string;
  createdAt: Date;
  state: RunState;
  jobs: RunJobView[];
}

/** POST /api/manifests/:id/run: the run, and whether it is one that already existed. */
export interface RunManifestResponse extends ManifestRunView {
  /** True when nothing new was needed and an existing run is answered. */
  existing: boolean;
}

async function view(q: DbReader, run: ManifestRunRow): Promise<ManifestRunView> {
  const jobs = new Map((await jobsByIds(q, run.jobs.map((j) => j.jobId))).map((j) => [j.id, j]));
  const views: RunJobView[] = run.jobs.map((entry) => {
    const job = jobs.get(entry.jobId);
    return {
      key: entry.key,
      target: entry.target,
      hostId: entry.hostId,
      kind: entry.kind,
      jobId: entry.jobId,
      created: entry.created,
      status: job?.status ?? 'gone',
      progress: job?.progress ?? 0,
      text: job === undefined ? 'The job was purged from the job history' : renderMessage(job.message, job.messageVars),
      heldReason: job?.heldReason ?? null,
      waitsFor: job?.waitsFor ?? [],
      lastError: job?.lastError ?? null,
    };
  });
  return {
    runId: run.id,
    manifestId: run.manifestId,
    revision: run.revision,
    createdAt: run.createdAt,
    state: runState(views.map((j) => ({ status: j.status === 'gone' ? 'succeeded' : j.status, heldReason: j.heldReason }))),
    jobs: views,
  };
}

/**
 * Runs a manifest. While a run of another revision is running, refuses (409). Otherwise plans the
 * graph and keeps every job of the latest run that is still good for it (same fingerprint, not
 * failed or cancelled, not a `rerun` job that succeeded): a run with nothing new — the same
 * revision still running, say — answers the latest run, and a re-run creates only what failed or
 * changed (a host rebuilt meanwhile has a new credential) and the jobs that reconcile live state.
 */
export async function runManifest(deps: ManifestRunDeps, actor: Actor, idOrName: string, options: ActionOptions = {}): Promise<RunManifestResponse> {
  const manifest = await findRunnableManifest(deps.db, idOrName);
  const revision = manifestRevision(manifest.document);
  const outcome = await deps.db.tx(async (t) => {
    await lockManifestRuns(t, manifest.id);
    const latest = await latestManifestRun(t, manifest.id);
    const latestView = latest === undefined ? undefined : await view(t, latest);
    if (latest !== undefined && latestView!.state === 'running' && latest.revision !== revision) {
      throw new ConflictError(`run ${latest.id} of ${manifest.name} (an earlier revision) is still running; wait for it to end or cancel its jobs, then run again`, {
        runId: latest.id,
        revision: latest.revision,
      });
    }
    const credentials: Partial<Record<HostKey, string>> = {};
    const problems: Problem[] = [];
    for (const host of presentHosts(manifest.document)) {
      const machine = manifest.document.hosts[host]!.machine;
      const credential = await liveCredentialOf(t, hostIdOfMachine(machine));
      if (credential === undefined) problems.push({ path: `hosts.${host}.machine`, message: `machine ${machine} has no registered agent (install it and let it register first)` });
      else credentials[host] = credential.id;
    }
    if (problems.length > 0) throw new ValidationError(problems, `manifest ${manifest.name}`);
    const plan = planRun({ manifestId: manifest.id, revision, manifest: manifest.document, credentials });
    const earlier = new Map<string, EarlierJob>(
      (latestView?.jobs ?? []).map((j) => [j.key, { jobId: j.jobId, fingerprint: latest!.jobs.find((e) => e.key === j.key)!.fingerprint, status: j.status }]),
    );
    const steps = reconcileRun(plan, earlier);
    const created = steps.filter((s) => s.action === 'create').length;
    if (created === 0 && latest !== undefined && latest.revision === revision) return { run: latestView!, existing: true, created: 0 };
    const ids = new Map<string, string>();
    const entries: RunJobEntry[] = [];
    for (const step of steps) {
      const { job } = step;
      let jobId: string;
      if (step.action === 'keep') {
        jobId = step.jobId;
      } else {
        const waitsFor = job.waitsFor.map((k) => ids.get(k)!);
        if (job.kind === CHECK_KIND) {
          const payload = checkPayloadSchema.parse(job.payload);
          jobId = (await insertJob(t, { kind: CHECK_KIND, payload, maxAttempts: checkJobInfo.maxAttempts, retryOnStale: false, createdBy: actor.userId, waitsFor })).id;
        } else {
          jobId = (await addHostJob(t, actor, { hostId: job.hostId!, kind: job.kind, payload: job.payload, waitsFor }, { requestId: options.requestId, inputPath: job.key })).id;
        }
      }
      ids.set(job.key, jobId);
      entries.push({ key: job.key, target: job.target, hostId: job.hostId, kind: job.kind, jobId, fingerprint: job.fingerprint, created: step.action === 'create' });
    }
    const run = await insertManifestRun(t, { manifestId: manifest.id, revision, document: manifest.document, jobs: entries, createdBy: actor.userId });
    await supersedeJobs(t, supersededJobs(steps, earlier), `run ${run.id} of ${manifest.name} replaced it`);
    await audit(t, actor, {
      action: 'manifest.run',
      targetKind: 'manifest',
      targetId: manifest.id,
      details: { runId: run.id, name: manifest.name, revision, created, kept: steps.length - created },
      requestId: options.requestId,
    });
    return { run: await view(t, run), existing: false, created };
  });
  if (outcome.created > 0) deps.onJobsCreated?.();
  return { ...outcome.run, existing: outcome.existing };
}

/** The manifest's runs, newest first, each with its jobs' live state. */
export async function manifestRuns(deps: Pick<ManifestRunDeps, 'db'>, idOrName: string): Promise<ManifestRunView[]> {
  const manifest = await findRunnableManifest(deps.db, idOrName);
  const runs = await listManifestRuns(deps.db, manifest.id);
  return Promise.all(runs.map((r) => view(deps.db, r)));
}

export async function manifestRun(deps: Pick<ManifestRunDeps, 'db'>, idOrName: string, runId: string): Promise<ManifestRunView> {
  const manifest = await findRunnableManifest(deps.db, idOrName);
  return view(deps.db, await getManifestRun(deps.db, manifest.id, runId));
}
