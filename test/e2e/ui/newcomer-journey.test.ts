/**
 * The newcomer journey, in real Chromium, with a QEMU machine: from a fresh Striker to a machine
 * PXE-booted into its kickstart, done the way a newcomer does it — in the browser only. No API
 * call, CLI command or configuration file edit happens in the test body: the test's world is a
 * network namespace (test/support/journey-lab.ts) holding the bridge the machines boot on (with the
 * address the wizard proposes for the BCN), `striker serve`, a site repo served over HTTP,
 * Chromium, the ISO file on disk (test/support/journey-media.ts: a real kernel and an initrd that
 * plays the installer) and the QEMU process (test/support/qemu-pxe.ts).
 *
 * Steps, each asserted in the page's DOM: setup wizard → dashboard checklist with every step
 * pending → OS media uploaded and imported → a repo added and synced → the kickstart root password
 * (and a serial console for the installer) → PXE on, its interface picked from the list with the
 * BCN pre-filled → a QEMU machine powered on appears on the Machines page without a reload → it is
 * given a role and its kickstart checked → it boots into its installer, which fetches the kickstart
 * (the serial console's markers, and the machine's timeline in the UI) → the checklist moved on.
 * Screenshots of every step in test-artifacts/journey/. One set-up; the steps run in order.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeJourneyMedia, type JourneyMedia } from '../../support/journey-media.js';
import { BCN_ADDRESS, BCN_SUBNET, JourneyLab } from '../../support/journey-lab.js';
import { ensureNativeAddon } from '../../support/netns-dhcp.js';
import { bootGuest, requirePrograms, type GuestResult } from '../../support/qemu-pxe.js';

const ADMIN_PASSWORD = 'correct horse battery';
const ROOT_PASSWORD = 'a long root password';
const MAC = '52:54:00:75:0a:01';
const SHOTS = join(process.cwd(), 'test-artifacts', 'journey');
const GUEST_TIMEOUT_MS = 600_000;

let lab: JourneyLab;
let scratch: string;
let media: JourneyMedia;
let page: Page;
let guest: Promise<GuestResult> | undefined;
let shot = 0;
/** API answers of 400 and above, /api/session answers and failed requests, printed when a step fails. */
const apiRefusals: string[] = [];

/** `test-artifacts/journey/NN-<name>.png`, the whole page at 1280×800. */
async function screenshot(name: string): Promise<void> {
  shot += 1;
  await page.screenshot({ path: join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

async function hydrated(): Promise<void> {
  await page.locator('body[data-hydrated]').waitFor();
}

/** Goes where a link with this text leads (as a click), and waits for the page to be live. */
async function follow(link: ReturnType<Page['locator']>, url: RegExp): Promise<void> {
  await link.click();
  await page.waitForURL(url);
  await hydrated();
}

const field = (id: string) => page.locator(`[id="${id}"]`);
const checklistStep = (id: string) => page.locator(`[data-testid="checklist"] [data-step="${id}"]`);

/** Every checklist item's done state, by step id, read from the dashboard's DOM. */
async function checklistState(): Promise<Record<string, string | null>> {
  const steps = await page.getByTestId('checklist').locator('[data-step]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-step'), e.getAttribute('data-done')] as const));
  return Object.fromEntries(steps);
}

async function dashboard(): Promise<void> {
  await follow(page.getByRole('link', { name: 'Dashboard' }).first(), new RegExp(`^${lab.url}/$`));
  await page.getByTestId('checklist').waitFor();
}

beforeAll(async () => {
  requirePrograms('qemu-system-x86_64', 'ip', 'cpio', 'apt-get', 'dpkg', 'busybox', 'xorriso', 'rpmbuild', 'createrepo_c', 'dnf');
  ensureNativeAddon();
  mkdirSync(SHOTS, { recursive: true });
  scratch = mkdtempSync(join(tmpdir(), 'uj-media-'));
  media = await makeJourneyMedia(scratch);
  lab = new JourneyLab(String(process.pid));
  lab.serveRepo(media.extraRepo);
  await lab.startStriker();
  page = await lab.launchBrowser();
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/') && r.status() >= 400) apiRefusals.push(`${r.request().method()} ${path} ${r.status()}`);
    if (path === '/api/session') void r.text().then((t) => apiRefusals.push(`session ${r.status()} ${t.slice(0, 120)}`), () => undefined);
  });
  page.on('requestfailed', (r) => apiRefusals.push(`failed ${r.url()} ${r.failure()?.errorText ?? ''}`));
}, 600_000);

