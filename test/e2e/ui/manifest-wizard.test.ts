/**
 * The install-manifest wizard in real Chromium against a real `striker serve` (built by
 * `npm run build`), on a fresh Striker with two registered node hosts (machines with the role
 * node, agent credentials issued at registration, inventories reported): every step with several
 * bad fields shows every problem at once beside its field (aria-invalid, described by its
 * message, focus on the first); Back and a reload keep the input; the fence device form comes
 * from fence_apc_snmp's own metadata; the review shows the plan and the diagram; Run shows the job
 * graph, and progress an agent reports appears live; editing the stored manifest shows its
 * secrets as "set" and keeps them. Screenshots of each step at 1280×800 and
 * 390 wide under test-artifacts/screenshots.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../../../striker/agent/index.js';
import { siteKeys } from '../../../striker/core/secrets/index.js';
import { openManifestSecrets } from '../../../striker/manifest/index.js';
import { recordAgentStart, saveInventory } from '../../../striker/agent/host-agent-store.js';
import type { Inventory } from '../../../striker/agent/inventory-schema.js';
import type { TestDatabase } from '../../support/test-database.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { screenshots, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
const NODES = ['52:54:00:d1:00:01', '52:54:00:d1:00:02'] as const;
const hostIdOf = (mac: string) => mac.replaceAll(':', '-');
const credentials = new Map<string, string>();
let t: TestDatabase;
let dataDir: string;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

const field = (page: Page, id: string) => page.locator(`[id="${id}"]`);
const errorsOf = (page: Page, id: string) => page.locator(`[id="${id}--errors"]`);

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

async function login(page: Page): Promise<void> {
  await logIn(page, base, 'admin', PASSWORD);
}

async function next(page: Page, to: string): Promise<void> {
  await page.getByTestId('next').click();
  await page.waitForURL(`**/${to}`);
  await page.locator(`form[data-step="${to}"], [data-testid="review"]`).first().waitFor();
}

/** What an agent does, over the agent API with the host's credential. */
async function agent(mac: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}/api/agent/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credentials.get(mac)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return text === '' ? null : JSON.parse(text);
}

beforeAll(async () => {
  s = await startUiStriker({ name: 'manifest-ui', users: [{ name: 'admin', role: 'admin', password: PASSWORD }] });
  ({ striker, ui, base, dataDir } = s);
  t = s.t!;
  for (const [i, mac] of NODES.entries()) {
    const n = i + 1;
    await t.db.write(`INSERT INTO machines (mac, role, state, hostname) VALUES ($1, 'node', 'installed', $2)`, [mac, `an-a01n0${n}`]);
    const issued = await t.db.tx((tx) => issueCredentialAtRegistration(tx, hostIdOf(mac), `10.201.10.${n}`));
    credentials.set(mac, issued.credential);
    await recordAgentStart(t.db, { hostId: hostIdOf(mac), instanceId: `inst-node-000${n}`, version: '0.1.0', strikerUrl: base });
    await saveInventory(t.db, hostIdOf(mac), inventory(n));
  }
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('web UI, the install manifest wizard', () => {
  it('shows every problem of a step at once, beside its field, with focus on the first', async () => {
    const { page } = ui;
    await login(page);
    await page.getByRole('link', { name: 'Manifests' }).click();
    await page.getByTestId('new-manifest').click();
    await page.locator('form[data-step="pair"]').waitFor();
    expect(await field(page, 'pair.prefix').inputValue()).toBe('an');
    await screenshots(page, '70-manifest-pair');

    await field(page, 'pair.prefix').fill('toolong');
    await field(page, 'pair.sequence').fill('seven');
    await field(page, 'pair.domain').fill('not a domain');
    await page.getByTestId('next').click();
    const summary = page.getByTestId('problem-summary');
    await summary.waitFor();
    const bad = ['pair.prefix', 'pair.sequence', 'pair.domain', 'clusterPassword'];
    for (const id of bad) {
      expect(await field(page, id).getAttribute('aria-invalid'), id).toBe('true');
      expect(await field(page, id).getAttribute('aria-describedby'), id).toContain(`${id}--errors`);
      expect((await errorsOf(page, id).textContent())?.trim(), id).not.toBe('');
    }
    expect(await summary.locator('li').count()).toBeGreaterThanOrEqual(bad.length);
    expect(await page.evaluate('document.activeElement?.id')).toBe('pair.prefix');
    expect(await field(page, 'pair.description').getAttribute('aria-invalid')).toBeNull();
    expect(page.url()).toMatch(/\/manifests\/new\/pair$/);
    await screenshots(page, '71-manifest-pair-errors');

    await field(page, 'pair.prefix').fill('an');
    await field(page, 'pair.sequence').fill('1');
    await field(page, 'pair.domain').fill('example.lan');
    await field(page, 'clusterPassword').fill('a cluster secret 1');
    await next(page, 'networks');
    expect(await page.getByTestId('problem-summary').count()).toBe(0);
  });

  it('walks the networks and hosts steps with the numbering plan; Back and a reload keep the input', async () => {
    const { page } = ui;
    expect(await field(page, 'networks.0.subnet').inputValue()).toBe('10.201.0.0/16');
    expect(await field(page, 'networks.1.subnet').inputValue()).toBe('10.101.0.0/16');
    expect(await field(page, 'networks.2.mtu').inputValue()).toBe('1500');
    expect(await page.locator('fieldset[data-network="bcn1"]').textContent()).toContain('Strikers, the nodes and their IPMI');
    // Two bad fields at once on this step too.
    await field(page, 'networks.2.subnet').fill('192.168.122.0');
    await field(page, 'networks.0.mtu').fill('90000');
    await page.getByTestId('next').click();
    await page.getByTestId('problem-summary').waitFor();
    expect(await field(page, 'networks.2.subnet').getAttribute('aria-invalid')).toBe('true');
    expect(await field(page, 'networks.0.mtu').getAttribute('aria-invalid')).toBe('true');
    await field(page, 'networks.2.subnet').fill('192.168.122.0/24');
    await field(page, 'networks.2.gateway').fill('192.168.122.1');
    await field(page, 'networks.0.mtu').fill('1500');
    await field(page, 'dns').fill('192.168.122.1');
    await screenshots(page, '72-manifest-networks');

    // Back keeps what was typed on both steps.
    await page.getByTestId('back').click();
    await page.waitForURL('**/pair');
    expect(await field(page, 'pair.domain').inputValue()).toBe('example.lan');
    await next(page, 'networks');
    expect(await field(page, 'networks.2.subnet').inputValue()).toBe('192.168.122.0/24');
    await next(page, 'hosts');

    await field(page, 'hosts.node1.machine').selectOption(NODES[0]);
    await field(page, 'hosts.node2.machine').selectOption(NODES[1]);
    expect(await field(page, 'hosts.node1.addresses.bcn1').inputValue()).toBe('10.201.10.1');
    expect(await field(page, 'hosts.node2.addresses.sn1').inputValue()).toBe('10.101.10.2');
    expect(await field(page, 'hosts.node1.addresses.ifn1').inputValue()).toBe('192.168.122.11');
    // The links come from the inventory: Anvil!-named NICs are picked, with link state and speed shown.
    expect(await field(page, 'hosts.node1.links.bcn1.macs.0').inputValue()).toBe('52:54:00:d1:11:01');
    expect(await field(page, 'hosts.node1.links.bcn1.macs.1').inputValue()).toBe('52:54:00:d1:12:01');
    const option = await field(page, 'hosts.node1.links.sn1.macs.1').locator('option', { hasText: 'eno9' }).textContent();
    expect(option).toContain('no link');
    expect(option).toContain('10 Gb/s');

    // A reload keeps the draft (the session's copy).
    await page.reload();
    await page.locator('form[data-step="hosts"]').waitFor();
    expect(await field(page, 'hosts.node2.machine').inputValue()).toBe(NODES[1]);
    await screenshots(page, '73-manifest-hosts');
    // The cluster password is not kept across the reload: it is typed again on the pair step.
    await page.goto(`${base}/manifests/new/pair`);
    await field(page, 'clusterPassword').fill('a cluster secret 1');
    await next(page, 'networks');
    await next(page, 'hosts');
    await next(page, 'fencing');
  });

  it('generates the fence device form from the agent metadata and stores the manifest', async () => {
    const { page } = ui;
    for (const n of ['node1', 'node2']) {
      expect(await field(page, `hosts.${n}.ipmi.address`).inputValue()).toBe(`10.201.11.${n.at(-1)}`);
    }
    // Both BMC passwords missing: both problems at once.
    await page.getByTestId('next').click();
    await page.getByTestId('problem-summary').waitFor();
    expect(await field(page, 'hosts.node1.ipmi.password').getAttribute('aria-invalid')).toBe('true');
    expect(await field(page, 'hosts.node2.ipmi.password').getAttribute('aria-invalid')).toBe('true');
    await field(page, 'hosts.node1.ipmi.password').fill('bmc secret 1');
    await field(page, 'hosts.node2.ipmi.password').fill('bmc secret 2');

    await page.getByTestId('add-fence-device').click();
    await field(page, 'fenceDevices.0.agent').selectOption('fence_apc_snmp');
    // Fields the agent's metadata declares: its address (required), and its password as a secret.
    await field(page, 'fenceDevices.0.parameters.ip').waitFor();
    expect(await field(page, 'fenceDevices.0.password').getAttribute('type')).toBe('password');
    await field(page, 'fenceDevices.0.parameters.ip').fill('10.201.2.1');
    await field(page, 'fenceDevices.0.parameters.username').fill('apc');
    await field(page, 'fenceDevices.0.password').fill('pdu secret');
    await field(page, 'hosts.node1.pduOutlets.pdu1').fill('1');
    await field(page, 'hosts.node2.pduOutlets.pdu1').fill('2');
    // The agent's metadata types its parameters: a port that is not a number is refused beside its field.
    await field(page, 'fenceDevices.0.parameters.ipport').fill('one-six-one');
    await page.getByTestId('next').click();
    await errorsOf(page, 'fenceDevices.0.parameters.ipport').waitFor();
    expect(await errorsOf(page, 'fenceDevices.0.parameters.ipport').textContent()).toContain('whole number');
    expect(await page.evaluate('document.activeElement?.id')).toBe('fenceDevices.0.parameters.ipport');
    await field(page, 'fenceDevices.0.parameters.ipport').fill('161');
    await screenshots(page, '74-manifest-fencing');
    await next(page, 'power');

    await page.getByTestId('add-ups').click();
    await field(page, 'upses.0.address').fill('10.201.3.1');
    await field(page, 'upses.0.upsName').fill('ups1');
    await screenshots(page, '75-manifest-power');
    await page.getByTestId('next').click();
    await page.waitForURL(/\/manifests\/[0-9a-f-]{36}\/review$/);
    await page.getByTestId('review').waitFor();

    const stored = await t.db.query<{ name: string; document: string }>(`SELECT name, document::text FROM manifests`);
    expect(stored.rows.map((r) => r.name)).toEqual(['an-anvil-01']);
    for (const secret of ['a cluster secret 1', 'bmc secret 1', 'pdu secret']) expect(stored.rows[0]!.document).not.toContain(secret);
  });

  it('reviews the plan and the diagram, runs, and shows the job graph with live progress', async () => {
    const { page } = ui;
    const review = page.getByTestId('review');
    const diagram = page.getByTestId('pair-diagram');
    expect(await diagram.locator('svg title').first().textContent()).toContain('an-anvil-01');
    expect(await diagram.locator('[data-box="host:node1"]').textContent()).toContain('an-a01n01');
    expect(await diagram.locator('g.bus').count()).toBe(3);
    expect(await page.getByTestId('pair-diagram-text').textContent()).toContain('an-a01n01 is fenced by IPMI at 10.201.11.1, then pdu1 outlet 1.');
    const plan = await review.getByTestId('plan').textContent();
    expect(plan).toContain('an-a01n02');
    expect(plan).toContain('10.101.10.2');
    await screenshots(page, '76-manifest-review');

    await page.getByTestId('run').click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const graph = page.getByTestId('run-graph');
    await graph.waitFor();
    const network1 = graph.locator('[data-testid="run-job"][data-kind="host.configure-network"][data-target="node1"]');
    await network1.waitFor();
    const join1 = graph.locator('[data-testid="run-job"][data-kind="cluster.join"][data-target="node1"]');
    // The join runs once the check and both subnodes' networks have succeeded: it waits, not held.
    expect(await join1.getAttribute('class')).not.toContain('held');
    expect(await join1.getByTestId('job-state').textContent()).toMatch(/^Waiting for .*Configure the host's networks \(node1\)/);

    // node1's agent takes its network job and reports progress: the page shows it live.
    const instanceId = 'inst-node-0001';
    await agent(NODES[0], 'hello', { instanceId, version: '0.1.0', strikerUrl: base });
    const claimed = (await agent(NODES[0], 'jobs/claim', { instanceId, kinds: ['host.configure-network'], waitSeconds: 0 })) as { jobs: { id: string }[] };
    expect(claimed.jobs).toHaveLength(1);
    const jobId = claimed.jobs[0]!.id;
    await agent(NODES[0], `jobs/${jobId}/progress`, { instanceId, progress: 40, message: 'Writing the bond keyfiles' });
    await graph.locator(`[data-testid="run-job"][data-target="node1"][data-kind="host.configure-network"][data-progress="40"]`).waitFor();
    expect(await network1.getByTestId('job-state').textContent()).toContain('Writing the bond keyfiles');
    await screenshots(page, '77-manifest-run');
    await agent(NODES[0], `jobs/${jobId}/finish`, { instanceId, outcome: { kind: 'succeeded' } });
    await graph.locator(`[data-testid="run-job"][data-target="node1"][data-kind="host.configure-network"][data-status="succeeded"]`).waitFor();
  });

  it('edits the stored manifest: its secrets show as set and are kept', async () => {
    const { page } = ui;
    await page.getByRole('link', { name: 'Manifests' }).click();
    await page.getByTestId('manifests').getByRole('link', { name: 'Edit' }).click();
    await page.locator('form[data-step="pair"]').waitFor();
    expect(await page.locator('[data-field="clusterPassword"] [data-testid="secret-set"]').textContent()).toBe('set');
    expect(await field(page, 'clusterPassword').inputValue()).toBe('');
    await field(page, 'pair.description').fill('Rack 4, row B');
    await next(page, 'networks');
    await next(page, 'hosts');
    await next(page, 'fencing');
    expect(await page.getByTestId('secret-set').count()).toBe(3);
    await next(page, 'power');
    await page.getByTestId('next').click();
    await page.getByTestId('review').getByText('Rack 4, row B').waitFor();
    // Kept, not replaced: the stored secrets still open to what was typed first.
    const stored = await t.db.query<{ id: string; description: string }>(`SELECT id, document->'pair'->>'description' AS description FROM manifests`);
    expect(stored.rows.map((r) => r.description)).toEqual(['Rack 4, row B']);
    const secrets = await openManifestSecrets({ db: t.db, keys: siteKeys(dataDir) }, stored.rows[0]!.id);
    expect(secrets.get('clusterPassword')).toBe('a cluster secret 1');
    expect(secrets.get('hosts.node2.ipmi')).toBe('bmc secret 2');
    expect(secrets.get('fenceDevices.pdu1')).toBe('pdu secret');
    expect(ui.pageErrors).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
