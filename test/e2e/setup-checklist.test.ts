/**
 * The dashboard's setup checklist on the real HTTP app and PostgreSQL, with every area wired as
 * `striker serve` wires it: each step flips from undone to done as the real state it reads
 * changes (an imported tree, a synced repo, the root password set through the API, a machine
 * seen by PXE, a manifest), and the checklist is complete once they all are. PXE is switched on
 * through PUT /api/settings/pxe (on loopback) and runs at once, with no restart; bad settings and a
 * reserved address outside the PXE network are refused with the field named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areaPlugins, type Areas } from '../../striker/app/areas.js';
import type { SetupChecklistResponse } from '../../striker/setup/index.js';
import { buildJobCatalog } from '../../striker/app/job-catalog.js';
import { loadConfig } from '../../striker/app/config/load-config.js';
import { DbTimeline } from '../../striker/machines/index.js';
import { parsePxeConfig } from '../../pxe/index.js';
import { insertRepo, recordSync, recordTree } from '../../repo-sync/repo-store.js';
import { repoConfigSchema, type InstallationTree, type SyncResult } from '../../repo-sync/index.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../support/test-app.js';
import { createTestDatabase, quietLogger } from '../support/test-database.js';

let dir: string;
let areas: Areas;
let t: TestApp;
let admin: Login;
let manifests = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-checklist-'));
  const database = await createTestDatabase();
  const file = loadConfig({ env: { STRIKER_DATA_DIR: dir } });
  // PXE off in the file; when switched on from the API it answers on loopback at unprivileged ports.
  const pxe = parsePxeConfig({ dhcp: { interfaceBinding: 'none', ports: { server: 16967, client: 16968, proxy: 14911 } }, tftp: { port: 0 }, ipv6RouterAdvertisements: 'off' }, 'http://127.0.0.1:8080');
  const config = { ...file, pxe };
  areas = await areaPlugins({ config, db: database.db, logger: quietLogger, manifestCount: async () => manifests });
  const catalog = buildJobCatalog(database.db, areas.jobKinds);
  t = await createTestApp({ config, catalog, plugins: areas.plugins.map((p) => (app: FastifyInstance) => p(app, catalog)) }, database);
  await addUser(t, 'admin', 'admin');
  await addUser(t, 'view', 'viewer');
  admin = await loginAs(t, 'admin');
}, 120_000);

afterAll(async () => {
  await areas?.stop();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function checklist(headers = admin.headers): Promise<SetupChecklistResponse> {
  const res = await t.app.inject({ method: 'GET', url: '/api/setup/checklist', headers });
  expect(res.statusCode).toBe(200);
  return res.json<SetupChecklistResponse>();
}

const doneOf = (c: SetupChecklistResponse) => Object.fromEntries(c.steps.map((s) => [s.id, s.done]));

const tree: InstallationTree = {
  kind: 'installation-tree', name: 'alma-9.4-x86_64', snapshotId: 'snap-1', family: 'AlmaLinux', version: '9.4', arch: 'x86_64',
  kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', efiLoaders: [], repos: [{ id: 'BaseOS', path: 'BaseOS', packageCount: 1 }], bytes: 1,
};

describe('GET /api/setup/checklist', () => {
  it('starts with every step undone, in order, and the first one next', async () => {
    const c = await checklist();
    expect(c.steps.map((s) => s.id)).toEqual(['media', 'repos', 'root-password', 'pxe', 'machines', 'manifest']);
    expect(c.steps.every((s) => !s.done)).toBe(true);
    expect(c).toMatchObject({ next: 'media', complete: false });
  });

  it('is readable by a viewer and refused without a session', async () => {
    const viewer = await loginAs(t, 'view');
    expect((await checklist(viewer.headers)).next).toBe('media');
    expect((await t.app.inject({ method: 'GET', url: '/api/setup/checklist' })).statusCode).toBe(401);
  });

  it('marks OS media imported once an installation tree exists', async () => {
    await recordTree(t.t.db, tree, '/srv/alma.iso');
    const c = await checklist();
    expect(doneOf(c).media).toBe(true);
    expect(c.steps[0]!.detail).toContain('alma-9.4-x86_64');
    expect(c.next).toBe('repos');
  });

  it('marks repos synced only once a repo has a successful sync', async () => {
    await insertRepo(t.t.db, repoConfigSchema.parse({ name: 'baseos', source: { kind: 'directory', path: '/srv/baseos' } }));
    expect(doneOf(await checklist()).repos).toBe(false);
    await recordSync(t.t.db, 'baseos', null, { error: 'not a repo' });
    expect(doneOf(await checklist()).repos).toBe(false);
    await recordSync(t.t.db, 'baseos', null, { result: { packages: 1 } as unknown as SyncResult });
    const c = await checklist();
    expect(doneOf(c).repos).toBe(true);
    expect(c.next).toBe('root-password');
  });

  it('marks the root password set once an admin sets it through PUT /api/settings/kickstart', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/settings/kickstart', headers: admin.headers, payload: { rootPassword: 'a long root password' } });
    expect(put.statusCode).toBe(200);
    const c = await checklist();
    expect(doneOf(c)['root-password']).toBe(true);
    expect(c.next).toBe('pxe');
  });

  it('keeps extra root SSH keys and installer kernel arguments in the kickstart settings, refusing a bad key by its index', async () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExtraKeyOne admin@laptop';
    const put = await t.app.inject({ method: 'PUT', url: '/api/settings/kickstart', headers: admin.headers, payload: { rootSshKeys: [key], kernelArgs: ['console=ttyS0,115200', 'inst.text'] } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ settings: { rootSshKeys: [key], kernelArgs: ['console=ttyS0,115200', 'inst.text'], rootPasswordSet: true } });
    const bad = await t.app.inject({ method: 'PUT', url: '/api/settings/kickstart', headers: admin.headers, payload: { rootSshKeys: [key, 'not a key'], kernelArgs: ['two words'] } });
    expect(bad.statusCode).toBe(400);
    const paths = (bad.json() as { error: { details: { problems: { path: string }[] } } }).error.details.problems.map((p) => p.path);
    expect(paths).toEqual(['body.rootSshKeys.1', 'body.kernelArgs.0']);
  });

  it('refuses PXE settings naming an interface the host lacks or a range outside the subnet, field by field', async () => {
    const bad = await t.app.inject({ method: 'PUT', url: '/api/settings/pxe', headers: admin.headers, payload: { enabled: true, interface: 'h1-none0', address: '127.0.0.1', subnet: '127.0.0.0/8', mode: 'full', rangeStart: '127.0.10.1', rangeEnd: '128.0.0.9' } });
    expect(bad.statusCode).toBe(400);
    const problems = (bad.json() as { error: { details: { problems: { path: string; message: string }[] } } }).error.details.problems;
    expect(problems.map((p) => p.path)).toEqual(['body.interface', 'body.rangeEnd']);
    expect(problems[0]!.message).toMatch(/^h1-none0 is not an interface of this host \(it has: /);
    expect((await t.app.inject({ method: 'PUT', url: '/api/settings/pxe', headers: admin.headers, payload: { enabled: 'yes' } })).statusCode).toBe(400);
    expect(doneOf(await checklist()).pxe).toBe(false);
  });

  it('turns PXE on from PUT /api/settings/pxe without a restart', async () => {
    const interfaces = await t.app.inject({ method: 'GET', url: '/api/network/interfaces', headers: admin.headers });
    expect(interfaces.json<{ interfaces: { name: string; ipv4: string[] }[] }>().interfaces).toContainEqual(expect.objectContaining({ name: 'lo', ipv4: ['127.0.0.1/8'] }));
    const settings = { enabled: true, interface: 'lo', address: '127.0.0.1', subnet: '127.0.0.0/8', mode: 'full', rangeStart: '127.0.10.1', rangeEnd: '127.0.10.9' };
    const put = await t.app.inject({ method: 'PUT', url: '/api/settings/pxe', headers: admin.headers, payload: settings });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ source: 'settings', running: settings, saved: settings });
    const status = await t.app.inject({ method: 'GET', url: '/api/pxe/status', headers: admin.headers });
    expect(status.json()).toMatchObject({ enabled: true, interface: 'lo', address: '127.0.0.1' });
    const c = await checklist();
    expect(doneOf(c).pxe).toBe(true);
    expect(c.next).toBe('machines');
  });

  it('refuses a reserved address outside the PXE network when it is entered', async () => {
    const res = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0a:01:08', headers: admin.headers, payload: { role: 'node', reservedIp: '10.201.10.1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { details: { problems: [{ path: 'body.reservedIp', message: '10.201.10.1 is outside the PXE network 127.0.0.0/8: a machine booting there could never get it' }] } } });
    const inside = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0a:01:08', headers: admin.headers, payload: { role: 'node', reservedIp: '127.0.20.1' } });
    expect(inside.statusCode).toBe(200);
  });

  it('marks nodes powered on once PXE has seen a machine, not when one is only described', async () => {
    const described = await t.app.inject({ method: 'PATCH', url: '/api/machines/52:54:00:0a:01:09', headers: admin.headers, payload: { role: 'node' } });
    expect(described.statusCode).toBe(200);
    expect(doneOf(await checklist()).machines).toBe(false);
    const timeline = new DbTimeline({ db: t.t.db, logger: quietLogger });
    timeline.record({ step: 'dhcp.discover', mac: '52:54:00:0a:01:01', at: new Date(), details: {} });
    await timeline.close();
    const c = await checklist();
    expect(doneOf(c).machines).toBe(true);
    expect(c.steps.find((s) => s.id === 'machines')!.detail).toBe('1 seen, 0 installed.');
  });

  it('marks the pair described once a manifest exists', async () => {
    manifests = 1;
    const c = await checklist();
    expect(doneOf(c).manifest).toBe(true);
    // Every step done: the checklist is complete (the dashboard then hides it).
    expect(c).toMatchObject({ complete: true, next: null });
    expect(c.steps.every((s) => s.done)).toBe(true);
  });
});
