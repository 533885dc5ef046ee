/**
 * The setup wizard of a fresh Striker done with the keyboard alone, in real Chromium against a
 * real `striker serve`: focus moves with Tab and Shift-Tab, buttons are pressed with Enter and
 * Space, text is typed into the focused field, and nothing is clicked. Every control that takes
 * focus shows a visible focus ring; a step refused by the server puts focus on its first field in
 * error (tied to its message); a new step puts focus on its heading; every step, Back included,
 * is reachable, and finishing leads to the apply job. Then the install-manifest wizard the same
 * way, on two registered node hosts: each step is entered at its own heading, a refused step puts
 * focus on its first field in error, machines are chosen in their selects by typing, and the
 * manifest is stored and reviewed.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../../striker/agent/index.js';
import { recordAgentStart, saveInventory } from '../../../striker/agent/host-agent-store.js';
import type { Inventory } from '../../../striker/agent/inventory-schema.js';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { open, screenshots, type UiBrowser, startUiStriker, type UiStriker } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

interface Focused {
  id: string;
  testid: string;
  tag: string;
  step: string | null;
  invalid: boolean;
  describedBy: string;
  /** Whether the focused element draws a focus indicator (an outline or a shadow). */
  ring: boolean;
}

const NODES = ['52:54:00:d1:00:01', '52:54:00:d1:00:02'] as const;

/** A node's inventory: NICs named as Anvil! names them, so the wizard pairs them with the networks. */
function inventory(n: number): Inventory {
  const nic = (name: string, port: number, operstate = 'up') =>
    ({ name, mac: `52:54:00:d${n}:1${port}:0${n}`, operstate, speedMbps: 10000, kind: 'physical' as const, master: null, members: [] });
  return {
    systemUuid: `4c4c4544-0000-1000-8000-00000000000${n}`,
    hostName: `an-a01n0${n}`,
    cpu: { model: 'AMD EPYC 7313P', count: 32 },
    memoryBytes: 128 * 2 ** 30,
    disks: [],
    nics: [nic('bcn1_link1', 1), nic('bcn1_link2', 2), nic('sn1_link1', 3), nic('ifn1_link1', 4), nic('eno9', 5, 'down')],
  };
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(`(() => {
    const e = document.activeElement;
    const cs = getComputedStyle(e);
    return {
      id: e.id || '',
      testid: e.getAttribute('data-testid') || '',
      tag: e.tagName,
      step: e.closest('form[data-step]')?.getAttribute('data-step') ?? null,
      invalid: e.getAttribute('aria-invalid') === 'true',
      describedBy: e.getAttribute('aria-describedby') || '',
      ring: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1) || cs.boxShadow !== 'none',
    };
  })()`);
}

/** Every control focus passed through, for the focus-ring check. */
const visited: Focused[] = [];

/** Presses Tab (or Shift-Tab) until the element with this id (or data-testid) has focus. */
async function tabTo(page: Page, id: string, back = false): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (['INPUT', 'SELECT', 'BUTTON', 'A', 'TEXTAREA'].includes(f.tag)) visited.push(f);
    if (f.id === id || f.testid === id) return;
  }
  throw new Error(`Tab never reached #${id}; focus is on ${JSON.stringify(await focused(page))}`);
}

