/**
 * Kickstarts wired into the appliance, on a real PostgreSQL with the real HTTP app (inject): a
 * machine in the `machines` table gets its kickstart built from the Striker identity, the kickstart
 * settings and an installation tree built here with rpmbuild + createrepo_c; the pre-boot check runs
 * as a `kickstart.check` job through real dnf and is stored; only a machine whose check passed is
 * served, only to its own address or a valid signature, and its registration token works once.
 * The CLI commands run in process against the same database; the CLI's check is the same action
 * as the API's (a `kickstart.check` job, here run by the test's runner as `striker serve` would).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../striker/audit/audit-store.js';
import { addKickstartCommands } from '../../striker/app/cli/kickstart-commands.js';
import type { CliContext } from '../../striker/app/cli/program.js';
import { loadConfig } from '../../striker/app/config/load-config.js';
import { catalogOf } from '../../striker/jobs/job-kind.js';
import { JobRunner } from '../../striker/jobs/job-runner.js';
import { kickstartArea, type KickstartArea } from '../../kickstart/kickstart-area.js';
import { recordTree } from '../../repo-sync/repo-store.js';
import { sampleIdentity } from '../../striker/setup/sample-identity.js';
import { saveIdentity } from '../../striker/setup/identity-store.js';
import { describeMachine } from '../../striker/machines/actions.js';
import { machineTimeline } from '../../striker/machines/machine-store.js';
import { lintKickstart } from '../../kickstart/index.js';
import { packagesByRole } from '../../kickstart/role-packages.js';
import type { InstallationTree } from '../../repo-sync/index.js';
import { buildRpms, createRepo, type FakePackage } from '../fixtures/kickstart/rpm-repo.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-database.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-ks-e2e-'));
const logs: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
const config = { ...loadConfig({ env: { STRIKER_DATA_DIR: join(dir, 'var') } }) };
const repoDirs = { reposDir: join(dir, 'repos'), treesDir: join(dir, 'trees') };
const strikerConfig = { ...config, repos: { ...config.repos, ...repoDirs } };

const mac = '52:54:00:0a:01:01';
const hostId = '52-54-00-0a-01-01';
const nodeIp = '10.201.10.1';
const stranger = '10.201.66.6';

let t: TestApp;
let area: KickstartArea;
let runner: JobRunner;
let admin: Login;
let operator: Login;
let viewer: Login;

function treeOf(name: string): InstallationTree {
  return { kind: 'installation-tree', name, snapshotId: `snap-${name}`, family: 'AlmaLinux', version: '9.4', arch: 'x86_64', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', efiLoaders: [], repos: [{ id: 'BaseOS', path: 'BaseOS', packageCount: 1 }], bytes: 1 };
}

beforeAll(async () => {
  // A complete tree and one without kmod-drbd and python3-pcs-lib (which pcs requires).
  const special: Record<string, FakePackage> = { pcs: { name: 'pcs', requires: ['python3-pcs-lib'] } };
  const names = [...new Set(packagesByRole.node.filter((n) => !n.startsWith('@'))), 'python3-pcs-lib', 'basesystem'];
  mkdirSync(join(dir, 'build'), { recursive: true });
  const rpms = await buildRpms(join(dir, 'build'), names.map((n) => special[n] ?? { name: n }));
  const all = [...rpms.values()];
  const missing = ['kmod-drbd', 'python3-pcs-lib'].map((n) => rpms.get(n));
  await createRepo(join(repoDirs.treesDir, 'full', 'BaseOS'), all, { core: ['basesystem'] });
  await createRepo(join(repoDirs.treesDir, 'broken', 'BaseOS'), all.filter((r) => !missing.includes(r)), { core: ['basesystem'] });
  // Imported media carry their signing key at the tree root; kickstarts reference it.
  for (const tree of ['full', 'broken']) writeFileSync(join(repoDirs.treesDir, tree, 'RPM-GPG-KEY-AlmaLinux-9'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\n');

  const database = await createTestDatabase();
  area = await kickstartArea({ config: strikerConfig, db: database.db, logger });
  const catalog = catalogOf(area.jobKinds);
  t = await createTestApp({ logger, config: strikerConfig, catalog, plugins: area.plugins.map((p) => (app) => p(app, catalog)) }, database);
  runner = new JobRunner({ db: t.t.db, catalog, logger, host: 'test', workers: 1, pollSeconds: 0.2, heartbeatSeconds: 5, staleAfterSeconds: 60 });
  await runner.start();
  await addUser(t, 'admin', 'admin');
  await addUser(t, 'op', 'operator');
  await addUser(t, 'view', 'viewer');
  [admin, operator, viewer] = [await loginAs(t, 'admin'), await loginAs(t, 'op'), await loginAs(t, 'view')];
}, 180_000);

afterAll(async () => {
  await runner?.stop(5000);
  await area?.stop();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
  // Whatever happened, nothing secret reached the log.
  const all = logs.join('\n');
  expect(all).toContain('kickstart served');
  expect(all).toContain('kickstart request refused');
  expect(all).not.toContain('$6$');
  expect(all).not.toMatch(/srt_[A-Za-z0-9_-]{20}/);
  expect(all).not.toMatch(/sig=[A-Za-z0-9_-]{10}/);
  expect(all).not.toMatch(/\d\.[A-Za-z0-9_-]{43}\.ks/);
  expect(all).not.toContain('root password of the test');
});

const api = (method: 'GET' | 'POST' | 'PUT', url: string, who: Login, payload?: unknown) =>
  t.app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const fetchKs = (url: string, remoteAddress: string) => t.app.inject({ method: 'GET', url, remoteAddress });
const status = async () => (await api('GET', `/api/machines/${mac}/kickstart/status`, viewer)).json().status as { status: string; problems: { path?: string; message: string }[]; stale: boolean };

async function runCheck(): Promise<{ status: string; messages: string[] }> {
  const res = await api('POST', `/api/machines/${mac}/kickstart/check`, operator, {});
  expect(res.statusCode, res.body).toBe(202);
  const id = (res.json() as { job: { id: string } }).job.id;
  for (let i = 0; i < 600; i++) {
    const job = (await api('GET', `/api/jobs/${id}`, viewer)).json() as { job: { status: string; progress: number }; messages: { text: string }[] };
    if (['succeeded', 'failed', 'cancelled'].includes(job.job.status)) return { status: job.job.status, messages: job.messages.map((m) => m.text) };
    await sleep(200);
  }
  throw new Error(`job ${id} did not finish`);
}

describe('building a machine’s kickstart from the database', () => {
  it('lists every missing piece before the wizard, the settings and the media exist', async () => {
    await describeMachine(t.t.db, systemActor, mac, { role: null });
    const s = await status();
    expect(s.status).toBe('incomplete');
    expect(s.problems.map((p) => p.path).sort()).toEqual(['identity', 'machine.hostname', 'machine.reservedIp', 'machine.role', 'settings.rootPassword', 'settings.tree']);
    const preview = await api('GET', `/api/machines/${mac}/kickstart`, operator);
    expect(preview.statusCode).toBe(409);
    expect(preview.json().error.details.problems).toHaveLength(6);
    expect((await fetchKs(`/ks/${hostId}.ks`, nodeIp)).statusCode).toBe(403);
  });

  it('refuses malformed settings with every problem, without echoing the password', async () => {
    const res = await api('PUT', '/api/settings/kickstart', admin, { rootPassword: 'short', timezone: 'Not A Zone', keyboard: 'US KEYS', tree: 'Bad Name', colour: 'blue' });
    expect(res.statusCode).toBe(400);
    const problems = res.json().error.details.problems as { path: string; message: string }[];
    expect(problems.map((p) => p.path).sort()).toEqual(['body.colour', 'body.keyboard', 'body.rootPassword', 'body.timezone', 'body.tree']);
    expect(res.body).not.toContain('short');
    expect((await api('PUT', '/api/settings/kickstart', operator, { timezone: 'Etc/UTC' })).statusCode).toBe(403);
    const empty = await api('PUT', '/api/settings/kickstart', admin, {});
    expect(empty.statusCode).toBe(400);
    const badCheck = await api('POST', `/api/machines/${mac}/kickstart/check`, operator, { engine: 'yum', now: true });
    expect(badCheck.statusCode).toBe(400);
    expect((badCheck.json().error.details.problems as { path: string }[]).map((p) => p.path).sort()).toEqual(['body.engine', 'body.now']);
  });

  it('builds it once the identity, machine, settings and tree exist; the preview holds no secrets', async () => {
    await t.t.db.tx((q) => saveIdentity(q, sampleIdentity(), null));
    await describeMachine(t.t.db, systemActor, mac, { role: 'node', hostname: 'an-a01n01', reservedIp: nodeIp });
    await recordTree(t.t.db, treeOf('full'), '/isos/full.iso');
    await recordTree(t.t.db, treeOf('broken'), '/isos/broken.iso');
    expect((await status()).problems.map((p) => p.message).join('\n')).toContain('several installation trees are imported (broken, full)');
    const put = await api('PUT', '/api/settings/kickstart', admin, { rootPassword: 'root password of the test', timezone: 'America/Toronto', tree: 'full' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().settings).toMatchObject({ rootPasswordSet: true, timezone: 'America/Toronto', treeName: 'full', repoNames: null });
    expect(put.body).not.toContain('$6$');
    const audited = await t.t.db.query<{ details: Record<string, unknown> }>(`SELECT details FROM audit_log WHERE action = 'kickstart.settings'`);
    expect(audited.rows[0]?.details).toEqual({ timezone: 'America/Toronto', tree: 'full', rootPasswordChanged: true });

    expect(await status()).toMatchObject({ status: 'unchecked', problems: [], stale: false });
    expect((await api('GET', `/api/machines/${mac}/kickstart`, viewer)).statusCode).toBe(403);
    const res = await api('GET', `/api/machines/${mac}/kickstart`, operator);
    expect(res.statusCode, res.body).toBe(200);
    const text = (res.json() as { kickstart: string }).kickstart;
    expect(text).toContain('url --url=http://10.201.4.1:8080/trees/full/\n');
    expect(text).toContain('repo --name=striker-baseos --baseurl=http://10.201.4.1:8080/trees/full/BaseOS/\n');
    expect(text).toContain('gpgkey=http://10.201.4.1:8080/trees/full/RPM-GPG-KEY-AlmaLinux-9\n');
    expect(text).toMatch(/\nsshkey --username=root "ssh-ed25519 AAAA\S+ striker"\n/);
    expect(text).toContain(`network --bootproto=static --device=${mac} --ip=${nodeIp} --netmask=255.255.0.0 --nameserver=192.168.122.1,8.8.8.8 --hostname=an-a01n01.alteeve.example`);
    expect(text).toContain('timezone America/Toronto --utc');
    expect(text).toContain('rootpw --iscrypted [redacted]\n');
    expect(res.body).not.toContain('$6$');
    expect(res.body).not.toMatch(/srt_/);
    expect(lintKickstart(text.replace('[redacted]', '$6$x')).problems.filter((p) => p.severity === 'error' && !p.message.includes('rootpw'))).toEqual([]);
  });
});

describe('the pre-boot check and serving', () => {
  it('does not serve a kickstart that has not been checked', async () => {
    const res = await fetchKs(`/ks/${hostId}.ks`, nodeIp);
    expect(res.statusCode).toBe(409);
    expect(res.body).not.toContain('rootpw');
  });

  it('checks against the full tree with dnf as a job, stores ready, and serves the machine', async () => {
    const job = await runCheck();
    expect(job.status).toBe('succeeded');
    expect(job.messages.join('\n')).toContain(`Kickstart for ${mac} is ready (dnf)`);
    expect(job.messages).toEqual(expect.arrayContaining(['Building the kickstart', 'Linting and resolving %packages against the mirror']));
    expect(await status()).toMatchObject({ status: 'ready', problems: [] });
    const row = await t.t.db.query(`SELECT status, engine FROM kickstart_checks`);
    expect(row.rows).toEqual([{ status: 'ready', engine: 'dnf' }]);

    const res = await fetchKs(`/ks/${hostId}.ks`, nodeIp);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^rootpw --iscrypted \$6\$/m);
    expect(res.body).toMatch(/'http:\/\/10\.201\.4\.1:8080\/ks\/52-54-00-0a-01-01\/events\?exp=\d+&sig=[A-Za-z0-9_-]{43}'/);
    expect(lintKickstart(res.body)).toEqual({ ok: true, problems: [] });
  });

  it('refuses a wrong IP, a forged or foreign signature with 403 and no content; serves a valid one', async () => {
    const boot = await area.bootUrl(mac);
    expect(boot).toMatch(/^http:\/\/10\.201\.4\.1:8080\/ks\/52-54-00-0a-01-01\/\d+\.[A-Za-z0-9_-]{43}\.ks$/);
    const path = boot!.replace('http://10.201.4.1:8080', '');
    expect((await fetchKs(path, stranger)).statusCode).toBe(200);
    // The machine on another address that the DHCP lease table ties to its MAC is served too.
    await t.t.db.query(`INSERT INTO dhcp_leases (ip, mac, client_key, state, expires_at) VALUES ('10.201.200.7', $1, $1, 'bound', now() + interval '1 hour')`, [mac]);
    expect((await fetchKs(`/ks/${hostId}.ks`, '10.201.200.7')).statusCode).toBe(200);
    await t.t.db.query(`UPDATE dhcp_leases SET expires_at = now() - interval '1 second'`);
    expect((await fetchKs(`/ks/${hostId}.ks`, '10.201.200.7')).statusCode).toBe(403);
    for (const url of [`/ks/${hostId}.ks`, path.replace(/\.[A-Za-z0-9_-]{43}\.ks$/, `.${'A'.repeat(43)}.ks`), `/ks/${hostId}.ks?exp=9999999999&sig=${'B'.repeat(43)}`, '/ks/52-54-00-0a-01-02.ks']) {
      const res = await fetchKs(url, stranger);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).toBe('');
    }
  });

  it('does not trust a reservation an operator pointed at their own address until an admin confirms it', async () => {
    const otto = { userId: null, name: 'op', role: 'operator' as const, via: 'session' as const };
    await describeMachine(t.t.db, otto, mac, { reservedIp: stranger });
    expect(await runCheck()).toMatchObject({ status: 'succeeded' });
    const refused = await fetchKs(`/ks/${hostId}.ks`, stranger);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toBe('');
    expect(logs.join('\n')).toContain('unconfirmed-reservation');
    // The installing machine's signed boot URL keeps working.
    const boot = (await area.bootUrl(mac))!.replace('http://10.201.4.1:8080', '');
    expect((await fetchKs(boot, stranger)).statusCode).toBe(200);
    await describeMachine(t.t.db, { ...otto, name: 'admin', role: 'admin' }, mac, { reservedIp: stranger });
    expect((await fetchKs(`/ks/${hostId}.ks`, stranger)).statusCode).toBe(200);
    await describeMachine(t.t.db, systemActor, mac, { reservedIp: nodeIp });
    expect(await runCheck()).toMatchObject({ status: 'succeeded' });
    expect((await fetchKs(`/ks/${hostId}.ks`, nodeIp)).statusCode).toBe(200);
  });

  it('accepts the registration token once; a replayed or superseded token is refused', async () => {
    const tokenIn = (body: string) => /"token":"(srt_[A-Za-z0-9_-]{43})"/.exec(body)?.[1] ?? '';
    const older = tokenIn((await fetchKs(`/ks/${hostId}.ks`, nodeIp)).body);
    const token = tokenIn((await fetchKs(`/ks/${hostId}.ks`, nodeIp)).body);
    const register = (tok: string) => t.app.inject({ method: 'POST', url: `/ks/${hostId}/register`, remoteAddress: nodeIp, payload: { token: tok } });
    expect((await register(older)).statusCode).toBe(403);
    const ok = await register(token);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ hostId, mac });
    const replay = await register(token);
    expect(replay.statusCode).toBe(403);
    expect(replay.body).toBe('');
    const stored = await t.t.db.query<{ used: boolean; hash: string }>(`SELECT used_at IS NOT NULL AS used, token_hash AS hash FROM kickstart_tokens`);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.used).toBe(true);
    expect(stored.rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const state = await t.t.db.query<{ state: string }>('SELECT state FROM machines WHERE mac = $1', [mac]);
    expect(state.rows[0]!.state).toBe('installed');
    await area.timeline.flush();
    const steps = (await machineTimeline(t.t.db, mac)).map((e) => `${e.step}:${String(e.details.outcome ?? '')}`);
    expect(steps).toEqual(expect.arrayContaining(['kickstart.fetched:served', 'kickstart.fetched:refused', 'kickstart.fetched:blocked', 'host.registered:']));
  });

  it('marks the check stale when the inputs change, then stores failed naming the missing package and dependency', async () => {
    expect((await api('PUT', '/api/settings/kickstart', admin, { tree: 'broken' })).statusCode).toBe(200);
    expect(await status()).toMatchObject({ status: 'unchecked', stale: true });
    expect((await fetchKs(`/ks/${hostId}.ks`, nodeIp)).statusCode).toBe(409);
    const job = await runCheck();
    // A check that finds problems is a failed job, listing them once, not retried.
    expect(job.status).toBe('failed');
    expect(job.messages.filter((m) => m.includes('python3-pcs-lib'))).toHaveLength(1);
    expect(job.messages.at(-1)).toMatch(/^Run 1 failed: the kickstart for \S+ is failed: \d+ problem\(s\)/);
    const s = await status();
    expect(s.status).toBe('failed');
    const messages = s.problems.map((p) => p.message);
    expect(messages.some((m) => m.includes('kmod-drbd'))).toBe(true);
    expect(messages).toContain('package pcs needs python3-pcs-lib, which nothing in the repos provides');
    const res = await fetchKs(`/ks/${hostId}.ks`, nodeIp);
    expect(res.statusCode).toBe(409);
    expect(res.body).toBe(`kickstart for ${hostId} is not ready: its pre-boot check has failed\n`);
    expect((await fetchKs(`/ks/${hostId}.ks`, stranger)).statusCode).toBe(403);
  });
});

describe('striker kickstart render|check (in process)', () => {
  const out: string[] = [];
  const cli = (): Command => {
    const program = new Command('striker').option('--json').exitOverride();
    const ctx: CliContext = {
      io: { env: {}, stdout: (s) => void out.push(s), stderr: (s) => void out.push(s), readStdin: async () => '', makeLogger: () => logger, runServe: async () => 0, runAgent: async () => 0 },
      config: () => strikerConfig,
      printer: () => ({ json: Boolean(program.opts<{ json?: boolean }>().json), out: (s) => void out.push(s) }),
      cliActor: () => systemActor,
      withDb: (fn) => fn(t.t.db, logger, { startedHere: false }),
    };
    addKickstartCommands(program, ctx);
    return program;
  };

  it('renders the redacted kickstart as JSON', async () => {
    out.length = 0;
    await cli().parseAsync(['node', 'striker', 'kickstart', 'render', mac.toUpperCase(), '--json']);
    const result = JSON.parse(out.join('')) as { hostId: string; kickstart: string; status: { status: string } };
    expect(result.hostId).toBe(hostId);
    expect(result.kickstart).toContain('url --url=http://10.201.4.1:8080/trees/broken/');
    expect(result.kickstart).not.toContain('$6$');
    expect(result.status.status).toBe('failed');
  });

  it('checks with the resolver as a job from the CLI, audited like the API, stores the result, and fails unless ready', async () => {
    out.length = 0;
    await expect(cli().parseAsync(['node', 'striker', 'kickstart', 'check', mac, '--engine', 'resolver', '--json'])).rejects.toThrow(/is failed/);
    const result = JSON.parse(out.join('')) as { job: { id: string; status: string }; status: { status: string; engine: string; problems: { message: string }[] } };
    expect(result.job.status).toBe('failed');
    expect(result.status).toMatchObject({ status: 'failed', engine: 'resolver' });
    const audited = await t.t.db.query<{ actor_name: string; target_id: string; details: Record<string, unknown> }>(
      `SELECT actor_name, target_id, details FROM audit_log WHERE action = 'kickstart.check' AND details->>'jobId' = $1`, [result.job.id]);
    expect(audited.rows).toEqual([{ actor_name: systemActor.name, target_id: mac, details: { jobId: result.job.id, engine: 'resolver' } }]);
    expect(result.status.problems.map((p) => p.message)).toContain('package pcs needs python3-pcs-lib, which nothing in the repos provides');
    expect((await api('PUT', '/api/settings/kickstart', admin, { tree: 'full' })).statusCode).toBe(200);
    out.length = 0;
    await cli().parseAsync(['node', 'striker', 'kickstart', 'check', mac, '--engine', 'resolver', '--json']);
    expect(JSON.parse(out.join(''))).toMatchObject({ status: { status: 'ready', engine: 'resolver' } });
    expect(await status()).toMatchObject({ status: 'ready' });
    expect((await fetchKs(`/ks/${hostId}.ks`, nodeIp)).statusCode).toBe(200);
  });
});
