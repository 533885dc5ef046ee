/**
 * Every page of the UI, in real Chromium against a real `striker serve` (built by `npm run
 * build`) holding stored data (a machine, a manifest and a run, a host's readings and scores, an
 * alert, jobs), so no page is audited empty. The routes are listed from ui/src/routes: a page
 * added there without a URL here fails the test, and so does one not visited. Each page is
 * audited by axe-core at 1280×800 and 390×844 (no serious or critical violation) and saved as
 * test-artifacts/screenshots/<route>-<size>.png; no page is wider than the window. The host page's plots (health, temperature, fans,
 * power, UPS charge and runtime) and the Jobs page's throughput plot draw the stored series.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../../support/axe-audit.js';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { apiFromPage, NARROW, open, SCREENSHOT_DIR, WIDE, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';
import { saveHealthScore, saveReadings } from '../../../cluster/scancore/readings-store.js';
import type { TimedReading } from '../../../cluster/scancore/reading.js';
import { sampleManifest } from '../../../striker/manifest/sample-manifest.js';

const PASSWORD = 'correct horse battery';
const MACHINE = '52:54:00:a1:00:01';
const HOST = '52-54-00-a1-00-01';
const ROUTES_DIR = join(process.cwd(), 'ui', 'src', 'routes');
const SIZES = [{ name: '1280x800', ...WIDE }, { name: '390x844', ...NARROW }];
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

/** Every page route under ui/src/routes, as SvelteKit names it (`/machines/[mac]`). */
function pageRoutes(dir = ROUTES_DIR): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...pageRoutes(path));
    else if (entry === '+page.svelte') found.push(`/${relative(ROUTES_DIR, dir).split(sep).join('/')}`.replace(/\/$/, '') || '/');
  }
  return found.sort();
}

/** A route's file name in the screenshots: `/machines/[mac]` → `machines-mac`. */
const slug = (route: string) => (route === '/' ? 'dashboard' : route.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, ''));

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-audit', users: [{ name: 'admin', role: 'admin', password: PASSWORD }] });
  ({ striker, ui, base } = s);
  t = s.t!;
}, 180_000);

afterAll(async () => {
  await s?.close();
});

async function login(page: Page): Promise<void> {
  await logIn(page, base, 'admin', PASSWORD);
}

/** Stored data for every page: a machine, a manifest and its run, a host's readings and scores, an alert. */
async function seed(page: Page): Promise<{ manifestId: string; runId: string; jobId: string }> {
  // The sample manifest's machines, registered first (a manifest names only known machines).
  for (const [mac, role] of [[MACHINE, 'node'], ['52:54:00:a1:00:02', 'node'], ['52:54:00:a1:00:03', 'dr']] as const) {
    expect((await apiFromPage(page, 'PATCH', `/api/machines/${mac}`, { role })).status).toBe(200);
  }
  const created = await apiFromPage(page, 'POST', '/api/manifests', sampleManifest());
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const manifestId = (created.json as { manifest: { id: string } }).manifest.id;
  const { rows: [run] } = await t.db.query<{ id: string }>(
    `INSERT INTO manifest_runs (manifest_id, revision, document, jobs) SELECT id, '0123456789abcdef0123', document, '[]' FROM manifests WHERE id = $1 RETURNING id`,
    [manifestId],
  );
  const now = Date.now();
  const readings: TimedReading[] = [];
  for (let m = 120; m >= 0; m -= 5) {
    const at = now - m * 60_000;
    readings.push({ hostId: HOST, agent: 'ipmi', metric: 'ipmi.temperature', subject: 'CPU1', value: 40 + (m % 7), unit: 'C', status: 'ok', at, since: now - 2 * 3_600_000 });
    readings.push({ hostId: HOST, agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value: 6000 + m, unit: 'RPM', status: 'ok', at, since: now - 2 * 3_600_000 });
    readings.push({ hostId: HOST, agent: 'ups', metric: 'ups.charge', subject: 'ups1', value: 100 - m / 10, unit: '%', status: 'ok', at, since: now - 2 * 3_600_000 });
    readings.push({ hostId: HOST, agent: 'ups', metric: 'ups.runtime', subject: 'ups1', value: 3000 - m, unit: 's', status: 'ok', at, since: now - 2 * 3_600_000 });
    readings.push({ hostId: HOST, agent: 'ipmi', metric: 'ipmi.power', subject: 'PSU1', value: 200 + m, unit: 'W', status: 'ok', at, since: now - 2 * 3_600_000 });
  }
  await saveReadings(t.db, readings);
  await saveHealthScore(t.db, { hostId: HOST, score: 2, reasons: [{ condition: 'ups-on-battery', weight: 2, subject: 'ups1', text: 'UPS ups1 is on battery' }] }, now);
  await t.db.query(
    `INSERT INTO alerts (source, host, key, level, message_key, state, state_since, raised_at) VALUES ('scancore', 'an-a01n01', 'ups1.battery', 'warning', 'ups.on_battery', 'raised', now(), now())`,
  );
  // A job that ended (the Jobs list, a job's page and the throughput plot).
  const { rows: [job] } = await t.db.query<{ id: string }>(
    `INSERT INTO jobs (kind, status, progress, started_at, finished_at) VALUES ('maintenance.purge', 'succeeded', 100, now() - interval '1 minute', now()) RETURNING id`,
  );
  return { manifestId, runId: run!.id, jobId: job!.id };
}

