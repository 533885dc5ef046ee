/**
 * The live channel in real Chromium against a real `striker serve` (built by `npm run build`):
 * a machine added through the API in another tab appears on the open Machines page without a
 * reload; jobs ride the same stream (one EventSource per tab, a job's progress moving on the
 * Jobs and job pages with no read); and no page polls — once a page is live, it makes no
 * request over a quiet interval longer than any refresh period the pages used to have, until
 * something changes.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { apiFromPage, open, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
const MAC = '52:54:00:11:22:33';
/** Longer than the longest refresh period the pages had (5 s). */
const QUIET_MS = 7_000;
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-live', users: [{ name: 'admin', role: 'admin', password: PASSWORD }] });
  ({ striker, ui, base } = s);
  t = s.t!;
  await logIn(ui.page, base, 'admin', PASSWORD);
}, 180_000);

afterAll(async () => {
  await s?.close();
});

/** Requests a page makes from now on, except the live streams it holds open. */
function record(page: Page): { urls: string[]; stop(): void } {
  const urls: string[] = [];
  const on = (r: { url(): string }) => {
    const u = new URL(r.url());
    if (u.pathname !== '/api/live') urls.push(u.pathname + u.search);
  };
  page.on('request', on);
  return { urls, stop: () => page.off('request', on) };
}

async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="live"][data-state="live"]').first().waitFor();
}

describe('the live channel', () => {
  it('shows a machine added through the API on the open Machines page, without a reload', async () => {
    const { page, context } = ui;
    await open(page, `${base}/machines`);
    await waitLive(page);
    expect(await page.locator(`tr[data-mac="${MAC}"]`).count()).toBe(0);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
    const other = await context.newPage();
    await open(other, `${base}/jobs`);
    const added = await apiFromPage(other, 'PATCH', `/api/machines/${MAC}`, { role: 'node', hostname: 'an-a01n01' });
    expect(added.status).toBe(200);
    await page.locator(`tr[data-mac="${MAC}"]`).waitFor();
    expect(await page.locator(`tr[data-mac="${MAC}"]`).textContent()).toContain('an-a01n01');
    expect(navigations).toEqual([]);
    await other.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('carries the jobs on the same channel: one EventSource per tab, and a job\'s progress moves on the Jobs page without a read, and on the job page', async () => {
    const { context } = ui;
    const page = await context.newPage();
    // Every EventSource the tab makes, and whether each is still open.
    await page.addInitScript({
      content: `(() => {
        const made = (window.__sources = []);
        const Original = window.EventSource;
        window.EventSource = class extends Original {
          constructor(url, init) { super(url, init); made.push(this); }
        };
      })();`,
    });
    const sources = (): Promise<{ url: string; open: boolean }[]> =>
      page.evaluate('window.__sources.map((s) => ({ url: new URL(s.url).pathname + new URL(s.url).search, open: s.readyState !== 2 }))');
    const streams: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'eventsource') streams.push(new URL(r.url()).pathname);
    });

    // A host job as an agent runs it: running, its progress reported by writes to its row.
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO jobs (kind, target_host, status, progress, started_at, heartbeat_at, worker_id)
       VALUES ('host.inventory', 'live-channel-host', 'running', 10, now(), now(), 'agent:live-channel-host') RETURNING id`,
    );
    const id = rows[0]!.id;
    const bar = page.locator(`tr[data-job-id="${id}"] [role="progressbar"]`);

    await open(page, `${base}/jobs`);
    await waitLive(page);
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe('10');
    const rec = record(page);
    await t.db.query('UPDATE jobs SET progress = 40, heartbeat_at = now() WHERE id = $1', [id]);
    await page.locator(`tr[data-job-id="${id}"] [role="progressbar"][aria-valuenow="40"]`).waitFor();
    rec.stop();
    expect(rec.urls).toEqual([]); // the progress came on the channel, not from a read
    const onJobs = await sources();
    expect(onJobs.filter((s) => s.open)).toHaveLength(1);
    expect(onJobs.find((s) => s.open)!.url).toMatch(/^\/api\/live\?topics=(.*,)?jobs(,|$)/);

    await page.locator(`tr[data-job-id="${id}"] a`).click();
    await page.waitForURL(`${base}/jobs/${id}`);
    await page.locator('[role="progressbar"][aria-valuenow="40"]').first().waitFor();
    await t.db.query('UPDATE jobs SET progress = 70, heartbeat_at = now() WHERE id = $1', [id]);
    await page.locator('[role="progressbar"][aria-valuenow="70"]').first().waitFor();
    expect((await sources()).filter((s) => s.open)).toHaveLength(1);
    expect(new Set(streams)).toEqual(new Set(['/api/live']));
    await t.db.query(`UPDATE jobs SET status = 'succeeded', progress = 100, finished_at = now() WHERE id = $1`, [id]);
    await page.locator('[role="progressbar"][aria-valuenow="100"]').first().waitFor();
    await page.close();
    expect(ui.pageErrors).toEqual([]);
  });

  it('lets no page poll: a live page makes no request over a quiet interval', async () => {
    const { page } = ui;
    const pages = ['/', '/machines', `/machines/${MAC}`, '/strikers', '/alerts', '/repos', '/manifests', '/jobs'];
    const made: Record<string, string[]> = {};
    for (const path of pages) {
      await open(page, `${base}${path}`);
      await waitLive(page);
      await page.waitForLoadState('networkidle');
      const rec = record(page);
      await page.waitForTimeout(QUIET_MS);
      rec.stop();
      made[path] = rec.urls;
    }
    expect(made).toEqual(Object.fromEntries(pages.map((p) => [p, []])));
    // The same pages still react: a change on the open Machines page arrives and is read.
    await open(page, `${base}/machines`);
    await waitLive(page);
    const rec = record(page);
    await apiFromPage(page, 'PATCH', `/api/machines/${MAC}`, { hostname: 'an-a01n02' });
    await page.locator(`tr[data-mac="${MAC}"]`, { hasText: 'an-a01n02' }).waitFor();
    rec.stop();
    expect(rec.urls.some((u) => u.startsWith('/api/machines'))).toBe(true);
  }, 240_000);
});
