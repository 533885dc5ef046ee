/**
 * Uploading OS media through the browser, in real Chromium against a real `striker serve`: an ISO
 * mastered by the test fixtures (xorriso) goes up in 256 KiB chunks; one chunk's connection is
 * reset and one chunk is damaged on the way (both sent again by the page), the page is reloaded
 * halfway and the same file chosen again goes on from where the Striker stood (no byte sent
 * twice from the start); the bar's percent and the text's percent agree at every sample; the
 * Striker checks the SHA-256, imports the ISO and the tree appears. A second upload is cancelled
 * and its bytes discarded.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManyRpms } from '../../support/rpm-build.js';
import { makeInstallTree, masterIso } from '../../support/rpm-iso-tree.js';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { open, screenshots, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
const CHUNK = 256 * 1024;
let t: TestDatabase;
let dataDir: string;
let scratch: string;
let iso: string;
let env: Record<string, string>;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-upload', env: { STRIKER_REPOS__UPLOAD_CHUNK_BYTES: String(CHUNK) }, users: [{ name: 'ops', role: 'operator', password: PASSWORD }] });
  ({ striker, ui, base, dataDir } = s);
  t = s.t!;
  env = s.env;
  scratch = mkdtempSync(join(tmpdir(), 'striker-ui-upload-iso-'));
  iso = join(scratch, 'TestLinux-9.9-x86_64-dvd.iso');
  const files = await buildManyRpms(scratch, 'uplpkg', 5, '1.0', 20_000);
  await makeInstallTree(join(scratch, 'tree'), { baseOs: files.slice(0, 3), appStream: files.slice(3, 5) });
  await masterIso(join(scratch, 'tree'), iso);
}, 180_000);

afterAll(async () => {
  await s?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function login(page: Page): Promise<void> {
  await logIn(page, base, 'ops', PASSWORD);
}

/** The bar's percent and the percent in the text, read at the same instant. */
async function shownPercents(page: Page): Promise<[number, number] | null> {
  return page.evaluate(`(() => {
    const bar = document.querySelector('[data-testid="upload-progress"] [role="progressbar"]');
    const m = /\\((\\d+)%\\)/.exec(document.querySelector('[data-testid="upload-text"]')?.textContent ?? '');
    return bar && m ? [Number(bar.getAttribute('aria-valuenow')), Number(m[1])] : null;
  })()`);
}

/** Waits until the text of the element with `testId` matches `pattern`. */
async function textMatches(page: Page, testId: string, pattern: RegExp, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    ({ testId, source }) => new RegExp(source).test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector(`[data-testid="${testId}"]`)?.textContent ?? ''),
    { testId, source: pattern.source },
    { timeout },
  );
}

