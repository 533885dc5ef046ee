/**
 * Honest states in real Chromium against a real `striker serve` (built by `npm run build`): the
 * identity job with host.manage off reads "nothing changed" (recorded, not applied), not a plain
 * success; a directory repo whose directory is missing is refused when added, with the error tied
 * to its field and focus on it; a sync whose directory vanished is titled "Sync <repo>", fails at
 * its first attempt and says "not found" once; the Jobs list filters and pages, with counts, in
 * the URL (reload keeps it); an unknown address gets a real 404 page. Screenshots at both sizes.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleIdentity } from '../../../striker/setup/sample-identity.js';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { apiFromPage, open, screenshots, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
let t: TestDatabase;
let scratch: string;
let env: Record<string, string>;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

const field = (page: Page, id: string) => page.locator(`[id="${id}"]`);
const errorsFor = (page: Page, name: string) => page.locator(`[data-error-for="${name}"]`);
const occurrences = (text: string, part: string) => text.split(part).length - 1;

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-honest', users: [{ name: 'admin', role: 'admin', password: PASSWORD }] });
  ({ striker, ui, base } = s);
  t = s.t!;
  env = s.env;
  scratch = mkdtempSync(join(tmpdir(), 'striker-ui-honest-src-'));
  await logIn(ui.page, base, 'admin', PASSWORD, (url) => url.pathname === '/' || url.pathname.startsWith('/setup'));
}, 120_000);

afterAll(async () => {
  await s?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('honest job states in the UI', () => {
  it('shows the identity job with host.manage off as "nothing changed", recorded and not applied', async () => {
    const { page } = ui;
    const stored = await apiFromPage(page, 'PUT', '/api/setup/identity', sampleIdentity());
    expect(stored.status, JSON.stringify(stored.json)).toBe(201);
    const jobId = (stored.json as { job: { id: string } }).job.id;
    await open(page, `${base}/jobs`);
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await row.locator('[data-testid="job-status"][data-no-change="true"]').waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('job-status').textContent()).toContain('nothing changed');
    expect(await row.textContent()).toContain('recorded, not applied');
    await screenshots(page, '60-jobs-nothing-changed');
    await row.getByRole('link', { name: 'Apply the Striker identity' }).click();
    await page.getByTestId('no-change').waitFor();
    expect(await page.getByTestId('no-change').textContent()).toContain('Succeeded without changing anything: recorded, not applied (host.manage is off');
    // A new page puts focus on its heading.
    expect(await page.evaluate('document.activeElement?.tagName')).toBe('H1');
  });

  it('refuses a missing directory when a repo is added, the error tied to its field and focused', async () => {
    const { page } = ui;
    await open(page, `${base}/repos`);
    const missing = join(scratch, 'no-such-dir');
    await field(page, 'repo-name').fill('typo');
    await field(page, 'repo-kind').selectOption('directory');
    await field(page, 'repo-path').fill(missing);
    await field(page, 'repo-schedule').selectOption('manual');
    await page.getByTestId('add-repo').click();
    await errorsFor(page, 'repo-path').waitFor();
    expect(await errorsFor(page, 'repo-path').textContent()).toContain(`directory ${missing} not found on this Striker`);
    expect(await field(page, 'repo-path').getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await field(page, 'repo-path').getAttribute('aria-describedby')) ?? '';
    expect(describedBy.split(' ')).toContain('repo-path-error-0');
    expect(await page.evaluate('document.activeElement?.id')).toBe('repo-path');
    expect(await page.locator('tr[data-repo="typo"]').count()).toBe(0);
  });

  it('titles a sync with its repo, fails a vanished directory at once and says "not found" once', async () => {
    const { page } = ui;
    const source = join(scratch, 'usb-stick');
    mkdirSync(source);
    await field(page, 'repo-name').fill('usb-baseos');
    await field(page, 'repo-path').fill(source);
    await page.getByTestId('add-repo').click();
    const repoRow = page.locator('tr[data-repo="usb-baseos"]');
    await repoRow.waitFor();
    rmSync(source, { recursive: true });
    await repoRow.getByTestId('sync').click();
    await repoRow.getByTestId('repo-error').waitFor({ timeout: 30_000 });
    const repoText = (await repoRow.textContent()) ?? '';
    expect(occurrences(repoText, 'not found on this Striker')).toBe(1);
    expect(repoText).not.toContain('retrying');
    await open(page, `${base}/jobs`);
    const link = page.getByRole('link', { name: 'Sync usb-baseos' });
    await link.waitFor();
    await link.click();
    await page.getByTestId('job-error').waitFor();
    expect(await page.getByTestId('job-status').textContent()).toContain('failed');
    expect(await page.getByTestId('job-error').textContent()).toContain('Failed after 1 attempt');
    const body = (await page.locator('main').textContent()) ?? '';
    expect(occurrences(body, `directory ${source} not found on this Striker`)).toBe(1);
    await screenshots(page, '61-job-failed-once');
  });

  it('filters the Jobs list by status, kind and target, and pages through it with counts', async () => {
    const { page } = ui;
    // Sixty finished syncs, written as history (never queued, so the runner leaves them alone).
    await t.db.query(`INSERT INTO jobs (kind, payload, subject, status, finished_at, message)
      SELECT 'repo.sync', jsonb_build_object('name', 'bulk-' || lpad(i::text, 2, '0')), 'bulk-' || lpad(i::text, 2, '0'), 'cancelled', now(), 'Cancelled'
        FROM generate_series(0, 59) AS i`);
    await open(page, `${base}/jobs`);
    await page.getByTestId('job-count').waitFor();
    const total = Number((await page.getByTestId('job-count').textContent())!.match(/of (\d+)/)![1]);
    expect(total).toBeGreaterThanOrEqual(62);
    expect(await page.getByTestId('job-count').textContent()).toContain('Jobs 1–50 of');
    expect(await page.getByTestId('job-table').locator('tbody tr').count()).toBe(50);
    await page.getByTestId('next-page').click();
    await page.waitForURL(`${base}/jobs?page=2`);
    await page.getByTestId('job-count').filter({ hasText: 'Jobs 51–' }).waitFor();
    // The second page holds what its own count says (a housekeeping job may have been added since page 1).
    const [, last] = (await page.getByTestId('job-count').textContent())!.match(/Jobs 51–(\d+) of (\d+)/)!;
    expect(Number(last)).toBeGreaterThanOrEqual(total);
    expect(await page.getByTestId('job-table').locator('tbody tr').count()).toBe(Number(last) - 50);
    await screenshots(page, '62-jobs-page-2');

    await field(page, 'job-target').fill('USB');
    await page.getByTestId('apply-filter').click();
    await page.waitForURL(`${base}/jobs?target=USB`);
    await page.getByTestId('job-count').filter({ hasText: 'of 1 matching' }).waitFor();
    expect(await page.getByTestId('job-table').locator('tbody tr a').allTextContents()).toEqual(['Sync usb-baseos']);

    // The live channel is held until the form is filled in: when it opens, the list is read again,
    // and that read must not wipe what the user typed (it did, and the filter applied was empty).
    let openLive: () => void = () => undefined;
    const liveHeld = new Promise<void>((resolve) => (openLive = resolve));
    const isLive = (url: URL) => url.pathname === '/api/live';
    await page.route(isLive, async (route) => {
      await liveHeld;
      await route.continue();
    });
    try {
      await open(page, `${base}/jobs`);
      await page.getByTestId('job-count').waitFor();
      const options = await field(page, 'job-status').locator('option').allTextContents();
      expect(options).toContain('cancelled (60)');
      expect(options).toContain('failed (1)');
      await field(page, 'job-status').selectOption('cancelled');
      await field(page, 'job-kind').selectOption('repo.sync');
      await field(page, 'job-target').fill('bulk-5');
      const reread = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/jobs' && r.request().method() === 'GET');
      openLive();
      await reread;
      await page.locator('[data-testid="live"][data-state="live"]').first().waitFor();
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    } finally {
      await page.unroute(isLive);
    }
    expect(await field(page, 'job-status').inputValue()).toBe('cancelled');
    expect(await field(page, 'job-kind').inputValue()).toBe('repo.sync');
    expect(await field(page, 'job-target').inputValue()).toBe('bulk-5');
    await page.getByTestId('apply-filter').click();
    await page.waitForURL(/status=cancelled&kind=repo.sync&target=bulk-5/);
    await page.getByTestId('job-count').filter({ hasText: 'of 10 matching' }).waitFor();
    // The filter lives in the URL: a reload shows the same list, and the form says what it is.
    await page.reload();
    await page.getByTestId('job-count').filter({ hasText: 'of 10 matching' }).waitFor();
    expect(await field(page, 'job-status').inputValue()).toBe('cancelled');
    expect(await field(page, 'job-target').inputValue()).toBe('bulk-5');
    const titles = await page.getByTestId('job-table').locator('tbody tr a').allTextContents();
    expect(titles.every((x) => /^Sync bulk-5\d$/.test(x))).toBe(true);
    await screenshots(page, '63-jobs-filtered');
  });

  it('answers an unknown address with a real 404 page that leads on', async () => {
    const { page } = ui;
    await open(page, `${base}/no-such-page`);
    await page.getByTestId('error-page').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    expect(await page.getByTestId('error-page').textContent()).toContain('There is no page at /no-such-page');
    await screenshots(page, '64-not-found');
    await page.getByRole('link', { name: 'Go to Jobs' }).click();
    await page.waitForURL(`${base}/jobs`);
  });
});
