/**
 * A machine's agent on its page in real Chromium against a real `striker serve` (built by
 * `npm run build`): a registered host's agent (version, last heartbeat, the Striker it talks to,
 * its inventory); an admin rotates (the new credentials file shown once) and revokes; a machine
 * that never registered says so; a viewer gets no buttons. Screenshots at 1280×800 and 390 wide.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../../striker/agent/index.js';
import { recordAgentStart, saveInventory } from '../../../striker/agent/host-agent-store.js';
import type { Inventory } from '../../../striker/agent/inventory-schema.js';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { logIn, open, screenshots, startUiStriker, type UiBrowser, type UiStriker } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
const REGISTERED = '52:54:00:ae:00:01';
const NEVER = '52:54:00:ae:00:02';
const hostId = REGISTERED.replaceAll(':', '-');
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

const inventory: Inventory = {
  systemUuid: '4c4c4544-0034-3510-8052-b4c04f4e4d32',
  hostName: 'an-a01n01',
  cpu: { model: 'AMD EPYC 7313P', count: 32 },
  memoryBytes: 128 * 2 ** 30,
  disks: [{ name: 'sda', path: '/dev/sda', type: 'disk', sizeBytes: 480103981056, model: 'SAMSUNG MZ7LH480', serial: 'S45PNA0M123456', rotational: false, removable: false, children: ['sda1'] }],
  nics: [
    { name: 'bcn1_bond1', mac: '52:54:00:ae:00:01', operstate: 'up', speedMbps: 10000, kind: 'bond', master: null, members: ['bcn1_link1'] },
    { name: 'bcn1_link1', mac: '52:54:00:ae:00:01', operstate: 'up', speedMbps: 10000, kind: 'physical', master: 'bcn1_bond1', members: [] },
  ],
};

async function login(page: Page, username: string): Promise<void> {
  await logIn(page, base, username, PASSWORD);
}

beforeAll(async () => {
  s = await startUiStriker({ name: 'ag-ui', users: [{ name: 'admin', role: 'admin', password: PASSWORD }, { name: 'watcher', role: 'viewer', password: PASSWORD }] });
  ({ striker, ui, base } = s);
  t = s.t!;
  for (const mac of [REGISTERED, NEVER]) await t.db.write(`INSERT INTO machines (mac, role, state, hostname) VALUES ($1, 'node', 'installed', $2)`, [mac, mac === REGISTERED ? 'an-a01n01' : 'an-a01n02']);
  await t.db.tx((tx) => issueCredentialAtRegistration(tx, hostId, '10.201.10.1'));
  await recordAgentStart(t.db, { hostId, instanceId: 'inst-ui-0001', version: '0.1.0', strikerUrl: 'http://10.201.4.1' });
  await saveInventory(t.db, hostId, inventory);
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('web UI, a host\'s agent', () => {
  it('shows the agent and its inventory; an admin rotates and revokes its credential', async () => {
    const { page } = ui;
    await login(page, 'admin');
    await open(page, `${base}/machines/${REGISTERED}`);
    const panel = page.getByTestId('host-agent');
    await panel.getByTestId('agent-version').filter({ hasText: '0.1.0' }).waitFor();
    expect(await panel.getByTestId('agent-striker').textContent()).toBe('http://10.201.4.1');
    const inv = await panel.getByTestId('agent-inventory').textContent();
    expect(inv).toContain('32 × AMD EPYC 7313P');
    expect(inv).toContain('128.0 GiB');
    expect(await panel.textContent()).toContain('S45PNA0M123456');
    expect(await panel.textContent()).toContain('bcn1_link1');
    await screenshots(page, '60-machine-agent');

    page.once('dialog', (d) => void d.accept());
    await panel.getByTestId('agent-rotate').click();
    const shown = await panel.getByTestId('rotated').locator('pre').textContent();
    expect(JSON.parse(shown!)).toMatchObject({ hostId, credential: expect.stringMatching(/^sta_/) });
    page.once('dialog', (d) => void d.accept());
    await panel.getByTestId('agent-revoke').click();
    await panel.getByText('none: revoked').waitFor();
    expect(await panel.getByTestId('agent-revoke').count()).toBe(0);
    const audit = await t.db.query<{ action: string }>(`SELECT action FROM audit_log WHERE target_id = $1 AND actor_name = 'admin' ORDER BY at`, [hostId]);
    expect(audit.rows.map((r) => r.action)).toEqual(['agent.credential.revoke', 'agent.credential.rotate', 'agent.credential.revoke']);
    expect(ui.pageErrors).toEqual([]);
  });

  it('says a machine never registered, and shows a viewer no buttons', async () => {
    const { page } = ui;
    await open(page, `${base}/machines/${NEVER}`);
    await page.getByTestId('agent-none').waitFor();
    await login(page, 'watcher');
    await open(page, `${base}/machines/${REGISTERED}`);
    await page.getByTestId('agent-version').waitFor();
    expect(await page.getByTestId('agent-rotate').count()).toBe(0);
    expect(await page.getByTestId('agent-revoke').count()).toBe(0);
  });
});
