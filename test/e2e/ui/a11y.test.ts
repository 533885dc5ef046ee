/**
 * Accessibility (WCAG 2.1 AA) in real Chromium against a real `striker serve` (built by
 * `npm run build`): the setup wizard of a fresh Striker done with the keyboard alone (Tab to a
 * field, type, Enter to go on; a refused step puts focus on the first field in error, and that
 * field names its error; a reload keeps the step and input, the browser's Back and Forward move
 * between steps; a single-label domain is refused; each network says what it is for and is tied
 * to one of this machine's real NICs), then every page — each link of the main navigation, a job, a machine,
 * the login, expired-session and 404 pages — audited by axe-core, injected from node_modules (no
 * network), at 1280×800 and 390 wide: no serious or critical violation. Screenshots of each page
 * at both sizes go to test-artifacts/screenshots.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../../support/axe-audit.js';
import type { TestDatabase } from '../../support/test-database.js';
import { runStriker, type ServeProcess } from '../../support/striker-process.js';
import { NARROW, open, screenshots, WIDE, type UiBrowser, startUiStriker, type UiStriker } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
const MACHINE = '52:54:00:a1:1a:01';
let t: TestDatabase;
let env: Record<string, string>;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

/** Audits at both sizes, saves the screenshots, and names every violation found. */
async function auditBothSizes(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const size of [WIDE, NARROW]) {
    await page.setViewportSize(size);
    for (const v of await seriousViolations(page)) {
      found.push(`${name} @${size.width}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  await screenshots(page, name);
  return found;
}

/** Waits for the wizard to show `step`; if it does not, fails with the errors the page shows. */
async function waitStep(page: Page, step: string): Promise<void> {
  try {
    await page.locator(`form[data-step="${step}"]`).waitFor();
  } catch {
    const shown = await page.locator('form[data-step]').getAttribute('data-step');
    const errors = await page.locator('[data-error-for], .alert').allTextContents();
    throw new Error(`the wizard shows step ${shown}, not ${step}: ${errors.join(' | ')}`);
  }
}

/** WCAG 2.1 contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => Number(v) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

const focusedId = (page: Page) => (page.evaluate("document.activeElement?.id ?? ''") as Promise<string>);

/** Presses Tab until the element with `id` has focus (as a keyboard user would), failing after `max` presses. */
async function tabTo(page: Page, id: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focusedId(page)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}; focus is on ${String(await page.evaluate('document.activeElement?.outerHTML.slice(0, 120)'))}`);
}

/** Tabs to each field and types its value over what was there. */
async function typeInto(page: Page, values: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(values)) {
    await tabTo(page, id);
    await page.keyboard.press('ControlOrMeta+A');
    if (value === '') await page.keyboard.press('Delete');
    else await page.keyboard.type(value);
  }
}

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-a11y' });
  ({ striker, ui, base } = s);
  t = s.t!;
  env = s.env;
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('accessibility', () => {
  const violations: string[] = [];

  it('takes a keyboard-only user through the setup wizard, errors tied to fields and focused', async () => {
    const { page } = ui;
    await open(page, `${base}/setup`);
    await waitStep(page, 'admin');
    // The skip link is the first stop and leads to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('skip-link');
    violations.push(...(await auditBothSizes(page, '70-a11y-setup-admin')));

    await typeInto(page, { username: 'admin', password: 'short', confirm: 'short' });
    await page.keyboard.press('Enter');
    await page.locator('[data-error-for="password"]').waitFor();
    expect(await focusedId(page)).toBe('password');
    expect(await page.locator('#password').getAttribute('aria-invalid')).toBe('true');
    expect((await page.locator('#password').getAttribute('aria-describedby'))?.split(' ')).toEqual(['password-hint', 'password-error-0']);
    violations.push(...(await auditBothSizes(page, '71-a11y-setup-admin-errors')));

    await typeInto(page, { password: PASSWORD, confirm: PASSWORD });
    await page.keyboard.press('Enter');
    await waitStep(page, 'host');

    await typeInto(page, { prefix: 'an', sequence: '1', domain: 'localdomain' });
    await page.keyboard.press('Enter');
    await page.locator('[data-error-for="domain"]').waitFor();
    expect(await focusedId(page)).toBe('domain');
    expect(await page.locator('[data-error-for="domain"]').textContent()).toContain('must have at least two labels');
    violations.push(...(await auditBothSizes(page, '72-a11y-setup-host-errors')));
    await typeInto(page, { domain: 'alteeve.example' });
    await page.keyboard.press('Enter');
    await waitStep(page, 'networks');
    violations.push(...(await auditBothSizes(page, '73-a11y-setup-networks')));

    for (const n of ['bcn', 'sn', 'ifn', 'mn']) expect(await page.getByTestId(`about-${n}`).textContent()).toMatch(/^.{40,}$/);
    await typeInto(page, { 'networks.ifn.subnet': '192.168.122.0/24', 'networks.ifn.address': '192.168.122.10', 'networks.ifn.gateway': '192.168.122.1' });
    // The NIC that carries the BCN, chosen from this machine's real NICs (name, MAC, link state) with the arrow keys.
    const nicOptions = await page.locator('[id="networks.bcn.links.0"] option').allTextContents();
    const nic = nicOptions.find((o) => /^\S+ — ([0-9a-f]{2}:){5}[0-9a-f]{2} — link \w+/.test(o));
    expect(nic, nicOptions.join(' | ')).toBeDefined();
    await tabTo(page, 'networks.bcn.links.0');
    await page.keyboard.press('ArrowDown');
    const chosenMac = await page.locator('[id="networks.bcn.links.0"]').inputValue();
    expect(chosenMac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // A reload stays on this step with what was typed; the browser's Back goes to the previous step, not out of the wizard.
    await page.reload();
    await page.locator('body[data-hydrated]').waitFor();
    await waitStep(page, 'networks');
    expect(await page.locator('[id="networks.ifn.address"]').inputValue()).toBe('192.168.122.10');
    await page.goBack();
    await waitStep(page, 'host');
    expect(page.url()).toContain('/setup');
    expect(await page.locator('#domain').inputValue()).toBe('alteeve.example');
    await page.goForward();
    await waitStep(page, 'networks');
    expect(await page.locator('[id="networks.ifn.gateway"]').inputValue()).toBe('192.168.122.1');
    await tabTo(page, 'networks.ifn.gateway');
    await page.keyboard.press('Enter');
    await waitStep(page, 'services');
    // Back by keyboard: the Back button, then Enter; what was typed is kept.
    await tabTo(page, 'wizard-back');
    await page.keyboard.press('Enter');
    await waitStep(page, 'networks');
    expect(await page.locator('[id="networks.ifn.gateway"]').inputValue()).toBe('192.168.122.1');
    await tabTo(page, 'networks.ifn.gateway');
    await page.keyboard.press('Enter');
    await waitStep(page, 'services');
    await typeInto(page, { dns: '192.168.122.1', ntp: '' });
    await page.keyboard.press('Enter');
    await waitStep(page, 'review');
    expect(await page.getByTestId('review').textContent()).toContain(`on ${chosenMac}`);
    violations.push(...(await auditBothSizes(page, '74-a11y-setup-review')));
    await tabTo(page, 'wizard-next');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/jobs\?highlight=/);
    // The new page's heading has focus.
    await page.locator('h1:focus').waitFor();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Jobs');
  });

  it('finds no serious or critical axe violation on any page at either size', async () => {
    const { page } = ui;
    const described = await runStriker(['machines', 'set', MACHINE, '--role', 'node', '--hostname', 'an-a01n01', '--ip', '10.201.10.1'], env);
    expect(described.code, described.stderr).toBe(0);
    const viewer = await runStriker(['user', 'add', 'watcher', '--role', 'viewer'], env, `${PASSWORD}\n`);
    expect(viewer.code, viewer.stderr).toBe(0);

    await open(page, `${base}/jobs`);
    await page.getByTestId('job-table').locator('tbody tr').first().waitFor();
    const jobHref = await page.getByTestId('job-table').locator('tbody tr a').first().getAttribute('href');
    // Every page of the main navigation, whoever added it, and the pages reached from lists.
    const navHrefs = await page.locator('nav[aria-label="Main"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(navHrefs).toContain('/jobs');
    const paths = [...new Set([...navHrefs, jobHref!, `/machines/${MACHINE}`, '/no-such-page'])];
    for (const path of paths) {
      await open(page, `${base}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => undefined);
      const name = `75-a11y${path.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}`.slice(0, 60);
      violations.push(...(await auditBothSizes(page, name)));
    }

    // Form controls' borders stand out from their background by at least 3:1 (SC 1.4.11).
    await open(page, `${base}/repos`);
    await page.getByTestId('add-repo-form').waitFor();
    const borders = (await page.evaluate(`[...document.querySelectorAll('main input, main select')].map((e) => {
      const st = getComputedStyle(e);
      return { id: e.id, border: st.borderTopColor, background: st.backgroundColor };
    })`)) as { id: string; border: string; background: string }[];
    expect(borders.length).toBeGreaterThan(3);
    for (const b of borders) expect(contrast(b.border, b.background), `${b.id}: ${b.border} on ${b.background}`).toBeGreaterThanOrEqual(3);

    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await page.locator('main h1').first().waitFor();
    violations.push(...(await auditBothSizes(page, '76-a11y-login')));
    await open(page, `${base}/session-expired`);
    await page.locator('main h1').first().waitFor();
    violations.push(...(await auditBothSizes(page, '77-a11y-session-expired')));
    expect(violations, violations.join('\n')).toEqual([]);
    // The audit itself can fail: an unlabelled field added to the page is reported.
    await page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\\'unlabelled\\'>')");
    expect((await seriousViolations(page)).map((v) => v.id)).toContain('label');
  });

  it('lets a keyboard user skip the navigation straight to the page', async () => {
    const { page } = ui;
    await open(page, `${base}/login`);
    await page.locator('#username').fill('watcher');
    await page.locator('#password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);
    await open(page, `${base}/jobs`);
    await page.getByTestId('job-filters').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('skip-link');
    await page.keyboard.press('Enter');
    expect(await focusedId(page)).toBe('main');
    // The next Tab lands inside the page (its filter), not in the navigation.
    await page.keyboard.press('Tab');
    const landed = String(await page.evaluate('document.activeElement?.outerHTML.slice(0, 120)'));
    expect(await page.evaluate("document.activeElement?.closest('main') !== null"), landed).toBe(true);
  });
});