afterAll(async () => {
  await guest?.catch(() => undefined);
  await lab?.down();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// Each step may wait minutes on a loaded machine (an 8 MiB chunk, an import, a TCG boot).
const STEP_MS = 360_000;

describe('a newcomer, in the browser only, from a fresh Striker to a PXE-booted machine', { timeout: STEP_MS }, () => {
  // Each step builds on the one before: after a failure the rest fail at once (naming the step
  // that failed first), and the page as it stood is saved beside the step screenshots.
  let failed: string | undefined;
  beforeEach(() => {
    if (failed !== undefined) throw new Error(`not run: an earlier step failed (${failed})`);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    failed ??= ctx.task.name;
    console.log(`API answers >= 400, session answers, failed requests so far: ${apiRefusals.join(', ') || 'none'}\nstriker serve stderr: ${lab.strikerLog().slice(-3000)}`);
    await page.screenshot({ path: join(SHOTS, 'failed-step.png'), fullPage: true }).catch(() => undefined);
  });

  it('is led to the setup wizard and finishes it', async () => {
    await page.goto(`${lab.url}/`);
    await page.waitForURL(`${lab.url}/setup`);
    await hydrated();
    await page.locator('form[data-step="admin"]').waitFor();
    await screenshot('wizard-admin');
    await field('displayName').fill('Site Admin');
    await field('password').fill(ADMIN_PASSWORD);
    await field('confirm').fill(ADMIN_PASSWORD);
    await page.getByTestId('next').click();
    await page.locator('form[data-step="host"]').waitFor();
    await field('prefix').fill('an');
    await field('sequence').fill('1');
    await field('domain').fill('alteeve.example');
    await screenshot('wizard-host');
    await page.getByTestId('next').click();
    await page.locator('form[data-step="networks"]').waitFor();
    // The BCN the wizard proposes is the one this Striker's bridge carries: kept as it is.
    expect(await field('networks.bcn.subnet').inputValue()).toBe(BCN_SUBNET);
    expect(await field('networks.bcn.address').inputValue()).toBe(BCN_ADDRESS);
    await field('networks.ifn.subnet').fill('192.168.122.0/24');
    await field('networks.ifn.address').fill('192.168.122.10');
    await field('networks.ifn.gateway').fill('192.168.122.1');
    await screenshot('wizard-networks');
    await page.getByTestId('next').click();
    await page.locator('form[data-step="services"]').waitFor();
    await field('dns').fill('192.168.122.1');
    await field('ntp').fill('192.168.122.1');
    await page.getByTestId('next').click();
    await page.locator('form[data-step="review"]').waitFor();
    await screenshot('wizard-review');
    await page.getByTestId('next').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/setup'));
    await hydrated();
    await screenshot('wizard-finished');
  });

  it('finds the setup checklist on the dashboard with every step pending', async () => {
    await dashboard();
    expect(await page.getByTestId('checklist').getAttribute('data-next')).toBe('media');
    expect(await checklistState()).toEqual({ media: 'false', repos: 'false', 'root-password': 'false', pxe: 'false', machines: 'false', manifest: 'false' });
    await screenshot('dashboard-checklist-pending');
  });

  it('uploads the OS media in the browser, and the Striker imports it', async () => {
    await follow(checklistStep('media').getByRole('link').first(), /\/repos/);
    await field('media-file').setInputFiles(media.iso);
    await page.getByTestId('upload').click();
    await page.getByTestId('upload-notice').filter({ hasText: 'Uploaded' }).waitFor({ timeout: 300_000 });
    await page.getByTestId('import-job').filter({ hasText: /succeeded/ }).waitFor({ timeout: 300_000 });
    const tree = page.locator('tr[data-tree^="testlinux-"]');
    await tree.waitFor();
    expect(await tree.textContent()).toContain('TestLinux 9.9 x86_64');
    await screenshot('media-imported');
    await dashboard();
    await checklistStep('media').and(page.locator('[data-done="true"]')).waitFor();
    expect(await page.getByTestId('checklist').getAttribute('data-next')).toBe('repos');
  });

  it('adds the site repo and syncs it', async () => {
    await follow(checklistStep('repos').getByRole('link').first(), /\/repos/);
    await field('repo-name').fill('site-tools');
    await field('repo-kind').selectOption('http');
    await field('repo-url').fill(lab.repoUrl);
    await page.getByTestId('add-repo').click();
    const row = page.locator('tr[data-repo="site-tools"]');
    await row.waitFor();
    await row.getByTestId('sync').click();
    await row.getByTestId('package-count').waitFor({ timeout: 300_000 });
    expect(await row.getByTestId('package-count').textContent()).toBe('2');
    await screenshot('repo-synced');
    await dashboard();
    await checklistStep('repos').and(page.locator('[data-done="true"]')).waitFor();
    expect(await page.getByTestId('checklist').getAttribute('data-next')).toBe('root-password');
  });

  it('sets the kickstart root password, and a serial console for the installer', async () => {
    await follow(checklistStep('root-password').getByRole('link').first(), /\/settings\/kickstart/);
    expect(await page.getByTestId('root-password-state').getAttribute('data-set')).toBe('false');
    await field('rootPassword').fill(ROOT_PASSWORD);
    await field('confirm').fill(ROOT_PASSWORD);
    await field('kernelArgs').fill('console=ttyS0');
    await page.getByTestId('kickstart-save').click();
    await page.locator('[data-testid="root-password-state"][data-set="true"]').waitFor();
    await screenshot('kickstart-settings');
    await dashboard();
    await checklistStep('root-password').and(page.locator('[data-done="true"]')).waitFor();
    expect(await page.getByTestId('checklist').getAttribute('data-next')).toBe('pxe');
  });

  it('turns PXE on: the interface picked from the list, the BCN pre-filled', async () => {
    await follow(checklistStep('pxe').getByRole('link').first(), /\/settings\/pxe/);
    expect(await page.getByTestId('pxe-running').getAttribute('data-enabled')).toBe('false');
    // Pre-filled from the wizard's BCN, on the interface that carries its address.
    expect(await field('subnet').inputValue()).toBe(BCN_SUBNET);
    expect(await field('address').inputValue()).toBe(BCN_ADDRESS);
    const options = await field('interface').locator('option').allTextContents();
    expect(options.some((o) => o.startsWith('br0') && o.includes(`${BCN_ADDRESS}/16`))).toBe(true);
    await field('interface').selectOption('br0');
    await page.getByTestId('pxe-interface-facts').waitFor();
    await screenshot('pxe-settings');
    await page.getByTestId('pxe-save').click();
    await page.getByTestId('pxe-saved').filter({ hasText: 'PXE is on' }).waitFor();
    await page.locator('[data-testid="pxe-running"][data-enabled="true"]').waitFor();
    await screenshot('pxe-on');
    await dashboard();
    await checklistStep('pxe').and(page.locator('[data-done="true"]')).waitFor();
    // This Striker is named by the host name the wizard set, not its node id; the id is detail.
    expect(await page.getByTestId('self-host-name').textContent()).toContain('alteeve.example');
    expect(await page.getByTestId('self-addresses').textContent()).toContain('IFN 192.168.122.10');
    expect(await page.getByTestId('checklist').getAttribute('data-next')).toBe('machines');
  });

  it('powers a QEMU machine on: it appears on the Machines page without a reload', async () => {
    await follow(checklistStep('machines').getByRole('link').first(), /\/machines/);
    // A mark on this document: a reload or a navigation would lose it.
    await page.evaluate(() => ((globalThis as unknown as { journeyMark: boolean }).journeyMark = true));
    guest = bootGuest({ ns: lab.ns, tap: lab.tap(), mac: MAC, firmware: 'bios', timeoutMs: GUEST_TIMEOUT_MS, workDir: lab.dir });
    const row = page.locator(`tr[data-mac="${MAC}"]`);
    await row.waitFor({ timeout: 180_000 });
    // Missing optional loaders are said in plain words (what to do), their paths only inside the detail.
    const remedies = await page.getByTestId('pxe-optional-remedy').all();
    expect(remedies.length).toBeGreaterThan(0);
    for (const remedy of remedies) {
      const words = await remedy.evaluate((li) => [...li.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(''));
      expect(words).not.toMatch(/\/nonexistent|EFI\/BOOT|\/usr\/lib/);
      expect(words).toMatch(/OS media on the Repos page|install it on this Striker|ARM64/);
    }
    expect(await page.evaluate(() => (globalThis as unknown as { journeyMark?: boolean }).journeyMark)).toBe(true);
    expect(await row.getAttribute('data-state')).toBe('discovered');
    await page.getByTestId('discovered-note').waitFor();
    await screenshot('machine-discovered');
  });

  it('gives the machine a role and checks its kickstart', async () => {
    await follow(page.locator(`tr[data-mac="${MAC}"]`).getByRole('link'), new RegExp(`/machines/${MAC}`));
    await field('machine-role').selectOption('node');
    await field('machine-hostname').fill('an-a01n01');
    await page.getByTestId('assign').click();
    await page.getByTestId('machine-state').filter({ hasText: 'assigned' }).waitFor();
    // Without a reserved address the kickstart cannot be built: the page says which field, on this page.
    const missing = page.locator('[data-testid="kickstart-problems"] li[data-path="machine.reservedIp"]');
    await missing.waitFor();
    expect(await missing.textContent()).toContain("Reserved IP on the machine's page");
    await screenshot('machine-needs-reserved-ip');
    await field('machine-reservedIp').fill('10.201.10.1');
    await page.getByTestId('assign').click();
    await missing.waitFor({ state: 'detached' });
    await page.getByTestId('check-now').click();
    await page.locator('[data-testid="kickstart-status"][data-status="ready"]').waitFor({ timeout: 300_000 });
    await screenshot('machine-assigned-ready');
  });

  it('boots into its installer, which fetches its kickstart: on the serial console and on its timeline', async () => {
    const result = await guest!;
    const tail = `serial tail: ${result.serial.slice(-2000)}\nstriker: ${lab.strikerLog().slice(-2000)}`;
    expect(result.timedOut, tail).toBe(false);
    expect(result.markers['boot'], tail).toBeDefined();
    expect(result.serial, tail).toMatch(/STK-PXE-KS bytes=\d+/);
    expect(result.markers['installed'], tail).toBeDefined();
    const timeline = page.getByTestId('timeline');
    await timeline.locator('tr[data-step="kickstart.fetched"]').waitFor({ timeout: 60_000 });
    const steps = await timeline.locator('tr[data-step]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')));
    for (const s of ['dhcp.discover', 'dhcp.ack', 'kickstart.fetched']) expect(steps, s).toContain(s);
    // Its kickstart fetched, the machine is installing, no longer assigned.
    await page.getByTestId('machine-state').filter({ hasText: 'installing' }).waitFor({ timeout: 30_000 });
    await screenshot('machine-timeline');
  }, GUEST_TIMEOUT_MS + 30_000);

  it('sees the checklist moved on to describing the pair', async () => {
    await dashboard();
    expect(await checklistState()).toEqual({ media: 'true', repos: 'true', 'root-password': 'true', pxe: 'true', machines: 'true', manifest: 'false' });
    expect(await page.getByTestId('checklist').getAttribute('data-next')).toBe('manifest');
    // Each item says what it found.
    expect(await checklistStep('media').textContent()).toContain('testlinux-9.9-x86_64');
    expect(await checklistStep('repos').textContent()).toContain('site-tools');
    expect(await checklistStep('pxe').textContent()).toContain('PXE answers on br0.');
    expect(await checklistStep('machines').textContent()).toContain('1 seen, 0 installed.');
    await screenshot('dashboard-checklist-moved-on');
    // The next step's link leads to the page that does it.
    await follow(checklistStep('manifest').getByRole('link').first(), /\/manifests$/);
    expect(await page.locator('main h1').textContent()).toBe('Install manifests');
  });
});