/** Tabs to a text field and types `text` into it, replacing what it held. */
async function typeInto(page: Page, id: string, text: string): Promise<void> {
  await tabTo(page, id);
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

/** Polls a page expression from here (a string predicate in the page would need eval, which the CSP refuses). */
async function until(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression).catch(() => false))) {
    if (Date.now() > end) throw new Error(`never true: ${expression}; focus is on ${JSON.stringify(await focused(page).catch(() => null))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function headingFocused(page: Page, step: string): Promise<void> {
  await page.locator(`form[data-step="${step}"]`).waitFor();
  await until(page, `document.activeElement?.tagName === 'H2' && document.activeElement.closest('form[data-step]')?.getAttribute('data-step') === ${JSON.stringify(step)}`);
}

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-kbd' });
  ({ striker, ui, base } = s);
  t = s.t!;
  for (const [i, mac] of NODES.entries()) {
    const n = i + 1;
    const hostId = mac.replaceAll(':', '-');
    await t.db.write(`INSERT INTO machines (mac, role, state, hostname) VALUES ($1, 'node', 'installed', $2)`, [mac, `an-a01n0${n}`]);
    await t.db.tx((tx) => issueCredentialAtRegistration(tx, hostId, `10.201.10.${n}`));
    await recordAgentStart(t.db, { hostId, instanceId: `inst-node-000${n}`, version: '0.1.0', strikerUrl: base });
    await saveInventory(t.db, hostId, inventory(n));
  }
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('setup wizard, keyboard only', () => {
  it('reaches every step with Tab, Shift-Tab, Enter and Space, focus on the first error and on each new heading', async () => {
    const { page } = ui;
    await open(page, `${base}/setup`);
    await page.locator('form[data-step="admin"]').waitFor();

    // The skip link is the first stop, and Enter on it moves focus into the main content.
    await page.keyboard.press('Tab');
    expect((await page.evaluate('document.activeElement.getAttribute("data-testid")'))).toBe('skip-link');
    expect((await focused(page)).ring).toBe(true);

    // Admin step: a refused step puts focus on its first field in error, tied to its message.
    await typeInto(page, 'username', '9bad name');
    await typeInto(page, 'password', 'short');
    await typeInto(page, 'confirm', 'short');
    await tabTo(page, 'wizard-next');
    await page.keyboard.press('Enter');
    await until(page, `document.activeElement?.id === 'username'`);
    const first = await focused(page);
    expect(first.invalid).toBe(true);
    expect(first.describedBy).toMatch(/username-error-0/);
    expect(await page.locator('[id="username-error-0"]').textContent()).toContain('must start with a letter');
    await screenshots(page, '40-keyboard-first-error');

    // Focus is on the user name: type over it, Tab on, fix the passwords, Enter in the last field submits.
    await page.keyboard.press('Control+a');
    await page.keyboard.type('admin');
    await typeInto(page, 'displayName', 'Site Admin');
    await typeInto(page, 'password', PASSWORD);
    await typeInto(page, 'confirm', PASSWORD);
    await page.keyboard.press('Enter');
    await headingFocused(page, 'host');

    // Host step; Shift-Tab goes back from the domain to the number.
    await typeInto(page, 'prefix', 'an');
    await typeInto(page, 'sequence', '1');
    await typeInto(page, 'domain', 'alteeve.example');
    await tabTo(page, 'sequence', true);
    expect((await focused(page)).id).toBe('sequence');
    await typeInto(page, 'domain', 'alteeve.example');
    await tabTo(page, 'wizard-next');
    await page.keyboard.press('Enter');
    await headingFocused(page, 'networks');

    // Networks: Back with Space returns to the host step, its input kept; Next again with Space.
    await tabTo(page, 'wizard-back');
    await page.keyboard.press('Space');
    await headingFocused(page, 'host');
    expect(await page.locator('[id="domain"]').inputValue()).toBe('alteeve.example');
    await tabTo(page, 'wizard-next');
    await page.keyboard.press('Space');
    await headingFocused(page, 'networks');
    await typeInto(page, 'networks.ifn.subnet', '192.168.122.0/24');
    await typeInto(page, 'networks.ifn.address', '192.168.122.300');
    await typeInto(page, 'networks.ifn.gateway', '192.168.122.1');
    await tabTo(page, 'wizard-next');
    await page.keyboard.press('Enter');
    await until(page, `document.activeElement?.id === 'networks.ifn.address'`);
    expect((await focused(page)).invalid).toBe(true);
    await page.keyboard.press('Control+a');
    await page.keyboard.type('192.168.122.10');
    await tabTo(page, 'wizard-next');
    await page.keyboard.press('Enter');
    await headingFocused(page, 'services');

    await typeInto(page, 'dns', '192.168.122.1');
    await typeInto(page, 'mtu', '1500');
    await page.keyboard.press('Enter');
    await headingFocused(page, 'review');
    expect(await page.getByTestId('review').textContent()).toContain('192.168.122.10 in 192.168.122.0/24');
    await screenshots(page, '41-keyboard-review');

    await tabTo(page, 'wizard-next');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/jobs\?highlight=/);

    // Every control focus passed through drew a visible focus ring.
    const withoutRing = visited.filter((f) => !f.ring).map((f) => `${f.tag}#${f.id}`);
    expect(withoutRing).toEqual([]);
    expect(visited.length).toBeGreaterThan(20);
  }, 180_000);
});

