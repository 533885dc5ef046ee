/**
 * The hostile-media corpus (test/support/hostile-media.ts: an ISO mastered with xorriso and a
 * createrepo_c repo directory, both carrying the hostile entry set) through a real
 * `striker serve` (built by `npm run build`): the ISO imported by the API's `repo.import-iso`
 * job and the repo directory mirrored and published by its `repo.sync` job, each job saying what
 * it dropped or refused. Then every corpus path is fetched over HTTP under /trees/<name>/ and
 * /repos/<name>/, without and with a session, each with /api/health fired alongside: nothing
 * outside the tree is ever served, refused entries are 404, health answers every time. Last, real
 * Chromium logged in as the admin opens every served file carrying script, from the tree and
 * from the repo: no script runs and the users list and audit log show no write.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rename, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insideText, privateTexts } from '../support/hostile-files.js';
import { makeHostileIso, makeHostileRepoDir, type HostileIso, type HostileRepoDir } from '../support/hostile-media.js';
import { buildRpms, makeUpstreamRepo } from '../support/rpm-build.js';
import { startServeAsAdmin, type ServeProcess } from '../support/striker-process.js';
import { launchUi, open, type UiBrowser } from '../support/ui-browser.js';

const PASSWORD = 'a long admin password';
const MARKER = `PWNED${randomBytes(4).toString('hex').toUpperCase()}`;
const CSP = "default-src 'none'; sandbox";
const TREE = '/trees/hostile';
const REPO = '/repos/hostile-repo';
let dir: string;
let iso: HostileIso;
let repo: HostileRepoDir;
let striker: ServeProcess;
let headers: Record<string, string>;
let ui: UiBrowser | undefined;
/** Text that must never appear in any answer: both secrets, the database's passwords, /etc/shadow's lines. */
let forbidden: string[] = [];

