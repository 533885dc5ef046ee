/**
 * The web UI in real Chromium when the database goes away under a running `striker serve` (its
 * embedded PostgreSQL, killed by the pid in `<dataDir>/postgres/postmaster.pid`): the Jobs page
 * says what failed — message, code, request id — with a retry, and never shows "No jobs yet" or
 * an empty list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServeProcess } from '../../support/striker-process.js';
import { apiFromPage, open, screenshots, type UiBrowser, startUiStriker, type UiStriker } from '../../support/ui-browser.js';
import { isAlive } from '../../../striker/core/process-probe.js';

const ADMIN_PASSWORD = 'correct horse battery';
let dataDir: string;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;
let jobId: string;

/** The embedded PostgreSQL's postmaster, from the first line of its pid file. */
function postmasterPid(): number {
  const pid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`no postmaster pid under ${dataDir}/postgres`);
  return pid;
}

const loadError = (page: Page) => page.getByTestId('load-error');

beforeAll(async () => {
  // No database URL: serve starts its embedded PostgreSQL under the data dir.
  s = await startUiStriker({ name: 'striker-ui-dbdown', database: 'embedded', logLevel: null });
  ({ striker, ui, base, dataDir } = s);
});

afterAll(async () => {
  await s?.close();
});

describe('web UI with the database down', () => {
  it('lists a job while the database is up', async () => {
    const { page } = ui;
    await open(page, `${base}/setup`);
    await page.locator('[id="username"]').fill('admin');
    await page.locator('[id="password"]').fill(ADMIN_PASSWORD);
    await page.locator('[id="confirm"]').fill(ADMIN_PASSWORD);
    await page.getByTestId('next').click();
    await page.locator('form[data-step="host"]').waitFor();
    // An import of a missing ISO: a real job that fails quickly.
    const started = await apiFromPage(page, 'POST', '/api/repos/import', { path: '/nonexistent/striker-test.iso' });
    expect(started.status).toBe(202);
    jobId = (started.json as { job: { id: string } }).job.id;
    await open(page, `${base}/jobs`);
    await page.locator(`tr[data-job-id="${jobId}"]`).waitFor();
    await page.getByTestId('live').filter({ hasText: 'Live' }).waitFor();
    expect(await loadError(page).count()).toBe(0);
  });

  it('shows what failed, with a retry, when the jobs cannot be read', async () => {
    const { page } = ui;
    const pid = postmasterPid();
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => isAlive(pid), { timeout: 15_000 }).toBe(false);

    // Away and back inside the app: the Jobs loader runs again and its read fails.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Repos' }).click();
    await page.waitForURL(`${base}/repos`);
    await loadError(page).first().waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    await page.waitForURL(`${base}/jobs`);
    const failed = loadError(page);
    await failed.waitFor();
    const text = (await failed.textContent()) ?? '';
    expect(text).toContain('Could not load the jobs.');
    expect(text).toMatch(/INTERNAL|DATABASE_UNAVAILABLE/);
    const requestId = await failed.getByTestId('request-id').textContent();
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.getByText('No jobs yet').count()).toBe(0);
    expect(await page.locator('tr[data-job-id]').count()).toBe(0);
    await screenshots(page, 'db-down-jobs');

    // Retry reads again (a new request id) and, the database still being down, says so again.
    await failed.getByTestId('retry').click();
    await expect.poll(() => failed.getByTestId('request-id').textContent()).not.toBe(requestId);
    expect(await page.getByText('No jobs yet').count()).toBe(0);
    expect(ui.pageErrors).toEqual([]);
  });

  it('a fresh load of the page gets the app, which shows what failed, not an empty list', async () => {
    const { page } = ui;
    // The session cannot be looked up with the database gone; the server still hands out the app,
    // and the app's own first question (who is logged in) fails visibly.
    const answer = await page.reload();
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-type']).toContain('text/html');
    const failed = loadError(page);
    await failed.first().waitFor();
    const text = (await failed.first().textContent()) ?? '';
    expect(text).toMatch(/INTERNAL|DATABASE_UNAVAILABLE/);
    expect(await failed.first().getByTestId('request-id').textContent()).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.getByText('No jobs yet').count()).toBe(0);
    expect(await page.locator('tr[data-job-id]').count()).toBe(0);
    expect(ui.pageErrors).toEqual([]);
  });
});
