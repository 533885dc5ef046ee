/**
 * A server's ISOs named by file: `POST /api/servers` takes an uploaded ISO's name or id for
 * `installIso` and `driverIso` (unknown, or not an ISO: a 400 naming the field, nothing written),
 * stores the file's path in files.hostDirectory and the row it came from, and provisioning waits
 * for that row's fetch on each node. A path stays a path.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoFetchWaits, parseFilesConfig } from '../files/index.js';
import { insertFile } from '../files/files-store.js';
import { issueCredentialAtRegistration } from '../../striker/agent/index.js';
import { catalogOf } from '../../striker/jobs/job-kind.js';
import { jobsByIds } from '../../striker/jobs/job-store.js';
import { hostIdOfMachine, manifestSchema, sampleManifest } from '../../striker/manifest/index.js';
import { splitSecrets } from '../../striker/manifest/manifest-secrets.js';
import { insertManifest } from '../../striker/manifest/manifest-store.js';
import { addUser, createTestApp, loginAs, type Login, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase } from '../../test/support/test-database.js';
import { serverCreateJobKind } from './provision-job.js';
import { parseServersConfig } from './servers-config.js';
import { serversRoutes, type ServerJobResponse } from './servers-routes.js';
import { getServer } from './servers-store.js';

const files = parseFilesConfig({ hostDirectory: '/srv/striker-files' });
let t: TestApp;
let operator: Login;
let node1: string;
let node2: string;
const iso = { id: randomUUID(), name: 'AlmaLinux-9.4-x86_64-dvd.iso' };
const drivers = { id: randomUUID(), name: 'virtio-win.iso' };
const script = { id: randomUUID(), name: 'post-install.sh' };

beforeAll(async () => {
  const database = await createTestDatabase();
  const catalog = catalogOf([serverCreateJobKind({ db: database.db, config: parseServersConfig({ volumeGroup: 'vg0' }), isoWaits: isoFetchWaits(files) })]);
  t = await createTestApp({ catalog, plugins: [(app) => serversRoutes(app, { db: database.db, catalog, files })] }, database);
  await addUser(t, 'oli', 'operator');
  operator = await loginAs(t, 'oli');
  const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
  await insertManifest(database.db, { name: 'an-anvil-01', sequence: 1, document });
  node1 = hostIdOfMachine(document.hosts.node1.machine);
  node2 = hostIdOfMachine(document.hosts.node2.machine);
  for (const id of [node1, node2]) await database.db.tx((tx) => issueCredentialAtRegistration(tx, id, '127.0.0.1'));
  for (const [f, kind] of [[iso, 'iso'], [drivers, 'iso'], [script, 'script']] as const) {
    await database.db.tx((tx) => insertFile(tx, { ...f, kind, sizeBytes: 1000, sha256: 'a'.repeat(64), uploadedBy: null }));
  }
}, 60_000);
afterAll(async () => t?.close());

const create = (over: Record<string, unknown>) => t.app.inject({
  method: 'POST', url: '/api/servers', headers: operator.headers,
  payload: { name: 'srv01', anvil: 'an-anvil-01', vcpus: 1, memoryMiB: 512, diskGiB: 4, ...over },
});

describe("a server's ISOs named by file", () => {
  it('refuses an unknown file, a file that is not an ISO and a bad reference with a 400 naming the field, and writes nothing', async () => {
    const res = await create({ installIso: 'Nothing-9.iso', driverIso: script.name });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.problems).toEqual([
      { path: 'body.installIso', message: "names no uploaded file — got 'Nothing-9.iso' (see GET /api/files)" },
      { path: 'body.driverIso', message: 'names post-install.sh, a script file, not an ISO' },
    ]);
    const unknownId = await create({ installIso: randomUUID() });
    expect(unknownId.json().error.details.problems.map((p: { path: string }) => p.path)).toEqual(['body.installIso']);
    const bad = await create({ installIso: 'two words.iso', driverIso: '/srv/../etc/passwd' });
    expect(bad.json().error.details.problems.map((p: { path: string; message: string }) => [p.path, p.message])).toEqual([
      ['body.installIso', "must be the name or id of an uploaded ISO (see GET /api/files), or an absolute path on the nodes — got 'two words.iso'"],
      ['body.driverIso', "must not contain a .. step — got '/srv/../etc/passwd'"],
    ]);
    expect((await t.app.inject({ method: 'GET', url: '/api/servers/srv01', headers: operator.headers })).statusCode).toBe(404);
  });

  it("stores the file's path on the hosts and its row (by name and by id), and provisioning waits for that row on each node", async () => {
    const res = await create({ installIso: iso.name, driverIso: drivers.id });
    expect(res.statusCode, res.body).toBe(202);
    const { server } = res.json() as ServerJobResponse;
    expect(server).toMatchObject({
      installIso: `/srv/striker-files/${iso.name}`, installIsoFile: iso.id, driverIso: '/srv/striker-files/virtio-win.iso', driverIsoFile: drivers.id,
    });
    const row = await getServer(t.t.db, 'srv01');
    const waits = await t.t.db.tx((tx) => isoFetchWaits(files)(tx, row, [node1, node2]));
    for (const hostId of [node1, node2]) {
      const jobs = await jobsByIds(t.t.db, waits.get(hostId)!);
      expect(jobs.map((j) => [j.kind, j.targetHost, (j.payload as { fileId: string }).fileId]).sort()).toEqual(
        [['file.fetch', hostId, iso.id], ['file.fetch', hostId, drivers.id]].sort(),
      );
      expect(jobs.every((j) => (j.payload as { directory: string }).directory === '/srv/striker-files')).toBe(true);
    }
    // A path stays the operator's own: no file, nothing waited for.
    const byPath = await create({ name: 'srv02', installIso: '/mnt/own/rhel.iso' });
    expect(byPath.statusCode).toBe(202);
    const srv02 = await getServer(t.t.db, 'srv02');
    expect(srv02).toMatchObject({ installIso: '/mnt/own/rhel.iso', installIsoFile: null });
    expect((await t.t.db.tx((tx) => isoFetchWaits(files)(tx, srv02, [node1]))).get(node1)).toEqual([]);
  });
});