describe('every page', () => {
  it('is visited at both sizes, saved as screenshots, with no serious or critical axe violation', async () => {
    const { page } = ui;
    await login(page);
    const ids = await seed(page);
    const urls: Record<string, string> = {
      '/': '/',
      '/alerts': '/alerts',
      '/alerts/settings': '/alerts/settings',
      // No pair or server is stored here: the lists' empty states and the pages' honest "not found"
      // (test/e2e/ui/anvils.test.ts and servers.test.ts show them with data).
      '/anvils': '/anvils',
      '/anvils/[name]': '/anvils/an-anvil-99',
      '/servers': '/servers',
      '/files': '/files',
      '/servers/[name]': '/servers/no-such-server',
      '/hosts/[name]': `/hosts/${HOST}`,
      '/jobs': '/jobs',
      '/jobs/[id]': `/jobs/${ids.jobId}`,
      '/login': '/login',
      '/machines': '/machines',
      '/machines/[mac]': `/machines/${MACHINE}`,
      '/manifests': '/manifests',
      '/manifests/[id]/fencing': `/manifests/${ids.manifestId}/fencing`,
      '/manifests/[id]/hosts': `/manifests/${ids.manifestId}/hosts`,
      '/manifests/[id]/networks': `/manifests/${ids.manifestId}/networks`,
      '/manifests/[id]/pair': `/manifests/${ids.manifestId}/pair`,
      '/manifests/[id]/power': `/manifests/${ids.manifestId}/power`,
      '/manifests/[id]/review': `/manifests/${ids.manifestId}/review`,
      '/manifests/[id]/runs/[runId]': `/manifests/${ids.manifestId}/runs/${ids.runId}`,
      '/repos': '/repos',
      '/scancore': '/scancore',
      '/session-expired': '/session-expired',
      '/settings': '/settings',
      '/settings/kickstart': '/settings/kickstart',
      '/settings/pxe': '/settings/pxe',
      '/setup': '/setup',
      '/strikers': '/strikers',
      '/users': '/users',
    };
    const routes = pageRoutes();
    expect(routes.filter((r) => !(r in urls)), 'routes with no URL to visit: add them to this test').toEqual([]);

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const visited: string[] = [];
    const violations: string[] = [];
    // The 404 page too; the login page last (it ends the session).
    const order = [...routes.filter((r) => r !== '/login'), '(404)', '/login'];
    for (const route of order) {
      if (route === '/login') {
        await page.getByTestId('logout').click();
        await page.waitForURL(/\/login/);
      } else {
        await open(page, `${base}${route === '(404)' ? '/no-such-page' : urls[route]}`);
      }
      await page.locator('main h1, h1').first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      // The plots draw the stored series: the host's metrics and score, the jobs ended per hour.
      const plots: [string, RegExp][] = route === '/hosts/[name]'
        ? [['health', /now 2\b/], ['ipmi.temperature', /CPU1: now 4\d/], ['ipmi.fan', /FAN1: now 60\d\d/], ['ipmi.power', /PSU1: now 2\d\d/], ['ups.charge', /ups1: now (100|9\d)/], ['ups.runtime', /ups1: now (29|30)\d\d/]]
        : route === '/jobs' ? [['jobs', /highest [1-9]/]] : [];
      for (const [metric, summary] of plots) {
        const plot = page.getByTestId(`plot-${metric}`);
        await plot.waitFor();
        expect(Number(await plot.getAttribute('data-points')), `${route} plot-${metric}`).toBeGreaterThan(0);
        expect(await plot.innerText(), `${route} plot-${metric}`).toMatch(summary);
      }
      for (const size of SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height });
        // Nothing makes the page wider than the window (the navigation included).
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        if (width > size.width) violations.push(`${route} @${size.name}: the page is ${width} px wide`);
        for (const v of await seriousViolations(page)) {
          violations.push(`${route} @${size.name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        }
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${route === '(404)' ? 'not-found' : slug(route)}-${size.name}.png`), fullPage: true });
      }
      await page.setViewportSize(WIDE);
      visited.push(route);
    }
    expect(routes.filter((r) => !visited.includes(r)), 'routes not visited').toEqual([]);
    expect(violations, violations.join('\n')).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  }, 600_000);
});
