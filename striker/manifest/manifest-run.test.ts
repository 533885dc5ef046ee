/**
 * Running a manifest against a real PostgreSQL: the job graph, idempotent re-runs, resuming after
 * a failure, re-running after a node was rebuilt, and no secret in any job.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../agent/index.js';
import { systemActor } from '../audit/audit-store.js';
import { ConflictError, ValidationError } from '../core/errors/index.js';
import { insertManifest, updateManifest } from './manifest-store.js';
import { claimJobs, finishJob, getJob } from '../jobs/job-store.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { manifestSchema, type ManifestView } from './manifest-schema.js';
import { splitSecrets } from './manifest-secrets.js';
import { manifestRun, manifestRuns, runManifest, type ManifestRunDeps } from './manifest-run-actions.js';
import { sampleManifest } from './sample-manifest.js';
import { hostIdOfMachine, type RunnableManifest } from './run-manifest.js';

let t: TestDatabase;
let manifest: RunnableManifest;
let deps: ManifestRunDeps;
const secrets = ['bmc-secret-1', 'bmc-secret-2', 'pdu-secret', 'ups-secret', 'cluster-secret'];

function documentOf(input = sampleManifest()): ManifestView {
  return splitSecrets(manifestSchema.parse(input), () => false).view;
}

const hostIds = () => (['node1', 'node2', 'dr'] as const).map((k) => hostIdOfMachine(manifest.document.hosts[k]!.machine));

async function register(hostId: string): Promise<void> {
  await t.db.tx((tx) => issueCredentialAtRegistration(tx, hostId, '127.0.0.1'));
}

const allKinds = ['manifest.check', 'host.configure-network', 'cluster.join', 'dr.link'];

/** Claims and ends every claimable job of `kinds` (Striker's and each host's) as `outcome` says, until none is left. */
async function settle(outcome: (kind: string, hostId: string | null) => 'succeeded' | 'failed', kinds: readonly string[] = allKinds): Promise<void> {
  for (;;) {
    let any = false;
    for (const target of [null, ...hostIds()]) {
      const jobs = await claimJobs(t.db, { workerId: 'w', kinds, targetHost: target, limit: 10 });
      for (const job of jobs) {
        any = true;
        const o = outcome(job.kind, target);
        await finishJob(t.db, job.id, 'w', o === 'succeeded' ? { kind: 'succeeded' } : { kind: 'failed', error: 'it broke', retryAfterSeconds: null });
      }
    }
    if (!any) return;
  }
}

async function jobCount(): Promise<number> {
  return (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs')).rows[0]!.n;
}

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db };
});
afterEach(async () => {
  await t.db.query('DELETE FROM manifest_runs');
  await t.db.query('DELETE FROM jobs');
  await t.db.query('DELETE FROM agent_credentials');
  await t.db.query('DELETE FROM manifests');
});
afterAll(async () => t.drop());

async function store(document = documentOf()): Promise<RunnableManifest> {
  return insertManifest(t.db, { name: 'an-anvil-01', sequence: 1, document });
}

async function fresh(): Promise<void> {
  manifest = await store();
  for (const id of hostIds()) await register(id);
}

