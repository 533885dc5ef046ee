/**
 * The CLI and the API call the same actions: `striker` subcommands run in process through
 * buildProgram against a test database (configured as `database.urls`, as a CLI beside a running
 * Striker would be), the routes through the real HTTP app on the same database, and both must
 * leave the same change and exactly one audit row of the same shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit, type AuditRow as StoredAuditRow } from '../../audit/audit-store.js';
import { catalogOf } from '../../jobs/job-kind.js';
import { getJob } from '../../jobs/job-store.js';
import { machineRoutes } from '../../machines/index.js';
import { savePxeSettings } from '../pxe-settings-store.js';
import { repoJobKinds, repoRoutes } from '../../../repo-sync/index.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../../test/support/test-database.js';
import { buildProgram } from './program.js';

/** An audit row without its own id and time, as both callers' rows are compared. */
type AuditRow = Omit<StoredAuditRow, 'id' | 'at'>;

const dir = mkdtempSync(join(tmpdir(), 'striker-cli-actions-'));
const cliActorName = `cli:${userInfo().username}`;
let t: TestApp;
let operator: Login;
let admin: Login;

/** Runs `striker <args>` in this process; resolves with what it printed, rejects with its error. */
async function striker(...args: string[]): Promise<string> {
  const out: string[] = [];
  const program = buildProgram(
    {
      env: { STRIKER_DATABASE__URLS: JSON.stringify([t.t.url]), STRIKER_DATA_DIR: join(dir, 'var') },
      stdout: (s) => void out.push(s),
      stderr: (s) => void out.push(s),
      readStdin: async () => '',
      makeLogger: () => quietLogger,
      runServe: async () => 0, runAgent: async () => 0,
    },
    () => undefined,
  );
  await program.parseAsync(['node', 'striker', '--json', ...args]);
  return out.join('');
}

/** The audit rows of one action, oldest first. */
async function auditRows(action: string): Promise<AuditRow[]> {
  const rows = await listAudit(t.t.db, 1000);
  return rows.filter((r) => r.action === action).reverse().map(({ id: _id, at: _at, ...row }) => row);
}

