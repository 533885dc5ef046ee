/**
 * Hostile files in what a real `striker serve` (built by `npm run build`) serves: a repo synced
 * through the API and an installation tree, each with hostile files placed directly in the served
 * directory (as if sync or import had let them through): symlink chains and absolute links to a
 * secret outside the tree, the data dir's postgres.json and /etc/shadow; FIFOs, a socket, devices.
 * Fetched over HTTP without and with a session: nothing outside the tree is served, and health
 * answers during every case. Then real Chromium, logged in as the admin, opens every served
 * XML/XHTML/SVG/HTML file carrying a script that would create an admin through the API: the
 * script never runs (no title change, no console line, no API request) and the users list and
 * audit log show no write.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../striker/core/command/run-command.js';
import { activeDocuments, insideText, layHostileEntries, privateTexts, type HostileSet } from '../support/hostile-files.js';
import { buildRpms } from '../support/rpm-build.js';
import { runStriker, startServeAsAdmin, type ServeProcess } from '../support/striker-process.js';
import { launchUi, open, type UiBrowser } from '../support/ui-browser.js';

const PASSWORD = 'a long admin password';
const SECRET = `TOPSECRET-${randomBytes(8).toString('hex')}`;
const MARKER = 'PWNED';
let dir: string;
let dataDir: string;
let env: Record<string, string>;
let striker: ServeProcess;
let headers: Record<string, string>;
let ui: UiBrowser | undefined;
const planted: HostileSet[] = [];
/** Bytes that must never appear in any answer: the secret, the database password, /etc/shadow's lines. */
let forbidden: string[] = [];
const prefixes = ['/repos/local', '/trees/hostile'];