describe('runManifest', () => {
  it('makes the job graph: a check, a network job per host, cluster.join per subnode and dr.link (waiting)', async () => {
    await fresh();
    const run = await runManifest(deps, systemActor, 'an-anvil-01');
    expect(run.existing).toBe(false);
    expect(run.state).toBe('running');
    expect(run.jobs.map((j) => j.key)).toEqual([
      'striker:manifest.check',
      'node1:host.configure-network',
      'node2:host.configure-network',
      'dr:host.configure-network',
      'node1:cluster.join',
      'node2:cluster.join',
      'dr:dr.link',
    ]);
    const byKey = new Map(run.jobs.map((j) => [j.key, j]));
    const id = (k: string) => byKey.get(k)!.jobId;
    expect(byKey.get('node1:cluster.join')!.waitsFor).toEqual([id('striker:manifest.check'), id('node1:host.configure-network'), id('node2:host.configure-network')]);
    expect(byKey.get('dr:dr.link')!.waitsFor).toHaveLength(4);
    for (const k of ['node1:cluster.join', 'node2:cluster.join']) {
      expect(byKey.get(k)!.heldReason).toBeNull();
      expect(byKey.get(k)!.text).toBe('Waiting for 3 jobs to succeed');
    }
    expect(byKey.get('dr:dr.link')!.heldReason).toBeNull();
    expect(byKey.get('dr:dr.link')!.text).toBe('Waiting for 4 jobs to succeed');
    expect(byKey.get('node1:host.configure-network')!.hostId).toBe('52-54-00-a1-00-01');
    const { rows } = await t.db.query<{ payload: { networks: { key: string; macs: string[] }[] } }>(`SELECT payload FROM jobs WHERE id = $1`, [id('node1:host.configure-network')]);
    expect(rows[0]!.payload.networks.map((n) => n.key)).toEqual(['bcn1', 'sn1', 'ifn1']);
    expect(await manifestRuns(deps, manifest.id)).toHaveLength(1);
    expect((await manifestRun(deps, manifest.id, run.runId)).jobs).toHaveLength(7);
  });

  it('is idempotent: the same revision again while the run is live answers that run and creates nothing', async () => {
    await fresh();
    const first = await runManifest(deps, systemActor, manifest.id);
    const again = await runManifest(deps, systemActor, manifest.id);
    expect(again.runId).toBe(first.runId);
    expect(again.existing).toBe(true);
    expect(await jobCount()).toBe(7);
    // Another revision while the first still runs is refused.
    manifest = await updateManifest(t.db, manifest.id, { name: 'an-anvil-01', sequence: 1, document: documentOf({ ...sampleManifest(), dns: ['192.168.122.2'] }) });
    await expect(runManifest(deps, systemActor, manifest.id)).rejects.toThrow(ConflictError);
  });

  it('after a run whose jobs all ran, a re-run with nothing changed runs only the joins again (they compare the live cluster) and keeps the rest', async () => {
    await fresh();
    const first = await runManifest(deps, systemActor, manifest.id);
    await settle(() => 'succeeded');
    const done = await manifestRun(deps, manifest.id, first.runId);
    expect(done.state).toBe('succeeded');
    expect(done.jobs.filter((j) => j.status === 'succeeded').map((j) => j.key)).toHaveLength(7);
    const again = await runManifest(deps, systemActor, manifest.id);
    expect(again.existing).toBe(false);
    expect(again.jobs.filter((j) => j.created).map((j) => j.key)).toEqual(['node1:cluster.join', 'node2:cluster.join']);
    expect(again.jobs.find((j) => j.key === 'dr:dr.link')!.jobId).toBe(first.jobs.find((j) => j.key === 'dr:dr.link')!.jobId);
    expect(await jobCount()).toBe(9);
    // While those run, running again answers that run.
    const third = await runManifest(deps, systemActor, manifest.id);
    expect(third.existing).toBe(true);
    expect(third.runId).toBe(again.runId);
  });

  it('resumes: a re-run after a failure re-creates what failed (and what ended because of it), keeps what succeeded', async () => {
    await fresh();
    const first = await runManifest(deps, systemActor, manifest.id);
    const node2 = hostIdOfMachine(manifest.document.hosts.node2.machine);
    await settle((kind, host) => (kind === 'host.configure-network' && host === node2 ? 'failed' : 'succeeded'));
    const failed = await manifestRun(deps, manifest.id, first.runId);
    expect(failed.state).toBe('failed');
    const join1 = failed.jobs.find((j) => j.key === 'node1:cluster.join')!;
    expect(join1.status).toBe('failed');
    expect(join1.lastError).toBe(`because job host.configure-network ${failed.jobs.find((j) => j.key === 'node2:host.configure-network')!.jobId} failed`);
    const second = await runManifest(deps, systemActor, manifest.id);
    expect(second.existing).toBe(false);
    expect(second.runId).not.toBe(first.runId);
    expect(second.jobs.filter((j) => j.created).map((j) => j.key)).toEqual(['node2:host.configure-network', 'node1:cluster.join', 'node2:cluster.join', 'dr:dr.link']);
    const kept = second.jobs.filter((j) => !j.created);
    expect(kept.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(await jobCount()).toBe(11);
    await settle(() => 'succeeded');
    expect((await manifestRun(deps, manifest.id, second.runId)).state).toBe('succeeded');
  });

  it('re-creates only the jobs of a node that was rebuilt (it registered again)', async () => {
    await fresh();
    const first = await runManifest(deps, systemActor, manifest.id);
    // The joins wait for their agents (not claimed here).
    await settle(() => 'succeeded', ['manifest.check', 'host.configure-network', 'dr.link']);
    await register(hostIdOfMachine(manifest.document.hosts.node1.machine));
    const rerun = await runManifest(deps, systemActor, manifest.id);
    // The rebuilt node's waiting join of the first run is replaced, not left waiting beside the new one.
    const oldJoin = await getJob(t.db, first.jobs.find((j) => j.key === 'node1:cluster.join')!.jobId);
    expect(oldJoin.status).toBe('cancelled');
    expect(oldJoin.lastError).toBe(`superseded: run ${rerun.runId} of an-anvil-01 replaced it`);
    expect((await getJob(t.db, first.jobs.find((j) => j.key === 'node2:cluster.join')!.jobId)).status).toBe('queued');
    expect(rerun.existing).toBe(false);
    expect(rerun.jobs.filter((j) => j.created).map((j) => j.key)).toEqual(['node1:host.configure-network', 'node1:cluster.join']);
    const join1 = rerun.jobs.find((j) => j.key === 'node1:cluster.join')!;
    expect(join1.waitsFor).toContain(rerun.jobs.find((j) => j.key === 'node1:host.configure-network')!.jobId);
  });

  it('a changed manifest after a failed run replaces the jobs that had not started; nothing runs the old configuration', async () => {
    await fresh();
    const first = await runManifest(deps, systemActor, manifest.id);
    // Striker's check fails before any agent ran: the networks are still queued, the joins end with the check.
    const [check] = await claimJobs(t.db, { workerId: 'w', kinds: ['manifest.check'], targetHost: null, limit: 1 });
    await finishJob(t.db, check!.id, 'w', { kind: 'failed', error: 'BMC of an-a01n02 does not answer', retryAfterSeconds: null });
    manifest = await updateManifest(t.db, manifest.id, { name: 'an-anvil-01', sequence: 1, document: documentOf({ ...sampleManifest(), dns: ['192.168.122.2'] }) });
    const second = await runManifest(deps, systemActor, manifest.id);
    expect(second.jobs.every((j) => j.created)).toBe(true);
    for (const j of first.jobs.filter((x) => x.kind === 'host.configure-network')) {
      const old = await getJob(t.db, j.jobId);
      expect(old.status).toBe('cancelled');
      expect(old.message).toBe('Superseded: {reason}');
    }
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'host.configure-network' AND status = 'queued'`);
    expect(rows[0]!.n).toBe(3);
  });

  it('refuses a manifest whose machines have not registered, naming each host', async () => {
    manifest = await store();
    await register(hostIdOfMachine(manifest.document.hosts.node1.machine));
    const error = await runManifest(deps, systemActor, manifest.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual(['hosts.node2.machine', 'hosts.dr.machine']);
    expect(await jobCount()).toBe(0);
  });

  it('puts no secret in any job payload or message, in the tables or their history', async () => {
    await fresh();
    await runManifest(deps, systemActor, manifest.id);
    await settle(() => 'succeeded');
    const dump = await t.db.query<{ text: string }>(
      `SELECT concat_ws(' ', (SELECT string_agg(j::text, ' ') FROM jobs j), (SELECT string_agg(m::text, ' ') FROM job_messages m),
                             (SELECT string_agg(h::text, ' ') FROM history.jobs h), (SELECT string_agg(r::text, ' ') FROM manifest_runs r),
                             (SELECT string_agg(h::text, ' ') FROM history.manifest_runs h)) AS text`,
    );
    const text = dump.rows[0]!.text;
    expect(text).toContain('an-a01n01');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
