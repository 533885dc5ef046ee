/**
 * The Servers page in real Chromium against a real `striker serve` (built, `npm run build`) with a
 * stored pair (its install manifest) and no lab: the create form's errors appear beside their
 * fields (a bad name, no vCPUs, a pair that does not exist, a network the pair lacks) and nothing
 * is created; a valid request lists the server with its provisioning step and a link to its
 * provisioning job, whose page opens. A server page that cannot load says so. A live change that
 * reaches the dashboard while the Servers page it was left for is loading does not lose the click.
 * The dashboard lists each server, its pair and where it runs, and follows a change live.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestSchema, sampleManifest } from '../../../striker/manifest/index.js';
import { splitSecrets } from '../../../striker/manifest/manifest-secrets.js';
import { insertManifest } from '../../../striker/manifest/manifest-store.js';
import type { ServeProcess } from '../../support/striker-process.js';
import type { TestDatabase } from '../../support/test-database.js';
import { open, screenshots, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

const field = (page: Page, id: string) => page.locator(`[id="${id}"]`);
const errorsFor = (page: Page, name: string) => page.locator(`[data-error-for="${name}"]`);

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-servers', users: [{ name: 'admin', role: 'admin', password: PASSWORD }] });
  ({ striker, ui, base } = s);
  t = s.t!;
  const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
  await insertManifest(t.db, { name: 'an-anvil-01', sequence: 1, document });
}, 180_000);

afterAll(async () => {
  await s?.close();
});

async function login(page: Page): Promise<void> {
  await logIn(page, base, 'admin', PASSWORD);
}

describe('the Servers page', () => {
  it('is reached from the dashboard even when a live change arrives while it loads', async () => {
    const { page } = ui;
    await login(page);
    await page.locator('[data-testid="live"][data-state="live"]').waitFor();
    // The live channel's messages as the browser received them (DevTools protocol: Playwright has no SSE events).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const changes: string[] = [];
    cdp.on('Network.eventSourceMessageReceived', (m: { eventName: string; data: string }) => {
      if (m.eventName === 'change') changes.push(m.data);
    });
    // The Servers page's read is held until the dashboard has been told of a new machine: the
    // dashboard reads again on that change, and SvelteKit would abort the navigation in flight.
    let held = false;
    await page.route('**/api/servers', async (route) => {
      if (!held) {
        held = true;
        await t.db.write(`INSERT INTO machines (mac, role, state, hostname) VALUES ('52:54:00:aa:bb:01', 'node', 'installed', 'an-a09n01')`);
        await expect.poll(() => changes.some((c) => c.includes('52:54:00:aa:bb:01')), { timeout: 15_000 }).toBe(true);
      }
      await route.continue();
    });
    try {
      await page.getByRole('link', { name: 'Servers' }).first().click();
      await page.waitForURL(`${base}/servers`);
      await page.getByTestId('no-servers').waitFor();
      expect(held).toBe(true);
    } finally {
      await page.unroute('**/api/servers');
      await cdp.detach();
    }
  });

  it('ties each refused field to its error, then lists a created server with its provisioning job', async () => {
    const { page } = ui;
    await login(page);
    await page.getByRole('link', { name: 'Servers' }).first().click();
    await page.waitForURL(`${base}/servers`);
    await page.getByTestId('no-servers').waitFor();

    await field(page, 'server-name').fill('1 bad name');
    await field(page, 'server-anvil').fill('an-anvil-09');
    await field(page, 'server-vcpus').fill('0');
    await page.getByTestId('server-create').click();
    await expect(errorsFor(page, 'server-name').first().textContent()).resolves.toContain('must be a server name');
    await expect(errorsFor(page, 'server-vcpus').first().textContent()).resolves.toContain('at least 1');
    await expect(errorsFor(page, 'server-anvil').first().textContent()).resolves.toContain('names no pair');
    await expect(field(page, 'server-name').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(field(page, 'server-name').getAttribute('aria-describedby')).resolves.toBe('server-name-error-0');

    await field(page, 'server-name').fill('srv01-web');
    await field(page, 'server-anvil').fill('an-anvil-01');
    await field(page, 'server-vcpus').fill('2');
    await field(page, 'server-networks').fill('ifn1 mn1');
    await page.getByTestId('server-create').click();
    await expect(errorsFor(page, 'server-networks').first().textContent()).resolves.toMatch(/IFN or BCN/);
    expect(await page.getByTestId('server-row').count()).toBe(0);

    await field(page, 'server-networks').fill('ifn1 bcn1');
    await field(page, 'server-os').fill('rhel9.4');
    await page.getByTestId('server-create').click();
    await page.getByTestId('server-created').waitFor();
    const row = page.locator('tr[data-name="srv01-web"]');
    await row.waitFor();
    await expect(row.getByTestId('server-provisioning').textContent()).resolves.toMatch(/allocated|rendered/);
    await screenshots(page, 'servers');

    await row.getByTestId('server-job-link').click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await expect(page.locator('body').textContent()).resolves.toContain('srv01-web');

    await open(page, `${base}/servers/srv01-web`);
    await expect(page.getByTestId('server-state').textContent()).resolves.toBe('provisioning');
    await expect(page.getByTestId('server-migrate').isDisabled()).resolves.toBe(true);

    await open(page, `${base}/servers/no-such-server`);
    await expect(page.locator('body').textContent()).resolves.toMatch(/server no-such-server/);
  });

  it('shows on the dashboard each server and where it runs, live', async () => {
    const { page } = ui;
    await open(page, `${base}/`);
    const panel = page.getByTestId('panel-servers');
    const provisioning = panel.locator('[data-testid="dashboard-server"][data-server="srv01-web"]');
    await provisioning.waitFor();
    expect(await provisioning.getByTestId('server-where').textContent()).toMatch(/^provisioning \((allocated|rendered|node2|node1|rolled-back)\)$/);
    expect(await provisioning.textContent()).toContain('an-anvil-01');
    await page.locator('[data-testid="live"][data-state="live"]').waitFor();
    // A second server, provisioned and running on node2 as the cluster reported it, written after
    // the page was read: the dashboard shows it and where it runs without a reload.
    await t.db.write(`INSERT INTO servers (name, anvil, vcpus, memory_mib, disk_gib, os_variant, networks, hosts, drbd_minor, drbd_port, state, running_on, provision_step)
      SELECT 'srv02-db', anvil, vcpus, memory_mib, disk_gib, os_variant, networks, hosts, drbd_minor + 1, drbd_port + 3, 'running', 'an-a01n02', 'done' FROM servers WHERE name = 'srv01-web'`);
    const running = panel.locator('[data-testid="dashboard-server"][data-server="srv02-db"]');
    await running.waitFor({ timeout: 15_000 });
    expect(await running.getByTestId('server-where').textContent()).toBe('running on an-a01n02');
    expect(await running.getByRole('link', { name: 'srv02-db' }).getAttribute('href')).toBe('/servers/srv02-db');
    await screenshots(page, 'dashboard-servers');
    expect(ui.pageErrors).toEqual([]);
  });
});
