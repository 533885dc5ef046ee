/**
 * The dashboard in real Chromium against a real `striker serve` (built by `npm run build`) on a
 * fresh database: login lands on it, the setup checklist starts at importing OS media with every
 * step undone, and setting the kickstart root password in the UI (reached from the checklist's
 * link; a short one refused beside its field) moves the checklist on. The PXE settings page lists
 * the host's real interfaces. A node's scan (a UPS on battery, its health score) and an alert
 * stored while the dashboard is open appear on it without a reload; a cleared alert is not open.
 * Once every step is done (PXE switched on through the API on loopback only, at free ports) the
 * checklist goes, the last step done while the page is open. Screenshots at 1280×800 and 390 wide.
 */
import { createSocket } from 'node:dgram';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { sampleIdentity } from '../../../striker/setup/sample-identity.js';
import { apiFromPage, NARROW, open, screenshots, type UiBrowser, startUiStriker, type UiStriker } from '../../support/ui-browser.js';
import { saveHealthScore, saveReadings } from '../../../cluster/scancore/readings-store.js';
import type { TimedReading } from '../../../cluster/scancore/reading.js';
import { insertRepo, recordSync, recordTree } from '../../../repo-sync/repo-store.js';
import { repoConfigSchema, type InstallationTree, type SyncResult } from '../../../repo-sync/index.js';
import { manifestSchema, sampleManifest } from '../../../striker/manifest/index.js';
import { splitSecrets } from '../../../striker/manifest/manifest-secrets.js';
import { insertManifest } from '../../../striker/manifest/manifest-store.js';

const PASSWORD = 'correct horse battery';
const HOST = '52-54-00-d4-00-01';
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

const step = (page: Page, id: string) => page.locator(`[data-testid="checklist"] [data-step="${id}"]`);