describe('uploading OS media in the browser', () => {
  it('survives a reset connection, a damaged chunk and a reload, then imports the checksummed ISO', async () => {
    const { page } = ui;
    await login(page);
    const size = statSync(iso).size;
    const chunks = Math.ceil(size / CHUNK);
    expect(chunks).toBeGreaterThan(6);

    // What the browser sent: the start offset of every PUT that reached the Striker.
    const starts: number[] = [];
    let puts = 0;
    let reloadAfter: (() => void) | undefined;
    const reloadDue = new Promise<void>((resolve) => (reloadAfter = resolve));
    await page.route('**/api/media/uploads/*', async (route: Route) => {
      const req = route.request();
      if (req.method() !== 'PUT') return route.continue();
      puts += 1;
      if (puts === 2) return route.abort('connectionreset');
      const start = Number(/bytes (\d+)-/.exec(req.headers()['content-range'] ?? '')?.[1]);
      if (puts === 4) {
        // One byte flipped on the way; the chunk's digest no longer matches.
        const body = Buffer.from(req.postDataBuffer()!);
        body[10] = body[10]! ^ 0xff;
        return route.continue({ postData: body });
      }
      starts.push(start);
      await route.continue();
      if (puts === 6) reloadAfter!();
    });

    await open(page, `${base}/repos`);
    await page.locator('[id="media-file"]').setInputFiles(iso);
    await page.getByTestId('upload').click();
    const samples: [number, number][] = [];
    const sampling = setInterval(() => void shownPercents(page).then((s) => s && samples.push(s), () => {}), 50);
    await reloadDue;
    clearInterval(sampling);
    await page.reload();
    await page.locator('body[data-hydrated]').waitFor();
    // The unfinished upload is listed with what the Striker holds.
    const listed = page.locator('[data-testid="open-uploads"] li[data-upload="TestLinux-9.9-x86_64-dvd.iso"]');
    await listed.waitFor();
    expect(await listed.textContent()).toMatch(/on the Striker/);
    const beforeResume = starts.length;

    await page.locator('[id="media-file"]').setInputFiles(iso);
    await page.getByTestId('upload').click();
    const sampling2 = setInterval(() => void shownPercents(page).then((s) => s && samples.push(s), () => {}), 50);
    await page.getByTestId('upload-notice').filter({ hasText: 'Uploaded' }).waitFor({ timeout: 60_000 });
    clearInterval(sampling2);

    // Resumed: the first chunk after the reload started past zero, where the Striker stood.
    const resumedAt = starts[beforeResume]!;
    expect(resumedAt).toBeGreaterThan(0);
    expect(starts.filter((s) => s === 0)).toHaveLength(1);
    expect(await page.getByTestId('upload-text').textContent()).toContain('resumed');
    // Bar and text agree at every sample, and the end shows 100%.
    expect(samples.length).toBeGreaterThan(0);
    for (const [bar, text] of samples) expect(bar).toBe(text);
    expect(await shownPercents(page)).toEqual([100, 100]);
    const sha = createHash('sha256').update(readFileSync(iso)).digest('hex');
    expect(await page.getByTestId('upload-notice').textContent()).toContain(sha);

    // The import runs and the tree appears.
    const job = page.getByTestId('import-job');
    await textMatches(page, 'import-job', /succeeded|failed/, 90_000);
    expect(await job.textContent()).toContain('succeeded');
    const tree = page.locator('tr[data-tree^="testlinux-"]');
    await tree.waitFor();
    expect(await tree.textContent()).toContain('TestLinux 9.9 x86_64');
    await screenshots(page, '22d-repos-media-uploaded');
    // The file was kept under the media tree only, checksummed as uploaded.
    const mediaFiles = readdirSync(join(dataDir, 'media'), { recursive: true }).map(String);
    expect(mediaFiles.some((f) => f.endsWith('/TestLinux-9.9-x86_64-dvd.iso'))).toBe(true);
    expect(mediaFiles.some((f) => f.endsWith('.part'))).toBe(false);
    await page.unroute('**/api/media/uploads/*');
  }, 240_000);

  it('cancels an upload: the bytes are discarded and it is no longer offered for resuming', async () => {
    const { page } = ui;
    const other = join(scratch, 'Other-9.9-x86_64-dvd.iso');
    copyFileSync(iso, other);
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let puts = 0;
    // The third chunk is held until the cancel was clicked.
    await page.route('**/api/media/uploads/*', async (route: Route) => {
      if (route.request().method() === 'PUT' && ++puts === 3) await held;
      await route.continue().catch(() => {});
    });
    await open(page, `${base}/repos`);
    await page.locator('[id="media-file"]').setInputFiles(other);
    await page.getByTestId('upload').click();
    await page.getByTestId('upload-cancel').waitFor();
    await textMatches(page, 'upload-done', /[1-9]\d*(\.\d+)? (kB|MB)/);
    await page.getByTestId('upload-cancel').click();
    release!();
    await page.getByTestId('upload-notice').filter({ hasText: 'Cancelled the upload of Other-9.9-x86_64-dvd.iso' }).waitFor();
    await page.unroute('**/api/media/uploads/*');
    await page.reload();
    await page.locator('body[data-hydrated]').waitFor();
    expect(await page.locator('li[data-upload="Other-9.9-x86_64-dvd.iso"]').count()).toBe(0);
    const parts = existsSync(join(dataDir, 'media', 'uploads')) ? readdirSync(join(dataDir, 'media', 'uploads')) : [];
    expect(parts).toEqual([]);
  }, 120_000);
});
