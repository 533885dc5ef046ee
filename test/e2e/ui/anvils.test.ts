/**
 * The Cluster pages in real Chromium against a real `striker serve` (built, `npm run build`), with
 * stored cluster state (two nodes' reports built from the lab's captured outputs; no lab): the
 * list and the pair's page render nodes, links, fence history and the age of the state; withdrawing
 * the servers' last healthy node is refused with the reason shown in the confirmation, and the
 * forced withdraw is queued as a `node.withdraw` job on that node's host. Each node's health score is
 * plotted on the pair's page, and the DRBD resources its nodes' scans read are shown there. The
 * dashboard lists the pair with its nodes.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectClusterReport } from '../../../cluster/ops/cluster-collector.js';
import { saveClusterReport } from '../../../cluster/ops/cluster-report-store.js';
import { drbdReadings } from '../../../cluster/scancore/agents/drbd-agent.js';
import { parseDrbdStatus } from '../../../cluster/scancore/parsers/drbd.js';
import { stampReadings } from '../../../cluster/scancore/reading.js';
import { saveReadings } from '../../../cluster/scancore/readings-store.js';
import { agentArea } from '../../../striker/agent/index.js';
import type { CommandRunner } from '../../../striker/core/command/run-command.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { quietLogger, type TestDatabase } from '../../support/test-database.js';
import { open, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
const fixture = (path: string) => readFileSync(new URL(`../../../cluster/fixtures/${path}`, import.meta.url), 'utf8');
const hosts = { node1: '52-54-00-00-cf-21', node2: '52-54-00-00-cf-22' } as const;
let t: TestDatabase;
let striker: ServeProcess;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

async function report(node: string, crmMon: string) {
  const run: CommandRunner = async (argv) => {
    const out: Record<string, string> = { crm_node: node, crm_mon: crmMon, 'corosync-cfgtool': fixture('corosync/cfgtool-mn-down.txt'), stonith_admin: fixture('crm_mon/stonith-history-node1.xml'), cibadmin: '<cib><configuration/></cib>' };
    return { argv, exitCode: 0, stdout: out[argv[0]!] ?? '', stderr: '', durationMs: 1 };
  };
  return (await collectClusterReport({ run, readFile: async () => 'cluster_name: labcl', hostName: node, timeoutMs: 1000 }))!;
}

beforeAll(async () => {
  s = await startUiStriker({ name: 'striker-ui-anvils', users: [{ name: 'admin', role: 'admin', password: PASSWORD }] });
  ({ striker, ui, base } = s);
  t = s.t!;
  const area = agentArea({ db: t.db, logger: quietLogger, inventoryMaxBytes: 8192 });
  for (const hostId of Object.values(hosts)) await t.db.tx((tx) => area.onRegistered(tx, hostId, '10.201.10.1'));
  // node2 in standby: node1 is the last node able to run the server `dummy`.
  const standby = fixture('crm_mon/two-nodes-online.xml').replace('name="node2" id="2" online="true" standby="false"', 'name="node2" id="2" online="true" standby="true"');
  await saveClusterReport(t.db, hosts.node1, await report('node1', standby), Date.now());
  await saveClusterReport(t.db, hosts.node2, await report('node2', standby), Date.now());
}, 180_000);

afterAll(async () => {
  await s?.close();
});

async function login(page: Page): Promise<void> {
  await logIn(page, base, 'admin', PASSWORD);
}

describe('the Cluster pages', () => {
  it('render the stored state; a refused withdraw shows the reason; the forced one is queued', async () => {
    const { page } = ui;
    await login(page);
    await page.getByRole('link', { name: 'Cluster' }).first().click();
    await page.waitForURL(`${base}/anvils`);
    const row = page.getByTestId('anvils').locator('tbody tr');
    await expect.poll(() => row.first().innerText()).toMatch(/labcl\s+node1 online, node2 standby\s+quorate\s+1 \/ 1 running/);
    // Two health scores of node1 within the last day; none of node2: the pair page plots each node's.
    await t.db.query(
      `INSERT INTO health_scores (host_id, score, reasons, scored_at) VALUES ($1, 0, '[]', now() - interval '30 minutes'), ($1, 5, '[]', now() - interval '5 minutes')`,
      [hosts.node1],
    );
    await page.getByRole('link', { name: 'labcl' }).click();
    await page.waitForURL(`${base}/anvils/labcl`);
    await expect.poll(() => page.getByTestId('plot-health-node1').getAttribute('data-points')).toBe('2');
    expect(await page.getByTestId('plot-health-node1').innerText()).toMatch(/now 5 \(lowest 0, highest 5\)/);
    expect(await page.getByTestId('plot-health-node2').innerText()).toContain('No readings in this range.');
    await expect.poll(() => page.getByTestId('node-node2').innerText()).toMatch(/link 1 198\.18\.2\.2: node1 disconnected/);
    expect(await page.getByTestId('anvil-state').innerText()).toMatch(/State from node\d, \d+ s old\. Quorate, DC node2\./);
    expect(await page.getByTestId('fence-history').innerText()).toContain('reboot of node1: success by node2 at 2026-12-06 11:54:13Z');

    await page.getByTestId('action-node1-withdraw').click();
    await page.getByTestId('confirm-action').click();
    await expect.poll(() => page.getByTestId('refusal').innerText()).toBe('node1 is the last node able to run server dummy: node2 cannot take it because it is in standby. Withdrawing node1 from the cluster would stop it. Use force to do it anyway.');
    await page.getByTestId('confirm-force').click();
    await expect.poll(() => page.getByTestId('action-queued').innerText()).toMatch(/^withdraw of node1 queued \(job [0-9a-f-]{36}\)$/);
    const { rows } = await t.db.query<{ kind: string; target_host: string }>(`SELECT kind, target_host FROM jobs WHERE kind = 'node.withdraw'`);
    expect(rows).toEqual([{ kind: 'node.withdraw', target_host: hosts.node1 }]);
  }, 120_000);

  it('shows each pair and its nodes on the dashboard, linked to the pair’s page', async () => {
    const { page } = ui;
    await open(page, `${base}/`);
    const pair = page.locator('[data-testid="dashboard-pair"][data-pair="labcl"]');
    await pair.waitFor();
    expect(await pair.innerText()).toMatch(/labcl\s+quorate\s+node1 online · node2 standby\s+1 of 1 server running/);
    await pair.getByRole('link', { name: 'labcl' }).click();
    await page.waitForURL(`${base}/anvils/labcl`);
    expect(ui.pageErrors).toEqual([]);
  });

  it('shows the DRBD resources each node’s scan read, live, on the pair’s page', async () => {
    const { page } = ui;
    await open(page, `${base}/anvils/labcl`);
    await page.getByTestId('drbd-node1').waitFor();
    expect(await page.getByTestId('drbd-node2').innerText()).toContain('No DRBD readings');
    await page.locator('[data-testid="live"][data-state="live"]').waitFor();
    // node1's scan of a resource syncing to its peer (the published drbdsetup sample), stored after the page was read.
    const readings = drbdReadings(parseDrbdStatus(readFileSync(new URL('../../fixtures/scancore/drbd/status-sync-source.json', import.meta.url), 'utf8')));
    await saveReadings(t.db, stampReadings(hosts.node1, Date.now(), readings, []));
    const row = page.getByTestId('drbd-node1-1-single-0');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.innerText()).toMatch(/node1\s+1-single-0\s+Primary\s+0: UpToDate\s+SLE15-sp1-gm-drbd1145296-node1: Connected, 0: SyncSource \(37\.5 % in sync\)/);
    expect(await row.getAttribute('data-status')).toBe('warning');
    expect(await page.getByTestId('drbd-node1').count()).toBe(0);
    expect(ui.pageErrors).toEqual([]);
  });
});