interface JobDetail {
  job: { id: string; status: string; attempts: number; lastError: string | null };
  messages: { level: string; text: string }[];
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const r = await fetch(`${striker.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, json: (await r.json()) as T };
}

/** Starts a job through the API and waits until it has finished. */
async function runJob(path: string, body: unknown): Promise<JobDetail> {
  const started = await api<{ job: { id: string } }>('POST', path, body);
  expect(started.status, JSON.stringify(started.json)).toBe(202);
  for (let i = 0; i < 600; i++) {
    const detail = (await api<JobDetail>('GET', `/api/jobs/${started.json.job.id}`)).json;
    if (['succeeded', 'failed', 'cancelled'].includes(detail.job.status)) return detail;
    await sleep(250);
  }
  throw new Error(`job ${started.json.job.id} (${path}) did not finish`);
}

interface Fetched {
  status: number;
  body: Buffer;
  health: number;
  headers: Headers;
}

/** GET `path` with /api/health fired at the same moment. */
async function fetchWithHealth(path: string, withSession: boolean, extra: Record<string, string> = {}): Promise<Fetched> {
  const [r, health] = await Promise.all([
    fetch(`${striker.url}${path}`, { headers: { ...extra, ...(withSession ? { cookie: headers['cookie']! } : {}) } }),
    fetch(`${striker.url}/api/health`),
  ]);
  await health.arrayBuffer();
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()), health: health.status, headers: r.headers };
}

function expectNothingForbidden(r: Fetched, label: string): void {
  const text = r.body.toString('latin1');
  for (const f of forbidden) expect(text.includes(f), `${label} must not serve ${f.slice(0, 12)}…`).toBe(false);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-hostile-media-e2e-'));
  [iso, repo] = await Promise.all([makeHostileIso(join(dir, 'iso'), { marker: MARKER }), makeHostileRepoDir(join(dir, 'repo'), { marker: MARKER })]);
  const env = { STRIKER_DATA_DIR: join(dir, 'var'), STRIKER_JOBS__POLL_SECONDS: '0.2' };
  ({ striker, headers } = await startServeAsAdmin(env, PASSWORD));
  forbidden = await privateTexts(join(dir, 'var'), [iso.secretText.trim(), repo.secretText.trim()]);
}, 300_000);

afterAll(async () => {
  await ui?.close();
  await striker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile media through a running appliance', () => {
  it('the import job drops every hostile entry xorriso extracted and says so', async () => {
    const detail = await runJob('/api/repos/import', { path: iso.iso, name: 'hostile' });
    expect(detail.job, JSON.stringify(detail)).toMatchObject({ status: 'succeeded', lastError: null });
    const extracted = iso.dropped.filter((p) => !iso.notExtracted.includes(p));
    const warning = detail.messages.filter((m) => m.level === 'warn' && m.text.startsWith('Dropped'));
    expect(warning).toHaveLength(1);
    expect(warning[0]!.text).toContain(`Dropped ${extracted.length} unsafe entries from the ISO (never served)`);
    for (const p of extracted) expect(warning[0]!.text, p).toContain(`${p} (`);
    expect(warning[0]!.text).toContain('hostile/e (symlink: it resolves to /, outside the tree)');
    expect(warning[0]!.text).toContain(`hostile/abs-secret (symlink: it resolves to ${iso.secretFile}, outside the tree)`);
    expect(warning[0]!.text).toContain('hostile/fifo (fifo: a FIFO is never served)');
    // The tree as recorded lists the same entries.
    const { trees } = (await api<{ trees: { name: string; tree: { dropped: { path: string }[] } }[] }>('GET', '/api/trees')).json;
    expect(trees.find((t) => t.name === 'hostile')?.tree.dropped.map((d) => d.path)).toEqual(extracted);
  });

  it('the sync job publishes what the metadata lists and nothing hostile, and refuses a listed link leaving the directory', async () => {
    expect((await api('POST', '/api/repos', { name: 'hostile-repo', source: { kind: 'directory', path: repo.repoDir } })).status).toBe(201);
    const detail = await runJob('/api/repos/hostile-repo/sync', {});
    expect(detail.job, JSON.stringify(detail)).toMatchObject({ status: 'succeeded', lastError: null });
    expect(detail.messages.some((m) => /^Published snapshot \S+: 1 packages/.test(m.text))).toBe(true);
    // A mirror copies only what its metadata lists, so the hostile entries never reach the snapshot
    // and the publish step had nothing to drop.
    expect(detail.messages.filter((m) => m.text.startsWith('Dropped'))).toEqual([]);
    const { repo: record } = (await api<{ repo: { lastResult: { packageCount: number; metadata: string; dropped: unknown[] } } }>('GET', '/api/repos/hostile-repo')).json;
    expect(record.lastResult).toMatchObject({ packageCount: 1, metadata: 'verbatim', dropped: [] });

    // A repo whose listed package is a link to a file outside the directory: refused by name. (A
    // package of its own: one already in the store from an earlier sync is never read again.)
    const linked = join(dir, 'repo', 'linked-repo');
    await makeUpstreamRepo(linked, await buildRpms(join(dir, 'repo', 'linked-rpms'), [{ name: 'delta', version: '4.2' }]));
    const href = 'Packages/delta-4.2-1.noarch.rpm';
    const outside = join(dir, 'repo', 'outside-package.rpm');
    await rename(join(linked, href), outside);
    await symlink(outside, join(linked, href));
    expect((await api('POST', '/api/repos', { name: 'linked-repo', source: { kind: 'directory', path: linked } })).status).toBe(201);
    const refused = await runJob('/api/repos/linked-repo/sync', {});
    const why = /delta-4\.2-1\.noarch\.rpm under .*linked-repo: leaves the tree \(resolves to .*outside-package\.rpm\); refusing to read it/;
    // Refused on purpose: retrying cannot help, so the job fails at its first attempt.
    expect(refused.job).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(why) });
    expect((await api<{ repo: { lastError: string | null } }>('GET', '/api/repos/linked-repo')).json.repo.lastError).toMatch(why);
    expect((await fetch(`${striker.url}/repos/linked-repo/${href}`)).status).toBe(404);
  });

  it('serves nothing outside the tree and never blocks, for every corpus path, without and with a session', async () => {
    const originalTreeinfo = await readFile(join(iso.treeDir, '.treeinfo'));
    const treeTruncated = await readFile(join(iso.treeDir, 'hostile', 'truncated', '.treeinfo'));
    expect(treeTruncated.equals(originalTreeinfo.subarray(0, Math.floor(originalTreeinfo.length / 2)))).toBe(true);
    const seen = new Set<number>();
    for (const withSession of [false, true]) {
      const check = async (path: string, extra: Record<string, string> = {}): Promise<Fetched> => {
        const r = await fetchWithHealth(path, withSession, extra);
        const label = `${path} (session: ${withSession})`;
        expect(r.health, label).toBe(200);
        expectNothingForbidden(r, label);
        seen.add(r.status);
        return r;
      };
      for (const [prefix, corpus] of [[TREE, iso], [REPO, repo]] as const) {
        // Dropped entries and paths through links leaving the tree: never served.
        for (const tail of [...corpus.dropped, ...corpus.refused.map((p) => p.tail)]) {
          expect((await check(`${prefix}/${tail}`)).status, `${prefix}/${tail}`).toBe(404);
        }
      }
      // The tree keeps what is safe: links inside, truncated metadata as it is, scripted files inert.
      for (const { tail, what } of iso.inside) {
        const r = await check(`${TREE}/${tail}`);
        expect(r.status, what).toBe(200);
        expect(r.body.toString()).toBe(insideText);
      }
      for (const tail of ['hostile/truncated/.treeinfo', 'hostile/good-dirlink/.treeinfo']) {
        const r = await check(`${TREE}/${tail}`);
        expect(r.status, tail).toBe(200);
        expect(r.body.equals(treeTruncated), tail).toBe(true);
      }
      const repomdHalf = await check(`${TREE}/hostile/truncated/repodata/repomd.xml`);
      expect(repomdHalf.status).toBe(200);
      expect(repomdHalf.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      for (const tail of iso.scripted) {
        const r = await check(`${TREE}/${tail}`);
        expect(r.status, tail).toBe(200);
        expect(r.headers.get('content-security-policy'), tail).toBe(CSP);
        expect(r.headers.get('x-content-type-options'), tail).toBe('nosniff');
        expect(['text/plain; charset=utf-8', 'application/octet-stream'], tail).toContain(r.headers.get('content-type'));
      }
      // The huge sparse file: the last bytes by Range, while health answers.
      const { path: hugePath, bytes } = iso.huge;
      const tail = await check(`${TREE}/${hugePath}`, { range: `bytes=${bytes - 16}-` });
      expect(tail.status).toBe(206);
      expect(tail.headers.get('content-range')).toBe(`bytes ${bytes - 16}-${bytes - 1}/${bytes}`);
      expect(tail.body.equals(Buffer.alloc(16))).toBe(true);
      expect((await check(`${TREE}/${hugePath}`, { range: `bytes=${bytes}-` })).status).toBe(416);
      // The repo publishes only what its metadata lists: nothing under hostile/, kept or not.
      for (const tail of [...repo.kept, ...repo.inside.map((p) => p.tail)]) {
        expect((await check(`${REPO}/${tail}`)).status, `${REPO}/${tail}`).toBe(404);
      }
      // …but the metadata's own scripted files are published as upstream wrote them, inert.
      for (const href of repo.scriptedMetadata) {
        const r = await check(`${REPO}/${href}`);
        expect(r.status, href).toBe(200);
        expect(r.headers.get('content-security-policy'), href).toBe(CSP);
        expect(r.body.toString(), href).toContain(MARKER);
      }
      expect((await check(`${REPO}/${repo.packageHref}`)).status).toBe(200);
      expect((await check(`${TREE}/.treeinfo`)).body.equals(originalTreeinfo)).toBe(true);
    }
    expect([...seen].sort()).toEqual([200, 206, 404, 416]);
  });

  it('runs no script from any served file in a logged-in admin\'s browser, and nothing is written', async () => {
    ui = await launchUi();
    const { page, context } = ui;
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    await open(page, `${striker.url}/login`);
    await page.locator('[id="username"]').fill('admin');
    await page.locator('[id="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${striker.url}/`);
    const usersBefore = (await api<{ users: unknown[] }>('GET', '/api/users')).json.users;
    const auditBefore = (await api<{ entries: unknown[] }>('GET', '/api/audit?limit=1000')).json.entries;

    // Leave the UI first, so its own API calls (the jobs list, the live stream) are over.
    await page.goto('about:blank');
    const apiRequests: string[] = [];
    context.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/')) apiRequests.push(`${r.method()} ${r.url()}`);
    });
    const urls = [...iso.scripted.map((t) => `${TREE}/${t}`), ...repo.scriptedMetadata.map((h) => `${REPO}/${h}`)];
    const downloaded: string[] = [];
    for (const path of urls) {
      const url = `${striker.url}${path}`;
      if ((await fetch(url, { method: 'HEAD' })).headers.get('content-type') === 'application/octet-stream') {
        // Unknown types are downloaded, never rendered.
        const [download] = await Promise.all([page.waitForEvent('download'), page.goto(url).catch(() => null)]);
        expect(download.suggestedFilename()).toBe(path.split('/').pop());
        await download.cancel();
        downloaded.push(path);
        continue;
      }
      const response = await page.goto(url, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(200);
      expect(response?.headers()['content-security-policy'], path).toBe(CSP);
      // The attack script is there as text (so the browser did get it) but never ran: a script runs
      // during parsing or at load, before goto resolves, and would have set the title.
      expect(await page.content(), path).toContain(MARKER);
      expect(await page.title(), path).not.toContain(MARKER);
    }
    // Only the file with no extension is downloaded; every other one was rendered above.
    expect(downloaded).toEqual(urls.filter((u) => u.endsWith('/noext')));
    // No served file asked the API for anything (not even the session the script reads first).
    expect(apiRequests).toEqual([]);
    expect(consoleLines.filter((l) => l.includes(MARKER))).toEqual([]);
    expect(ui.pageErrors.filter((e) => e.includes(MARKER))).toEqual([]);
    // The session still works afterwards.
    await open(page, `${striker.url}/jobs`);
    expect(await page.getByTestId('logout').count()).toBe(1);

    expect((await api<{ users: unknown[] }>('GET', '/api/users')).json.users).toEqual(usersBefore);
    expect((await api<{ entries: unknown[] }>('GET', '/api/audit?limit=1000')).json.entries).toEqual(auditBefore);
  });
});