beforeAll(async () => {
  const database = await createTestDatabase();
  const { db } = database;
  const catalog = catalogOf(repoJobKinds({ db, dataDir: join(dir, 'var'), runner: async () => { throw new Error('no command runs here'); } }));
  t = await createTestApp({
    catalog,
    plugins: [
      (app) => repoRoutes(app, { db, catalog }),
      (app) => machineRoutes(app, { db, pxe: { status: () => ({}), leases: () => [] } }),
    ],
  }, database);
  await addUser(t, 'ada', 'admin');
  await addUser(t, 'oli', 'operator');
  [admin, operator] = [await loginAs(t, 'ada'), await loginAs(t, 'oli')];
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('one action, two callers', () => {
  it('repo sync: the CLI and the route each enqueue one job and write the same audit row', async () => {
    const added = await t.app.inject({ method: 'POST', url: '/api/repos', headers: admin.headers, payload: { name: 'base', source: { kind: 'directory', path: dir } } });
    expect(added.statusCode, added.body).toBe(201);

    const viaRoute = await t.app.inject({ method: 'POST', url: '/api/repos/base/sync', headers: operator.headers, payload: {} });
    expect(viaRoute.statusCode, viaRoute.body).toBe(202);
    const routeJob = (viaRoute.json() as { job: { id: string } }).job;
    const viaCli = JSON.parse(await striker('repo', 'sync', 'base', '--no-wait')) as { id: string; kind: string; status: string };
    expect(viaCli).toMatchObject({ kind: 'repo.sync', status: 'queued' });

    const rows = await auditRows('repo.sync');
    expect(rows).toHaveLength(2);
    const [route, cli] = rows as [AuditRow, AuditRow];
    expect(route).toMatchObject({ actorName: 'oli', details: { jobId: routeJob.id } });
    expect(route.requestId).not.toBe('');
    expect(cli).toEqual({ actorName: cliActorName, action: 'repo.sync', targetKind: 'repo', targetId: 'base', details: { jobId: viaCli.id }, requestId: '' });
    expect({ ...route, actorName: cliActorName, details: { jobId: viaCli.id }, requestId: '' }).toEqual(cli);
    expect((await getJob(t.t.db, viaCli.id)).payload).toEqual((await getJob(t.t.db, routeJob.id)).payload);
  });

  it('repo sync: both callers refuse an unknown repo the same way and write no audit row', async () => {
    const viaRoute = await t.app.inject({ method: 'POST', url: '/api/repos/nope/sync', headers: operator.headers, payload: {} });
    expect(viaRoute.statusCode).toBe(404);
    await expect(striker('repo', 'sync', 'nope', '--no-wait')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await auditRows('repo.sync')).toHaveLength(2);
  });

  it('machine describe: the CLI and the route make the same change and write the same audit row', async () => {
    const viaRoute = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0c:00:01', headers: operator.headers, payload: { role: 'node', hostname: 'an-a01n01', reservedIp: '10.201.10.1' } });
    expect(viaRoute.statusCode, viaRoute.body).toBe(200);
    const viaCli = JSON.parse(await striker('machines', 'set', '52-54-00-0C-00-02', '--role', 'node', '--hostname', 'an-a01n02', '--ip', '10.201.10.2')) as Record<string, unknown>;
    expect(viaCli).toMatchObject({ mac: '52:54:00:0c:00:02', role: 'node', state: 'assigned', hostname: 'an-a01n02', reservedIp: '10.201.10.2' });
    expect((viaRoute.json() as { machine: Record<string, unknown> }).machine).toMatchObject({ role: 'node', state: 'assigned', hostname: 'an-a01n01', reservedIp: '10.201.10.1' });

    const rows = await auditRows('machine.describe');
    expect(rows).toHaveLength(2);
    const [route, cli] = rows as [AuditRow, AuditRow];
    expect(route).toMatchObject({ actorName: 'oli', targetKind: 'machine', targetId: '52:54:00:0c:00:01', details: { role: 'node', hostname: 'an-a01n01', reservedIp: '10.201.10.1' } });
    expect(cli).toEqual({
      actorName: cliActorName, action: 'machine.describe', targetKind: 'machine', targetId: '52:54:00:0c:00:02',
      details: { role: 'node', hostname: 'an-a01n02', reservedIp: '10.201.10.2' }, requestId: '',
    });
  });

  it('machine describe: the same validation and conflict from both, with no audit row', async () => {
    const badRoute = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0c:00:03', headers: operator.headers, payload: { hostname: 'Not A Label', reservedIp: '10.201.10' } });
    expect(badRoute.statusCode).toBe(400);
    expect((badRoute.json() as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path).sort()).toEqual(['body.hostname', 'body.reservedIp']);
    const badCli = await striker('machines', 'set', '52:54:00:0c:00:03', '--hostname', 'Not A Label', '--ip', '10.201.10').catch((e: unknown) => e);
    expect(badCli).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((badCli as { problems: { path: string }[] }).problems.map((p) => p.path).sort()).toEqual(['hostname', 'reservedIp']);

    const taken = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0c:00:04', headers: operator.headers, payload: { reservedIp: '10.201.10.2' } });
    expect(taken.statusCode).toBe(409);
    await expect(striker('machines', 'set', '52:54:00:0c:00:04', '--ip', '10.201.10.1')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(striker('machines', 'set', 'not-a-mac', '--role', 'dr')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await auditRows('machine.describe')).toHaveLength(2);
  });

  it('machine install disks: set, refused and cleared the same way from both callers', async () => {
    const viaRoute = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0c:00:05', headers: operator.headers, payload: { installDisks: ['sdb', 'sda'] } });
    expect(viaRoute.statusCode, viaRoute.body).toBe(200);
    const viaCli = JSON.parse(await striker('machines', 'set', '52:54:00:0c:00:06', '--disks', 'sdb,sda')) as Record<string, unknown>;
    expect(viaCli).toMatchObject({ mac: '52:54:00:0c:00:06', installDisks: ['sdb', 'sda'] });
    expect((viaRoute.json() as { machine: Record<string, unknown> }).machine).toMatchObject({ installDisks: ['sdb', 'sda'] });
    expect(JSON.parse(await striker('machines', 'set', '52:54:00:0c:00:06', '--disks', 'nvme0n1 nvme1n1, sda'))).toMatchObject({ installDisks: ['nvme0n1', 'nvme1n1', 'sda'] });

    const badRoute = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0c:00:05', headers: operator.headers, payload: { installDisks: ['sda', 'sda', '/dev/sdc'] } });
    expect(badRoute.statusCode).toBe(400);
    expect((badRoute.json() as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path)).toEqual(['body.installDisks.1', 'body.installDisks.2']);
    const badCli = await striker('machines', 'set', '52:54:00:0c:00:06', '--disks', 'sda,sda,/dev/sdc').catch((e: unknown) => e);
    expect(badCli).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((badCli as { problems: { path: string; message: string }[] }).problems).toEqual([
      { path: 'installDisks.1', message: "is already in the list — got 'sda'" },
      { path: 'installDisks.2', message: "must be a kernel disk name like sda or nvme0n1 — got '/dev/sdc'" },
    ]);

    const cleared = JSON.parse(await striker('machines', 'set', '52:54:00:0c:00:06', '--disks', '')) as Record<string, unknown>;
    expect(cleared).toMatchObject({ mac: '52:54:00:0c:00:06', installDisks: null });
    const clearedRoute = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0c:00:05', headers: operator.headers, payload: { installDisks: null } });
    expect((clearedRoute.json() as { machine: Record<string, unknown> }).machine).toMatchObject({ installDisks: null });

    const rows = (await auditRows('machine.describe')).slice(2);
    expect(rows.map((r) => [r.actorName, r.targetId, r.details])).toEqual([
      ['oli', '52:54:00:0c:00:05', { installDisks: ['sdb', 'sda'] }],
      [cliActorName, '52:54:00:0c:00:06', { installDisks: ['sdb', 'sda'] }],
      [cliActorName, '52:54:00:0c:00:06', { installDisks: ['nvme0n1', 'nvme1n1', 'sda'] }],
      [cliActorName, '52:54:00:0c:00:06', { installDisks: null }],
      ['oli', '52:54:00:0c:00:05', { installDisks: null }],
    ]);
  });

  it('job cancel: the CLI writes the route\'s audit row, details and all', async () => {
    const viaCli = JSON.parse(await striker('repo', 'sync', 'base', '--no-wait')) as { id: string };
    const cancelled = JSON.parse(await striker('jobs', 'cancel', viaCli.id)) as { status: string };
    expect(cancelled.status).toBe('cancelled');
    const [row] = await auditRows('job.cancel');
    expect(row).toEqual({ actorName: cliActorName, action: 'job.cancel', targetKind: 'job', targetId: viaCli.id, details: { kind: 'repo.sync' }, requestId: '' });
    await expect(striker('jobs', 'cancel', viaCli.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await auditRows('job.cancel')).toHaveLength(1);
  });

  it('machine describe: the CLI refuses a reserved address outside the PXE network as the route does', async () => {
    await savePxeSettings(t.t.db, { enabled: false, interface: 'bcn1', address: '10.201.4.1', subnet: '10.201.0.0/16', mode: 'full', rangeStart: '10.201.10.1', rangeEnd: '10.201.10.200' }, null);
    await expect(striker('machines', 'set', '52:54:00:0c:00:09', '--role', 'node', '--ip', '192.168.9.9')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      problems: [{ path: 'reservedIp', message: '192.168.9.9 is outside the PXE network 10.201.0.0/16: a machine booting there could never get it' }],
    });
    expect(JSON.parse(await striker('machines', 'set', '52:54:00:0c:00:09', '--role', 'node', '--ip', '10.201.10.9'))).toMatchObject({ reservedIp: '10.201.10.9' });
  });

  it('machine reinstall: a failed machine goes back to assigned from either caller with the same audit row; neither reinstalls one that has not failed', async () => {
    const [a, b] = ['52:54:00:0c:00:21', '52:54:00:0c:00:22'];
    for (const mac of [a, b]) {
      expect((await t.app.inject({ method: 'PATCH', url: `/api/machines/${mac}`, headers: operator.headers, payload: { role: 'node' } })).statusCode).toBe(200);
      await t.t.db.write(`UPDATE machines SET state = 'failed', install_error = 'no report from the installer in 120 minutes' WHERE mac = $1`, [mac]);
    }
    const listed = JSON.parse(await striker('machines', 'list')) as { mac: string; state: string; installError: string | null }[];
    expect(listed.find((m) => m.mac === b)).toMatchObject({ state: 'failed', installError: 'no report from the installer in 120 minutes' });
    const viaRoute = await t.app.inject({ method: 'POST', url: `/api/machines/${a}/reinstall`, headers: operator.headers });
    expect(viaRoute.statusCode, viaRoute.body).toBe(200);
    const viaCli = JSON.parse(await striker('machines', 'reinstall', b)) as Record<string, unknown>;
    expect(viaCli).toMatchObject({ mac: b, state: 'assigned', installError: null });
    const [route, cli] = (await auditRows('machine.reinstall')) as [AuditRow, AuditRow];
    expect(route).toMatchObject({ actorName: 'oli', targetId: a, details: { installError: 'no report from the installer in 120 minutes' } });
    expect(cli).toEqual({ ...route, actorName: cliActorName, targetId: b, requestId: '' });
    expect((await t.app.inject({ method: 'POST', url: `/api/machines/${a}/reinstall`, headers: operator.headers })).statusCode).toBe(409);
    await expect(striker('machines', 'reinstall', b)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await auditRows('machine.reinstall')).toHaveLength(2);
  });
});