describe('install-manifest wizard, keyboard only', () => {
  /** Enter on the focused Next button, then the new step's heading has focus. */
  async function nextStep(page: Page, to: string): Promise<void> {
    await tabTo(page, 'next');
    await page.keyboard.press('Enter');
    await until(page, `location.pathname.endsWith('/${to}') || document.querySelector('[data-testid="problem-summary"]') !== null`);
    const summary = page.getByTestId('problem-summary');
    if ((await summary.count()) > 0) throw new Error(`the step was refused: ${await summary.textContent()}`);
    await headingFocused(page, to);
  }

  it('walks pair, networks, hosts, fencing and power to the review without a click', async () => {
    const { page } = ui;
    visited.length = 0;
    // The setup above made the admin; log in with the keyboard.
    await open(page, `${base}/login`);
    await typeInto(page, 'username', 'admin');
    await typeInto(page, 'password', PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);
    await open(page, `${base}/manifests`);
    await tabTo(page, 'new-manifest');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/pair');
    await headingFocused(page, 'pair');

    // Pair: two bad fields; focus goes to the first, tied to its message.
    await typeInto(page, 'pair.prefix', 'toolong');
    await typeInto(page, 'pair.domain', 'not a domain');
    await tabTo(page, 'next');
    await page.keyboard.press('Enter');
    await until(page, `document.activeElement?.id === 'pair.prefix'`);
    expect(await focused(page)).toMatchObject({ invalid: true, describedBy: expect.stringContaining('pair.prefix--errors') });
    await page.keyboard.press('Control+a');
    await page.keyboard.type('an');
    await typeInto(page, 'pair.domain', 'example.lan');
    await typeInto(page, 'clusterPassword', 'a cluster secret 1');
    await nextStep(page, 'networks');

    await typeInto(page, 'networks.2.subnet', '192.168.122.0/24');
    await typeInto(page, 'networks.2.gateway', '192.168.122.1');
    await typeInto(page, 'dns', '192.168.122.1');
    await nextStep(page, 'hosts');

    // A select is chosen by typing the start of its option, as a keyboard user does.
    await tabTo(page, 'hosts.node1.machine');
    await page.keyboard.type('an-a01n01');
    await tabTo(page, 'hosts.node2.machine');
    await page.keyboard.type('an-a01n02');
    await until(page, `document.getElementById('hosts.node1.addresses.bcn1')?.value === '10.201.10.1'`);
    await nextStep(page, 'fencing');

    await typeInto(page, 'hosts.node1.ipmi.password', 'bmc secret 1');
    await typeInto(page, 'hosts.node2.ipmi.password', 'bmc secret 2');
    await nextStep(page, 'power');
    await screenshots(page, '42-keyboard-manifest-power');

    await tabTo(page, 'next');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/manifests\/[0-9a-f-]{36}\/review$/);
    await page.getByTestId('review').waitFor();
    const stored = await t.db.query<{ name: string }>('SELECT name FROM manifests');
    expect(stored.rows.map((r) => r.name)).toEqual(['an-anvil-01']);

    const withoutRing = visited.filter((f) => !f.ring).map((f) => `${f.tag}#${f.id}`);
    expect(withoutRing).toEqual([]);
  }, 180_000);
});