/** A UDP port free on loopback now (PXE's DHCP ports for this Striker, so they meet no other test's). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  // PXE, once switched on from the API, answers on loopback only (bound to `lo`), at free ports.
  const [server, client, proxy] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const env = {
    STRIKER_PXE__DHCP__PORTS__SERVER: String(server), STRIKER_PXE__DHCP__PORTS__CLIENT: String(client), STRIKER_PXE__DHCP__PORTS__PROXY: String(proxy),
    STRIKER_PXE__TFTP__PORT: '0', STRIKER_PXE__IPV6_ROUTER_ADVERTISEMENTS: 'off',
  };
  s = await startUiStriker({ name: 'striker-ui-dash', users: [{ name: 'admin', role: 'admin', password: PASSWORD }], env });
  ({ striker, ui, base } = s);
  t = s.t!;
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('the dashboard', () => {
  it('is where login lands, with the setup checklist at its first step', async () => {
    const { page } = ui;
    await open(page, `${base}/login`);
    await page.locator('[id="username"]').fill('admin');
    await page.locator('[id="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
    const checklist = page.getByTestId('checklist');
    await checklist.waitFor();
    expect(await checklist.getAttribute('data-next')).toBe('media');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    const steps = await checklist.locator('[data-step]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.getAttribute('data-done')]));
    expect(steps).toEqual([['media', 'false'], ['repos', 'false'], ['root-password', 'false'], ['pxe', 'false'], ['machines', 'false'], ['manifest', 'false']]);
    await expect(step(page, 'media').getByRole('link', { name: 'Import OS media' }).getAttribute('href')).resolves.toBe('/repos');
    // Each panel reads on its own and none failed.
    for (const panel of ['panel-strikers', 'panel-machines', 'panel-jobs', 'panel-repos', 'panel-pxe']) await page.getByTestId(panel).waitFor();
    expect(await page.getByTestId('load-error').count()).toBe(0);
    expect(await page.getByTestId('panel-pxe').textContent()).toContain('off');
    // Before the wizard this Striker has no name or address to show: the panel says where to set them.
    expect(await page.getByTestId('self-host-name').textContent()).toBe('This Striker');
    expect(await page.getByTestId('self-addresses').textContent()).toContain('run the setup wizard');
    expect(await page.getByTestId('self-detail').textContent()).toMatch(/Node id s[0-9a-f]{12}/);
    await screenshots(page, '60-dashboard-fresh');
    expect(ui.pageErrors).toEqual([]);
  });

  it('moves the checklist on when the root password is set in the UI', async () => {
    const { page } = ui;
    await step(page, 'root-password').getByRole('link', { name: 'Set the kickstart root password' }).click();
    await page.waitForURL(`${base}/settings/kickstart`);
    expect(await page.getByTestId('root-password-state').getAttribute('data-set')).toBe('false');

    // Too short: refused beside its field, nothing stored.
    await page.locator('[id="rootPassword"]').fill('short');
    await page.locator('[id="confirm"]').fill('short');
    await page.getByTestId('kickstart-save').click();
    await expect(page.locator('[data-error-for="rootPassword"]').textContent()).resolves.toContain('must be at least 8 characters');
    expect(await page.locator('[id="rootPassword"]').getAttribute('aria-invalid')).toBe('true');
    await screenshots(page, '61-kickstart-settings-error');

    await page.locator('[id="rootPassword"]').fill('a long enough root password');
    await page.locator('[id="confirm"]').fill('a long enough root password');
    await page.locator('[id="timezone"]').fill('America/Toronto');
    await page.getByTestId('kickstart-save').click();
    await page.getByTestId('kickstart-saved').waitFor();
    await page.locator('[data-testid="root-password-state"][data-set="true"]').waitFor();
    // The secret is never sent back: the field is empty and the page says only that it is set.
    expect(await page.locator('[id="rootPassword"]').inputValue()).toBe('');
    await screenshots(page, '62-kickstart-settings-set');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(`${base}/`);
    await page.locator('[data-testid="checklist"] [data-step="root-password"][data-done="true"]').waitFor();
    expect(await step(page, 'pxe').getAttribute('data-done')).toBe('false');
    await screenshots(page, '63-dashboard-root-password-set');
  });

  it('names this Striker by the host name and addresses set in the wizard, the node id only as detail', async () => {
    const { page } = ui;
    const stored = await apiFromPage(page, 'PUT', '/api/setup/identity', sampleIdentity());
    expect(stored.status, JSON.stringify(stored.json)).toBe(201);
    await open(page, `${base}/`);
    const panel = page.getByTestId('panel-strikers');
    await panel.getByText('an-striker01.alteeve.example').waitFor();
    expect(await page.getByTestId('self-host-name').textContent()).toBe('an-striker01.alteeve.example');
    expect((await page.getByTestId('self-addresses').textContent())?.trim()).toBe('IFN 192.168.122.10 · BCN 10.201.4.1');
    // The node id and the loopback URL are detail, not the Striker's name.
    expect(await page.getByTestId('self-host-name').textContent()).not.toMatch(/^s[0-9a-f]{12}$/);
    expect(await page.getByTestId('self-detail').textContent()).toMatch(/Node id s[0-9a-f]{12} · API at http:\/\//);
    await screenshots(page, '63-dashboard-identity');
  });

  it('offers the host’s real interfaces on the PXE page and refuses an incomplete form field by field', async () => {
    const { page } = ui;
    await step(page, 'pxe').getByRole('link', { name: 'Turn PXE on' }).click();
    await page.waitForURL(`${base}/settings/pxe`);
    expect(await page.getByTestId('pxe-running').getAttribute('data-enabled')).toBe('false');
    const options = await page.locator('[id="interface"] option').allTextContents();
    // Loopback is not offered; every real interface is, with its link state.
    expect(options.some((o) => o.startsWith('lo '))).toBe(false);
    expect(options.filter((o) => / — (link up|no link)/.test(o)).length).toBeGreaterThan(0);
    await page.getByTestId('pxe-save').click();
    await expect(page.locator('[data-error-for="interface"]').textContent()).resolves.toMatch(/interface name/);
    await screenshots(page, '64-pxe-settings');
  });

  it('shows the hosts’ health, each UPS and the open alerts, live', async () => {
    const { page } = ui;
    await open(page, `${base}/`);
    await page.getByTestId('panel-ups').waitFor();
    expect(await page.getByTestId('panel-ups').textContent()).toContain('No UPS reported');
    expect(await page.getByTestId('alerts-none').textContent()).toBe('No open alerts.');
    await page.locator('[data-testid="live"][data-state="live"]').waitFor();
    // A node's scan, its score and an alert, stored after the page was read: each panel follows.
    const now = Date.now();
    const scan: TimedReading[] = [
      { hostId: HOST, agent: 'ups', metric: 'ups.status', subject: 'ups1', value: 'OB', status: 'warning', message: 'ups1 is on battery', at: now, since: now },
      { hostId: HOST, agent: 'ups', metric: 'ups.charge', subject: 'ups1', value: 87, unit: '%', status: 'ok', at: now, since: now },
      { hostId: HOST, agent: 'ups', metric: 'ups.runtime', subject: 'ups1', value: 2520, unit: 's', status: 'ok', at: now, since: now },
    ];
    await saveReadings(t.db, scan);
    await saveHealthScore(t.db, { hostId: HOST, score: 2, reasons: [{ condition: 'ups-on-battery', weight: 2, subject: 'ups1', text: 'UPS ups1 is on battery' }] }, now);
    await t.db.write(
      `INSERT INTO alerts (source, host, key, level, message_key, state, state_since, raised_at) VALUES
         ('scancore', 'an-a01n01', 'ups1.battery', 'warning', 'ups.on_battery', 'raised', now(), now()),
         ('scancore', 'an-a01n01', 'old.thing', 'warning', 'ups.on_battery', 'cleared', now(), now() - interval '1 day')`,
    );
    const ups = page.locator('[data-testid="dashboard-ups"][data-ups="ups1"]');
    await ups.waitFor({ timeout: 15_000 });
    expect(await ups.getByTestId('ups-state').textContent()).toBe('on battery');
    expect(await ups.textContent()).toContain('charge 87 % · runtime 42 min');
    await page.locator(`[data-testid="panel-hosts"] [data-host="${HOST}"]`).filter({ hasText: 'score 2' }).waitFor({ timeout: 15_000 });
    // The cleared alert is history, not open.
    await page.getByTestId('alerts-count').filter({ hasText: /^1 open\s+1 not acknowledged$/ }).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('dashboard-alert').count()).toBe(1);
    expect(await page.getByTestId('dashboard-alert').getAttribute('data-level')).toBe('warning');
    expect(await page.getByTestId('dashboard-alert').textContent()).toContain('an-a01n01');
    await screenshots(page, '65-dashboard-site');
    expect(ui.pageErrors).toEqual([]);
  });

  it('fits 390 wide', async () => {
    const { page } = ui;
    await page.setViewportSize(NARROW);
    await open(page, `${base}/`);
    await page.getByTestId('checklist').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(NARROW.width);
    expect(ui.pageErrors).toEqual([]);
  });

  it('hides the checklist once every step is done, the last one done while the page is open', async () => {
    const { page } = ui;
    // Media imported, a repo synced, PXE on (loopback), a machine installed; the root password was set above.
    const tree: InstallationTree = {
      kind: 'installation-tree', name: 'alma-9.4-x86_64', snapshotId: 'snap-1', family: 'AlmaLinux', version: '9.4', arch: 'x86_64',
      kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', efiLoaders: [], repos: [{ id: 'BaseOS', path: 'BaseOS', packageCount: 1 }], bytes: 1,
    };
    await recordTree(t.db, tree, '/srv/alma.iso');
    await insertRepo(t.db, repoConfigSchema.parse({ name: 'baseos', source: { kind: 'directory', path: '/srv/baseos' } }));
    await recordSync(t.db, 'baseos', null, { result: { packages: 1 } as unknown as SyncResult });
    const pxe = await apiFromPage(page, 'PUT', '/api/settings/pxe', { enabled: true, interface: 'lo', address: '127.0.0.1', subnet: '127.0.0.0/8', mode: 'full', rangeStart: '127.0.10.1', rangeEnd: '127.0.10.9' });
    expect(pxe.status, JSON.stringify(pxe.json)).toBe(200);
    await t.db.write(`INSERT INTO machines (mac, role, state, hostname) VALUES ('52:54:00:d4:00:02', 'node', 'installed', 'an-a01n01')`);
    await open(page, `${base}/`);
    const checklist = page.getByTestId('checklist');
    await checklist.waitFor();
    expect(await checklist.getAttribute('data-next')).toBe('manifest');
    expect(await checklist.locator('[data-done="false"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['manifest']);
    expect(await page.getByTestId('panel-pxe').textContent()).toContain('lo (127.0.0.1)');
    await page.locator('[data-testid="live"][data-state="live"]').waitFor();
    // The pair described elsewhere: the checklist goes without a reload; the site at a glance stays.
    const document = splitSecrets(manifestSchema.parse(sampleManifest()), () => false).view;
    await insertManifest(t.db, { name: 'an-anvil-01', sequence: 1, document });
    await checklist.waitFor({ state: 'detached', timeout: 15_000 });
    for (const panel of ['panel-strikers', 'panel-pairs', 'panel-servers', 'panel-ups', 'panel-alerts', 'panel-pxe']) expect(await page.getByTestId(panel).count(), panel).toBe(1);
    expect(await page.locator('main h1').textContent()).toBe('Dashboard');
    await screenshots(page, '66-dashboard-set-up');
    expect(ui.pageErrors).toEqual([]);
  });
});