async function fetchWithHealth(path: string, withSession: boolean): Promise<{ status: number; body: string; health: number; contentType: string | null }> {
  const [r, health] = await Promise.all([
    fetch(`${striker.url}${path}`, withSession ? { headers: { cookie: headers['cookie']! } } : {}),
    fetch(`${striker.url}/api/health`),
  ]);
  return { status: r.status, body: await r.text(), health: health.status, contentType: r.headers.get('content-type') };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-hostile-e2e-'));
  dataDir = join(dir, 'var');
  await mkdir(join(dir, 'outside'), { recursive: true });
  await writeFile(join(dir, 'outside', 'secret.txt'), SECRET);
  const upstream = join(dir, 'upstream');
  await mkdir(upstream, { recursive: true });
  for (const f of await buildRpms(join(dir, 'build'), [{ name: 'alpha', version: '1.0' }])) await runCommand(['cp', f, upstream], { timeoutMs: 10_000 });
  await runCommand(['createrepo_c', '--quiet', upstream], { timeoutMs: 60_000 });
  env = { STRIKER_DATA_DIR: dataDir, STRIKER_JOBS__POLL_SECONDS: '0.2' };
  ({ striker, headers } = await startServeAsAdmin(env, PASSWORD));

  // A repo published by a real sync…
  expect((await runStriker(['repo', 'add', 'local', '--dir', upstream], env)).code).toBe(0);
  const sync = await fetch(`${striker.url}/api/repos/local/sync`, { method: 'POST', headers, body: '{}' });
  const { job } = (await sync.json()) as { job: { id: string } };
  let status = '';
  for (let i = 0; i < 240 && !['succeeded', 'failed', 'cancelled'].includes(status); i++) {
    await sleep(250);
    status = ((await (await fetch(`${striker.url}/api/jobs/${job.id}`, { headers })).json()) as { job: { status: string } }).job.status;
  }
  expect(status).toBe('succeeded');
  const snapshot = await realpath(join(dataDir, 'repos', 'published', 'local', 'current'));
  // …and a tree laid out as import lays it out (<trees>/<name> -> .snapshots/<id>).
  const tree = join(dataDir, 'trees', '.snapshots', 'hostile-1');
  await mkdir(tree, { recursive: true });
  await writeFile(join(tree, '.treeinfo'), '[general]\nname = Hostile\n');
  await symlink('.snapshots/hostile-1', join(dataDir, 'trees', 'hostile'));

  const postgresJson = join(dataDir, 'postgres.json');
  forbidden = await privateTexts(dataDir, [SECRET]);
  expect(forbidden.length).toBeGreaterThan(2);
  for (const d of [snapshot, tree]) {
    planted.push(await layHostileEntries(d, join(dir, 'outside', 'secret.txt'), { marker: MARKER, alsoLinkTo: { 'postgres.json': postgresJson, shadow: '/etc/shadow' } }));
  }
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await striker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile files in a running appliance', () => {
  it('serves nothing outside the tree and never blocks, without and with a session', async () => {
    for (const withSession of [false, true]) {
      for (const prefix of prefixes) {
        for (const { tail, what } of planted[0]!.refused) {
          const r = await fetchWithHealth(`${prefix}/${tail}`, withSession);
          const label = `${prefix}/${tail} (${what}, session: ${withSession})`;
          expect(r.health, label).toBe(200);
          expect(r.status, label).toBe(404);
          for (const f of forbidden) expect(r.body.includes(f), label).toBe(false);
        }
        for (const { tail, what } of planted[0]!.inside) {
          const r = await fetchWithHealth(`${prefix}/${tail}`, withSession);
          expect(r.status, what).toBe(200);
          expect(r.body).toBe(insideText);
        }
      }
    }
    // The real content is still served.
    expect((await fetchWithHealth('/repos/local/repodata/repomd.xml', false)).status).toBe(200);
    expect((await fetchWithHealth('/trees/hostile/.treeinfo', false)).body).toContain('Hostile');
  });

  it('runs no script from any served document in a logged-in admin\'s browser', async () => {
    ui = await launchUi();
    const { page, context } = ui;
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    await open(page, `${striker.url}/login`);
    await page.locator('[id="username"]').fill('admin');
    await page.locator('[id="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${striker.url}/`);
    const usersBefore = ((await (await fetch(`${striker.url}/api/users`, { headers })).json()) as { users: { username: string }[] }).users;

    // Leave the UI first, so its own API calls (the jobs list, the live stream) are over.
    await page.goto('about:blank');
    const apiRequests: string[] = [];
    context.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) apiRequests.push(`${r.method()} ${r.url()}`);
    });
    const documents = Object.keys(activeDocuments(MARKER));
    for (const prefix of prefixes) {
      for (const name of documents) {
        const url = `${striker.url}${prefix}/${name}`;
        if ((await fetch(url, { method: 'HEAD' })).headers.get('content-type') === 'application/octet-stream') {
          // Unknown types are downloaded, never rendered.
          const [download] = await Promise.all([page.waitForEvent('download'), page.goto(url).catch(() => null)]);
          expect(download.suggestedFilename()).toBe(name);
          await download.cancel();
          continue;
        }
        const response = await page.goto(url, { waitUntil: 'load' });
        expect(response?.status(), name).toBe(200);
        expect(response?.headers()['content-security-policy']).toBe("default-src 'none'; sandbox");
        // Scripts in a parsed document run during parsing or at load, before goto resolves.
        expect(await page.title(), `${prefix}/${name}`).not.toContain(MARKER);
      }
    }
    // No served document asked the API for anything (not even the session the script reads first).
    expect(apiRequests).toEqual([]);
    // The session still works afterwards.
    await open(page, `${striker.url}/jobs`);
    expect(await page.getByTestId('logout').count()).toBe(1);
    expect(consoleLines.filter((l) => l.includes(MARKER))).toEqual([]);
    expect(ui.pageErrors.filter((e) => e.includes(MARKER))).toEqual([]);

    const users = ((await (await fetch(`${striker.url}/api/users`, { headers })).json()) as { users: { username: string }[] }).users;
    expect(users.map((u) => u.username)).toEqual(usersBefore.map((u) => u.username));
    const audit = (await (await fetch(`${striker.url}/api/audit?limit=1000`, { headers })).json()) as { entries: unknown[] };
    expect(JSON.stringify(audit.entries).toLowerCase()).not.toContain(MARKER.toLowerCase());
  });
});
