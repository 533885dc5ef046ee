/**
 * The run API and `striker manifest run` call the same action: a run through either is the same
 * run, and a second call answers it instead of making another.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../agent/index.js';
import { claimJobs, finishJob } from '../jobs/job-store.js';
import { buildProgram } from '../app/cli/program.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { manifestSchema } from './manifest-schema.js';
import { splitSecrets } from './manifest-secrets.js';
import { insertManifest, type ManifestRow } from './manifest-store.js';
import { manifestRunRoutes } from './manifest-run-routes.js';
import type { RunManifestResponse } from './manifest-run-actions.js';
import { hostIdOfMachine } from './run-manifest.js';
import { sampleManifest } from './sample-manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-manifest-run-'));
let t: TestApp;
let operator: Login;
let viewer: Login;
let manifest: ManifestRow;

async function striker(...args: string[]): Promise<{ out: string; exit: number }> {
  const out: string[] = [];
  let exit = 0;
  const program = buildProgram(
    {
      env: { STRIKER_DATABASE__URLS: JSON.stringify([t.t.url]), STRIKER_DATA_DIR: join(dir, 'var') },
      stdout: (s) => void out.push(s),
      stderr: (s) => void out.push(s),
      readStdin: async () => '',
      makeLogger: () => quietLogger,
      runServe: async () => 0,
      runAgent: async () => 0,
    },
    (code) => (exit = code),
  );
  await program.parseAsync(['node', 'striker', '--json', ...args]);
  return { out: out.join(''), exit };
}

beforeAll(async () => {
  const database = await createTestDatabase();
  t = await createTestApp({ plugins: [(app) => manifestRunRoutes(app, { db: database.db })] }, database);
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [operator, viewer] = [await loginAs(t, 'oli'), await loginAs(t, 'vic')];
  const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
  manifest = await insertManifest(database.db, { name: 'an-anvil-01', sequence: 1, document });
  for (const host of ['node1', 'node2', 'dr'] as const) {
    await database.db.tx((tx) => issueCredentialAtRegistration(tx, hostIdOfMachine(document.hosts[host]!.machine), '127.0.0.1'));
  }
});

afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('manifest run API and CLI', () => {
  it('refuses viewers, names an unknown manifest, and runs for operators once', async () => {
    const denied = await t.app.inject({ method: 'POST', url: `/api/manifests/${manifest.id}/run`, headers: viewer.headers });
    expect(denied.statusCode).toBe(403);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/manifests/an-anvil-09/run', headers: operator.headers });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain('an-anvil-09');

    const first = await t.app.inject({ method: 'POST', url: `/api/manifests/${manifest.id}/run`, headers: operator.headers });
    expect(first.statusCode).toBe(201);
    const run = first.json<RunManifestResponse>();
    expect(run.jobs).toHaveLength(7);
    expect(run.jobs.find((j) => j.kind === 'cluster.join')!.text).toBe('Waiting for 3 jobs to succeed');
    expect(run.jobs.find((j) => j.kind === 'dr.link')!.text).toBe('Waiting for 4 jobs to succeed');

    // The CLI, by name, answers the same live run.
    const cli = await striker('manifest', 'run', 'an-anvil-01');
    const viaCli = JSON.parse(cli.out) as RunManifestResponse;
    expect(viaCli.runId).toBe(run.runId);
    expect(viaCli.existing).toBe(true);

    const list = await t.app.inject({ method: 'GET', url: `/api/manifests/${manifest.id}/runs`, headers: viewer.headers });
    expect(list.json().runs.map((r: { runId: string }) => r.runId)).toEqual([run.runId]);
    const one = await t.app.inject({ method: 'GET', url: `/api/manifests/${manifest.id}/runs/${run.runId}`, headers: viewer.headers });
    expect(one.json().run.jobs.map((j: { jobId: string }) => j.jobId)).toEqual(run.jobs.map((j) => j.jobId));
    const missing = await t.app.inject({ method: 'GET', url: `/api/manifests/${manifest.id}/runs/not-a-run`, headers: viewer.headers });
    expect(missing.statusCode).toBe(404);
  });

  it('--wait follows the run until nothing can run now, and exits 1 when a job failed', async () => {
    let ended = false;
    const waiting = striker('manifest', 'run', 'an-anvil-01', '--wait', '--poll-ms', '100').finally(() => (ended = true));
    // Stand in for Striker's runner and the agents until the CLI returns: everything succeeds but node2's network job.
    const node2 = hostIdOfMachine(manifest.document.hosts.node2.machine);
    const targets = [null, ...(['node1', 'node2', 'dr'] as const).map((k) => hostIdOfMachine(manifest.document.hosts[k]!.machine))];
    while (!ended) {
      for (const target of targets) {
        for (const job of await claimJobs(t.t.db, { workerId: 'w', kinds: ['manifest.check', 'host.configure-network'], targetHost: target, limit: 10 })) {
          await finishJob(t.t.db, job.id, 'w', target === node2 ? { kind: 'failed', error: 'nmcli: no such device', retryAfterSeconds: null } : { kind: 'succeeded' });
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const { out, exit } = await waiting;
    const result = JSON.parse(out) as RunManifestResponse;
    expect(result.state).toBe('failed');
    expect(exit).toBe(1);
    expect(result.jobs.find((j) => j.key === 'node2:host.configure-network')!.lastError).toBe('nmcli: no such device');
    expect(result.jobs.find((j) => j.key === 'node1:cluster.join')!.status).toBe('failed');
  });
});
