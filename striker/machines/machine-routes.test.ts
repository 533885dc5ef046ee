/**
 * PATCH /api/machines/:mac through the real HTTP app: the install disks an operator sets, refuses
 * and clears, each refusal naming the entry at fault, and the audit row of each change; GET shows
 * the phases of the machine's last boot computed from its recorded timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../audit/audit-store.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { DbTimeline, machineRoutes, type MachineDetailResponse, type MachineResponse } from './index.js';

let t: TestApp;
let operator: Login;
let admin: Login;
let viewer: Login;
let changes = 0;
const mac = '52:54:00:d1:00:01';

beforeAll(async () => {
  const database = await createTestDatabase();
  t = await createTestApp({
    plugins: [(app) => machineRoutes(app, { db: database.db, pxe: { status: () => ({}), leases: () => [] }, onMachineChanged: () => void changes++ })],
  }, database);
  await addUser(t, 'ada', 'admin');
  await addUser(t, 'oli', 'operator');
  await addUser(t, 'vic', 'viewer');
  [admin, operator, viewer] = [await loginAs(t, 'ada'), await loginAs(t, 'oli'), await loginAs(t, 'vic')];
}, 60_000);

afterAll(async () => t?.close());

const patch = (login: Login, payload: unknown) => t.app.inject({ method: 'PATCH', url: `/api/machines/${mac}`, headers: login.headers, payload: payload as object });
const problemsOf = (body: string) => (JSON.parse(body) as { error: { details: { problems: { path: string; message: string }[] } } }).error.details.problems;

describe('PATCH /api/machines/:mac installDisks', () => {
  it('sets the disks an operator names, in their order, shows them and audits the change', async () => {
    const res = await patch(operator, { role: 'node', installDisks: ['sdb', 'sda', 'nvme0n1'] });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as MachineResponse).machine).toMatchObject({ mac, role: 'node', installDisks: ['sdb', 'sda', 'nvme0n1'] });
    const shown = await t.app.inject({ method: 'GET', url: `/api/machines/${mac}`, headers: viewer.headers });
    expect((shown.json() as MachineDetailResponse).machine.installDisks).toEqual(['sdb', 'sda', 'nvme0n1']);
    const [row] = (await listAudit(t.t.db, 10)).filter((r) => r.action === 'machine.describe');
    expect(row).toMatchObject({ actorName: 'oli', targetId: mac, details: { role: 'node', installDisks: ['sdb', 'sda', 'nvme0n1'] } });
    expect(changes).toBe(1);
  });

  it('lets an admin change the list and leaves it alone when a change does not name it', async () => {
    expect((await patch(admin, { installDisks: ['vda', 'vdb'] })).statusCode).toBe(200);
    const res = await patch(operator, { hostname: 'an-a01n01' });
    expect((res.json() as MachineResponse).machine).toMatchObject({ hostname: 'an-a01n01', installDisks: ['vda', 'vdb'] });
  });

  it('refuses bad lists with a 400 naming each entry at fault, and changes nothing', async () => {
    const cases: [unknown, { path: string; message: RegExp }[]][] = [
      [['sda', '/dev/sdb', 'SDC', 'sda'], [
        { path: 'body.installDisks.1', message: /must be a kernel disk name like sda or nvme0n1 — got '\/dev\/sdb'/ },
        { path: 'body.installDisks.2', message: /must be a kernel disk name/ },
        { path: 'body.installDisks.3', message: /is already in the list — got 'sda'/ },
      ]],
      [[], [{ path: 'body.installDisks', message: /must name 1 to 8 disks \(null lets the installer pick the local disks\)/ }]],
      [['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], [{ path: 'body.installDisks', message: /must name 1 to 8 disks/ }]],
      ['sda,sdb', [{ path: 'body.installDisks', message: /expected array/ }]],
      [[7], [{ path: 'body.installDisks.0', message: /expected string/ }]],
      [[`s${'d'.repeat(32)}`], [{ path: 'body.installDisks.0', message: /must be a kernel disk name/ }]],
    ];
    for (const [installDisks, expected] of cases) {
      const res = await patch(operator, { installDisks });
      expect(res.statusCode, JSON.stringify(installDisks)).toBe(400);
      const problems = problemsOf(res.body);
      expect(problems.map((p) => p.path), JSON.stringify(installDisks)).toEqual(expected.map((e) => e.path));
      problems.forEach((p, i) => expect(p.message).toMatch(expected[i]!.message));
    }
    const shown = await t.app.inject({ method: 'GET', url: `/api/machines/${mac}`, headers: viewer.headers });
    expect((shown.json() as MachineDetailResponse).machine.installDisks).toEqual(['vda', 'vdb']);
  });

  it('clears the list with null, so the installer picks the local disks again', async () => {
    const res = await patch(operator, { installDisks: null });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as MachineResponse).machine.installDisks).toBeNull();
    const [row] = (await listAudit(t.t.db, 10)).filter((r) => r.action === 'machine.describe');
    expect(row).toMatchObject({ actorName: 'oli', details: { installDisks: null } });
  });

  it('refuses a viewer', async () => {
    expect((await patch(viewer, { installDisks: ['sda'] })).statusCode).toBe(403);
  });
});

describe('GET /api/machines/:mac boot phases', () => {
  it('shows each phase of the last boot with its duration, from the events recorded', async () => {
    const booted = '52:54:00:d1:00:02';
    const timeline = new DbTimeline({ db: t.t.db, logger: quietLogger, flushMs: 5 });
    const at = (ms: number) => new Date(Date.parse('2026-12-06T08:00:00.000Z') + ms);
    timeline.record({ step: 'dhcp.discover', mac: booted, at: at(0), details: { firmware: 'ipxe-bios' } });
    timeline.record({ step: 'dhcp.ack', mac: booted, ip: '10.201.10.7', at: at(40), details: { firmware: 'ipxe-bios' } });
    timeline.record({ step: 'http.file', mac: booted, ip: '10.201.10.7', at: at(13_100), details: { file: 'boot/ipxe', bytes: 500, durationMs: 3, outcome: 'ok' } });
    timeline.record({ step: 'kickstart.fetched', mac: booted, ip: '10.201.10.7', at: at(40_000), details: { outcome: 'served' } });
    await timeline.close();
    const res = await t.app.inject({ method: 'GET', url: `/api/machines/${booted}`, headers: viewer.headers });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { phases: { name: string; from: string; durationMs: number; startAt: string }[] } & MachineDetailResponse;
    expect(body.timeline).toHaveLength(4);
    expect(body.phases.map((p) => [p.from, p.name, p.durationMs])).toEqual([['start', 'dhcp', 40], ['dhcp', 'script', 13_060], ['script', 'kickstart', 26_900]]);
    expect(body.phases[0]!.startAt).toBe('2026-12-06T08:00:00.000Z');
  });
});

describe('a machine whose install failed', () => {
  const failedMac = '52:54:00:d1:00:09';
  const reinstall = (login: Login, m = failedMac) => t.app.inject({ method: 'POST', url: `/api/machines/${m}/reinstall`, headers: login.headers });

  it('is listed and shown as failed with its reason', async () => {
    expect((await t.app.inject({ method: 'PATCH', url: `/api/machines/${failedMac}`, headers: operator.headers, payload: { role: 'node' } })).statusCode).toBe(200);
    await t.t.db.write(`UPDATE machines SET state = 'failed', install_error = 'no report from the installer in 120 minutes' WHERE mac = $1`, [failedMac]);
    const list = await t.app.inject({ method: 'GET', url: '/api/machines', headers: viewer.headers });
    expect((list.json() as { machines: MachineResponse['machine'][] }).machines.find((m) => m.mac === failedMac)).toMatchObject({ state: 'failed', installError: 'no report from the installer in 120 minutes' });
    const shown = await t.app.inject({ method: 'GET', url: `/api/machines/${failedMac}`, headers: viewer.headers });
    expect((shown.json() as MachineDetailResponse).machine).toMatchObject({ state: 'failed', installError: 'no report from the installer in 120 minutes' });
  });

  it('goes back to assigned when an operator reinstalls it, its reason cleared and the action audited; a viewer may not', async () => {
    expect((await reinstall(viewer)).statusCode).toBe(403);
    const before = changes;
    const res = await reinstall(operator);
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as MachineResponse).machine).toMatchObject({ mac: failedMac, state: 'assigned', installError: null });
    const [row] = (await listAudit(t.t.db, 10)).filter((r) => r.action === 'machine.reinstall');
    expect(row).toMatchObject({ actorName: 'oli', targetId: failedMac, details: { installError: 'no report from the installer in 120 minutes' } });
    expect(changes).toBe(before + 1);
  });

  it('refuses to reinstall a machine that has not failed (409 naming its state) and an unknown one (404)', async () => {
    const again = await reinstall(operator);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'CONFLICT', message: `machine ${failedMac} is assigned: only a machine whose install failed can be reinstalled` });
    expect((await reinstall(operator, '52:54:00:d1:00:77')).statusCode).toBe(404);
    expect((await reinstall(operator, 'not-a-mac')).statusCode).toBe(404);
  });
});
