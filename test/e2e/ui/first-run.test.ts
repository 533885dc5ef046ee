/**
 * The web UI in real Chromium against a real `striker serve` (built by `npm run build`): a fresh
 * Striker leads to the wizard, each step is validated on the server with every problem beside its
 * field, finishing creates the `striker.configure` job whose progress reaches 100 live on the jobs
 * page, login/logout and wrong passwords, users, roles (a viewer gets no cancel button and a 403),
 * the expired-session page, screenshots at 1280×800 and 390 wide, and no request leaving the origin.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertJob } from '../../../striker/jobs/job-store.js';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { apiFromPage, NARROW, open, screenshots, WIDE, type UiBrowser, startUiStriker, type UiStriker } from '../../support/ui-browser.js';

const ADMIN_PASSWORD = 'correct horse battery';
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

const field = (page: Page, id: string) => page.locator(`[id="${id}"]`);
const errorsFor = (page: Page, name: string) => page.locator(`[data-error-for="${name}"]`);

async function fill(page: Page, values: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(values)) await field(page, id).fill(value);
}

async function login(page: Page, username: string, password: string): Promise<void> {
  await open(page, `${base}/login`);
  await fill(page, { username, password });
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function logout(page: Page): Promise<void> {
  await page.getByTestId('logout').click();
  await page.waitForURL(/\/login/);
}

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui', logLevel: null });
  ({ striker, ui, base } = s);
  t = s.t!;
});

afterAll(async () => {
  await s?.close();
});

describe('web UI, first run to jobs', () => {
  it('leads every page of a fresh Striker to the setup wizard', async () => {
    const { page } = ui;
    await open(page, `${base}/users`);
    await page.waitForURL(`${base}/setup`);
    await expect(page.locator('form[data-step="admin"]').isVisible()).resolves.toBe(true);
    await screenshots(page, '01-setup-admin');
  });

  it('reads nothing for the dashboard before it knows nobody is logged in, so the wizard keeps its admin step', async () => {
    const { page } = ui;
    // The dashboard's eight reads, held back: had they gone out beside the question of who is
    // logged in, their 401 answers would arrive after the wizard showed, and forget its session.
    const reads: string[] = [];
    await page.route(/\/api\/(?!session)/, async (route) => {
      reads.push(new URL(route.request().url()).pathname);
      await new Promise((r) => setTimeout(r, 500));
      await route.continue();
    });
    try {
      await open(page, `${base}/`);
      await page.waitForURL(`${base}/setup`);
      await page.locator('form[data-step="admin"]').waitFor();
      expect(reads).toEqual([]);
      expect(await page.getByRole('list', { name: 'Steps' }).locator('li').allTextContents()).toEqual(['Administrator', 'Identity', 'Networks', 'Services', 'Review']);
    } finally {
      await page.unroute(/\/api\/(?!session)/);
    }
  });

  it('validates the admin step on the server and shows the problems beside their fields', async () => {
    const { page } = ui;
    await fill(page, { username: '9bad name', password: 'short', confirm: 'short' });
    await page.getByTestId('next').click();
    await errorsFor(page, 'username').first().waitFor();
    expect(await errorsFor(page, 'username').textContent()).toContain('must start with a letter');
    expect(await errorsFor(page, 'password').textContent()).toContain('at least 10 characters');
    await fill(page, { username: 'admin', displayName: 'Site Admin', password: ADMIN_PASSWORD, confirm: ADMIN_PASSWORD });
    await page.getByTestId('next').click();
    await page.locator('form[data-step="host"]').waitFor();
    // With the admin made but no identity yet, the other pages point back to the wizard.
    await open(page, `${base}/jobs`);
    await page.getByTestId('identity-missing').getByRole('link').click();
    await page.locator('form[data-step="host"]').waitFor();
  });

  it('shows every problem of a step at once, and going back keeps what was typed', async () => {
    const { page } = ui;
    await fill(page, { prefix: 'toolong', sequence: '0', domain: 'bad_domain!', hostName: '-x-' });
    await page.getByTestId('next').click();
    await errorsFor(page, 'prefix').waitFor();
    for (const [name, text] of [['prefix', '1 to 5 letters'], ['sequence', 'from 1 to 99'], ['domain', 'must be a domain'], ['hostName', 'must be a host name']]) {
      expect(await errorsFor(page, name!).textContent(), name).toContain(text);
    }
    await screenshots(page, '02-setup-host-errors');
    await fill(page, { prefix: 'an', sequence: '1', domain: 'alteeve.example', hostName: '' });
    // An untouched host name would follow Anvil!'s pattern; this one was typed, so type it again.
    await fill(page, { hostName: 'an-striker01.alteeve.example' });
    await page.getByTestId('next').click();
    await page.locator('form[data-step="networks"]').waitFor();
    expect(await field(page, 'networks.bcn.subnet').inputValue()).toBe('10.201.0.0/16');
    expect(await field(page, 'networks.sn.subnet').inputValue()).toBe('10.101.0.0/16');
    expect(await field(page, 'networks.mn.subnet').inputValue()).toBe('10.199.0.0/16');
    await fill(page, { 'networks.ifn.subnet': '192.168.122.0/33', 'networks.ifn.address': '192.168.122.300', 'networks.ifn.gateway': '', 'networks.mn.address': '10.201.4.1' });
    await page.getByTestId('next').click();
    await errorsFor(page, 'networks.ifn.subnet').waitFor();
    expect(await errorsFor(page, 'networks.ifn.subnet').textContent()).toContain('must be a subnet like');
    expect(await errorsFor(page, 'networks.ifn.address').textContent()).toContain('must be an IPv4 address');
    expect(await errorsFor(page, 'networks.ifn.gateway').textContent()).toContain('must be an IPv4 address');
    expect(await errorsFor(page, 'networks.mn.address').textContent()).toContain('must be a host address inside 10.199.0.0/16');
    await screenshots(page, '03-setup-networks-errors');
    await page.getByTestId('back').click();
    await page.locator('form[data-step="host"]').waitFor();
    expect(await field(page, 'prefix').inputValue()).toBe('an');
    expect(await field(page, 'domain').inputValue()).toBe('alteeve.example');
    await page.getByTestId('next').click();
    await page.locator('form[data-step="networks"]').waitFor();
    expect(await field(page, 'networks.ifn.address').inputValue()).toBe('192.168.122.300');
    await fill(page, { 'networks.ifn.subnet': '192.168.122.0/24', 'networks.ifn.address': '192.168.122.10', 'networks.ifn.gateway': '192.168.122.1', 'networks.mn.address': '10.199.4.1' });
    await page.getByTestId('next').click();
    await page.locator('form[data-step="services"]').waitFor();
    await fill(page, { dns: '192.168.122.1, 8.8.8.8', ntp: 'pool.ntp.example', mtu: '100' });
    await page.getByTestId('next').click();
    expect(await errorsFor(page, 'mtu').textContent()).toContain('at least 1280');
    await fill(page, { mtu: '1500' });
    await page.getByTestId('next').click();
    await page.locator('form[data-step="review"]').waitFor();
    expect(await page.getByTestId('review').textContent()).toContain('192.168.122.10 in 192.168.122.0/24, gateway 192.168.122.1');
    await screenshots(page, '04-setup-review');
  });

  it('finishing stores the identity and the apply job reaches 100 on the jobs page', async () => {
    const { page } = ui;
    await page.getByTestId('next').click();
    await page.waitForURL(/\/jobs\?highlight=/);
    const id = new URL(page.url()).searchParams.get('highlight')!;
    const row = page.locator(`tr[data-job-id="${id}"]`);
    await row.locator('[role="progressbar"][aria-valuenow="100"]').waitFor();
    expect(await row.getAttribute('data-status')).toBe('succeeded');
    await screenshots(page, '05-jobs');
    await row.getByRole('link').click();
    await page.waitForURL(`${base}/jobs/${id}`);
    const messages = page.getByTestId('messages');
    await messages.getByText('Recorded the plan').waitFor();
    const text = (await messages.textContent()) ?? '';
    expect(text).toContain('host.manage is off');
    expect(text).toContain('Planned, not applied (host management is off): write /etc/NetworkManager/system-connections/ifn1_bridge1.nmconnection');
    expect(text).toContain('Planned, not applied (host management is off): run nmcli connection reload');
    expect(text).not.toContain('Would ');
    await screenshots(page, '06-job-detail');
  });

  it('logs out, refuses a wrong password with a visible error, and logs in', async () => {
    const { page } = ui;
    await logout(page);
    await login(page, 'admin', 'not the password');
    await expect(page.getByTestId('login-error').textContent()).resolves.toContain('wrong user name or password');
    expect(page.url()).toContain('/login');
    await screenshots(page, '07-login-error');
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(`${base}/`); // login lands on the dashboard
    await open(page, `${base}/jobs`);
    await page.locator('[role="progressbar"][aria-valuenow="100"]').first().waitFor();
  });

  it('shows a job that starts after the page loaded live, up to 100, without reloading', async () => {
    const { page } = ui;
    await open(page, `${base}/jobs`);
    await page.getByTestId('live').filter({ hasText: 'Live' }).waitFor();
    const rowsBefore = await page.locator('tr[data-job-id]').count();
    // Browser-side: remember every progress value the newest row shows, and mark this document.
    await page.evaluate(`(() => {
      window.same = true;
      window.seen = [];
      new MutationObserver(() => {
        const bar = document.querySelector('tbody tr:first-child [role="progressbar"]');
        const v = Number(bar?.getAttribute('aria-valuenow'));
        if (bar && window.seen[window.seen.length - 1] !== v) window.seen.push(v);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
    const applied = await apiFromPage(page, 'POST', '/api/setup/identity/apply');
    expect(applied.status).toBe(202);
    const id = (applied.json as { job: { id: string } }).job.id;
    await page.locator(`tr[data-job-id="${id}"] [role="progressbar"][aria-valuenow="100"]`).waitFor();
    expect(await page.locator('tr[data-job-id]').count()).toBe(rowsBefore + 1);
    const state = (await page.evaluate('({ seen: [...window.seen], same: window.same })')) as { seen: number[]; same?: boolean };
    console.log(`progress seen live: ${state.seen.join(' → ')}`);
    expect(state.same).toBe(true); // the same document: no reload happened
    expect(state.seen.at(-1)).toBe(100);
    expect(state.seen.length).toBeGreaterThan(1);
  });

  it('lets an admin add users, change a role, disable and reset a password', async () => {
    const { page } = ui;
    await open(page, `${base}/users`);
    await fill(page, { 'new-username': 'x', 'new-password': 'short' });
    await page.getByTestId('add-user').click();
    await errorsFor(page, 'new-password').waitFor();
    expect(await errorsFor(page, 'new-password').textContent()).toContain('at least 10 characters');
    for (const [username, role] of [['watcher', 'viewer'], ['ops', 'viewer'], ['temp', 'operator']] as const) {
      await fill(page, { 'new-username': username, 'new-displayName': `The ${username}`, 'new-password': 'watch it all day' });
      await field(page, 'new-role').selectOption(role);
      await page.getByTestId('add-user').click();
      await page.locator(`tr[data-user="${username}"]`).waitFor();
    }
    await page.getByLabel('Role of ops').selectOption('operator');
    await page.getByText('ops is now operator.').waitFor();
    await page.locator('tr[data-user="temp"]').getByTestId('toggle-disabled').click();
    await page.locator('tr[data-user="temp"].disabled').waitFor();
    await page.locator('tr[data-user="watcher"]').getByTestId('reset-password').click();
    await fill(page, { 'reset-password': 'a brand new secret' });
    await page.getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByText('Password of watcher reset').waitFor();
    await screenshots(page, '08-users');
    const users = await apiFromPage(page, 'GET', '/api/users');
    const byName = new Map((users.json as { users: { username: string; role: string; disabled: boolean }[] }).users.map((u) => [u.username, u]));
    expect(byName.get('ops')).toMatchObject({ role: 'operator', disabled: false });
    expect(byName.get('temp')).toMatchObject({ disabled: true });
  });

  it('shows the identity and the recorded plan on the settings page', async () => {
    const { page } = ui;
    await open(page, `${base}/settings`);
    expect(await page.getByTestId('identity').textContent()).toContain('an-striker01.alteeve.example');
    expect(await page.getByTestId('plan').textContent()).toContain('/etc/NetworkManager/system-connections/bcn1_bridge1.nmconnection');
    await screenshots(page, '09-settings');
  });

  it('gives operators a cancel button, and a viewer neither the button nor the endpoint', async () => {
    const { page } = ui;
    // A job for another host stays queued here: this Striker never claims it.
    const job = await insertJob(t.db, { kind: 'striker.configure', payload: { identityId: '00000000-0000-4000-8000-000000000000' }, targetHost: 'an-a01n01.alteeve.example', maxAttempts: 1, retryOnStale: false });
    await logout(page);
    await login(page, 'watcher', 'a brand new secret');
    await page.waitForURL(`${base}/`); // login lands on the dashboard
    await open(page, `${base}/jobs`);
    const row = page.locator(`tr[data-job-id="${job.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('queued');
    expect(await page.getByTestId('cancel').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    const refused = await apiFromPage(page, 'POST', `/api/jobs/${job.id}/cancel`);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await screenshots(page, '10-jobs-viewer');
    await logout(page);
    await login(page, 'ops', 'watch it all day');
    await page.waitForURL(`${base}/`); // login lands on the dashboard
    await open(page, `${base}/jobs`);
    await row.getByTestId('cancel').click();
    await page.locator(`tr[data-job-id="${job.id}"][data-status="cancelled"]`).waitFor();
    expect(await row.getByTestId('cancel').count()).toBe(0);
  });

  it('sends a browser with an expired session to the expired-session page', async () => {
    const { page } = ui;
    await t.db.query("UPDATE sessions SET expires_at = clock_timestamp() - interval '1 minute'");
    // The answers and navigations seen on the way, named if the page does not end where it should.
    const seen: string[] = [];
    page.on('response', (r) => seen.push(`${r.status()} ${new URL(r.url()).pathname}`));
    page.on('framenavigated', (f) => seen.push(`nav ${f.url()}`));
    await open(page, `${base}/jobs`);
    await page.waitForURL(`${base}/session-expired`).catch((e: unknown) => {
      throw new Error(`${String(e)}\nseen: ${seen.join(', ')}`);
    });
    await page.getByTestId('login-again').waitFor();
    await screenshots(page, '11-session-expired');
    await page.getByTestId('login-again').click();
    await page.waitForURL(/\/login/);
    await screenshots(page, '12-login');
  });

  it('is usable 390 wide: logging in, the menu, and no page wider than the screen', async () => {
    const { page } = ui;
    await page.setViewportSize(NARROW);
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.waitForURL(`${base}/`); // login lands on the dashboard
    const wide = () => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;
    expect(await wide()).toBeLessThanOrEqual(NARROW.width);
    expect(await page.getByRole('link', { name: 'Settings' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(`${base}/users`);
    await page.locator('tr[data-user="watcher"]').waitFor();
    expect(await wide()).toBeLessThanOrEqual(NARROW.width);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${base}/settings`);
    await page.getByTestId('plan').waitFor();
    expect(await wide()).toBeLessThanOrEqual(NARROW.width);
    await page.setViewportSize(WIDE);
  });

  it('fetched nothing from outside the Striker, and no page threw', () => {
    const origin = new URL(base).origin;
    expect(ui.requests.length).toBeGreaterThan(20);
    expect(ui.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  it('ran every page under its Content-Security-Policy, which forbids framing, with nothing refused', async () => {
    const res = await fetch(`${base}/jobs`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const asset = (await res.text()).match(/\.\/(_app\/immutable\/entry\/start\.[^"]+\.js)/)?.[1];
    expect((await fetch(`${base}/${asset}`)).headers.get('x-content-type-options')).toBe('nosniff');
    expect(ui.cspViolations).toEqual([]);
  });
});
