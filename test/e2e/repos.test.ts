/**
 * Repos through the running appliance: the CLI adds a repo, the API syncs it as a job with live
 * progress, Striker serves the published snapshot, and real dnf installs from it with Striker's
 * own metadata signature checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { buildRpms } from '../support/rpm-build.js';
import { DnfClient } from '../support/rpm-dnf.js';
import { freePort, runStriker, startServe, type ServeProcess } from '../support/striker-process.js';

let dir: string;
let env: Record<string, string>;
let striker: ServeProcess;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-repos-e2e-'));
  const upstream = join(dir, 'upstream');
  await mkdir(upstream, { recursive: true });
  const rpms = await buildRpms(join(dir, 'build'), [
    { name: 'alpha', version: '1.0', requires: ['beta'] },
    { name: 'beta', version: '2.0' },
    { name: 'gamma', version: '3.0' },
  ]);
  for (const f of rpms) await runCommand(['cp', f, upstream], { timeoutMs: 10_000 });
  await runCommand(['createrepo_c', '--quiet', upstream], { timeoutMs: 60_000 });
  env = { STRIKER_DATA_DIR: join(dir, 'var'), STRIKER_HTTP__HOST: '127.0.0.1', STRIKER_HTTP__PORT: String(await freePort()), STRIKER_JOBS__POLL_SECONDS: '0.2' };
  striker = await startServe(env);
  const add = await runStriker(['user', 'add', 'admin', '--role', 'admin'], env, 'a long admin password\n');
  expect(add.code, add.stderr).toBe(0);
  const login = await fetch(`${striker.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a long admin password' }) });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  headers = { cookie, 'x-csrf-token': ((await login.json()) as { csrfToken: string }).csrfToken, 'content-type': 'application/json' };
}, 240_000);

afterAll(async () => {
  await striker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('repos in the running appliance', () => {
  it('adds a repo from the CLI and refuses a bad one with every problem', async () => {
    const ok = await runStriker(['repo', 'add', 'local', '--dir', join(dir, 'upstream')], env);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runStriker(['repo', 'add', 'Bad Name', '--url', 'ftp://example.invalid/x', '--every', '1'], env);
    expect(bad.code).toBe(65);
    // The CLI's options are the action's input: problems are named by option path, not under `body.`.
    for (const path of ['name', 'source.url', 'schedule.everyMinutes']) expect(bad.stderr).toContain(`  - ${path}: `);
  });

  it('syncs through the API as a job and serves the snapshot to real dnf', async () => {
    const res = await fetch(`${striker.url}/api/repos/local/sync`, { method: 'POST', headers, body: '{}' });
    expect(res.status).toBe(202);
    const { job } = (await res.json()) as { job: { id: string } };
    let status = '';
    for (let i = 0; i < 240 && !['succeeded', 'failed', 'cancelled'].includes(status); i++) {
      await sleep(250);
      status = ((await (await fetch(`${striker.url}/api/jobs/${job.id}`, { headers })).json()) as { job: { status: string } }).job.status;
    }
    const detail = (await (await fetch(`${striker.url}/api/jobs/${job.id}`, { headers })).json()) as { job: { status: string; progress: number; lastError: string | null }; messages: { text: string }[] };
    expect(detail.job, JSON.stringify(detail)).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(detail.messages.some((m) => m.text.includes('3 packages'))).toBe(true);
    const listed = await runStriker(['--json', 'repo', 'list'], env);
    expect((JSON.parse(listed.stdout) as { name: string; lastResult: { packageCount: number } }[])[0]).toMatchObject({ name: 'local', lastResult: { packageCount: 3 } });
    const repomd = await fetch(`${striker.url}/repos/local/repodata/repomd.xml`);
    expect(repomd.status).toBe(200);
    const traversal = await fetch(`${striker.url}/repos/local/..%2F..%2F..%2Fpostgres.json`);
    expect([400, 404]).toContain(traversal.status);
    // repo_gpgcheck=1: dnf checks repomd.xml.asc against Striker's own key (the test packages are unsigned).
    const dnf = new DnfClient(join(dir, 'dnf'), [{ id: 'striker-local', baseurl: `${striker.url}/repos/local/`, repoGpgcheck: true }]);
    const argv = dnf.argv(`--setopt=striker-local.gpgkey=${striker.url}/repos/RPM-GPG-KEY-striker`, 'install', 'alpha');
    await mkdir(join(dir, 'dnf', 'root'), { recursive: true });
    const install = await runCommand(argv, { timeoutMs: 180_000, okExitCodes: [0, 1] });
    await dnf.stop();
    expect(install.exitCode, install.stderr).toBe(0);
    expect(await dnf.installed()).toEqual(['alpha-1.0', 'beta-2.0']);
  });

  it('refuses repo changes from an operator and unknown repos', async () => {
    const unknown = await fetch(`${striker.url}/api/repos/nope/sync`, { method: 'POST', headers, body: '{}' });
    expect(unknown.status).toBe(404);
    const malformed = await fetch(`${striker.url}/api/repos`, { method: 'POST', headers, body: JSON.stringify({ name: 'x', source: { kind: 'http' }, parallelism: 1000 }) });
    expect(malformed.status).toBe(400);
    const body = (await malformed.json()) as { error: { details: { problems: { path: string }[] } } };
    expect(body.error.details.problems.map((p) => p.path).sort()).toEqual(['body.parallelism', 'body.source.url']);
  });
});
