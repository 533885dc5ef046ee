/**
 * The Strikers page in real Chromium against two real `striker serve`s (each on its own embedded
 * PostgreSQL): the other Striker's admin API token is made on its Users page; an address that is
 * not https is refused beside its field; adding the other Striker
 * shows it replicating; a row edited on both while partitioned shows up as an unresolved
 * conflict, and keeping the discarded version from the page makes it the value on both Strikers,
 * with an audit row. Each Striker names the other by the host name its wizard set (the node id as
 * a detail), on the Strikers page and in the dashboard's Strikers panel. Screenshots at 1280×800
 * and 390 wide.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchUi, open, screenshots, type UiBrowser } from '../../support/ui-browser.js';
import { sampleIdentity } from '../../../striker/setup/sample-identity.js';
import { eventually, SIDE_PASSWORD, sideApi, sideSql, startSide, type Side } from '../../support/striker-sides.js';
import { peerStateText } from '../../../ui/src/lib/peers.js';

let a: Side;
let b: Side;
let ui: UiBrowser;
const A_HOST = 'an-striker01.alteeve.example';
const B_HOST = 'an-striker02.alteeve.example';

async function login(page: Page, side: Side): Promise<void> {
  await open(page, `${side.url}/login`);
  await page.locator('[id="username"]').fill(side.admin);
  await page.locator('[id="password"]').fill(SIDE_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  // Login lands on the dashboard.
  await page.waitForURL(`${side.url}/`);
}

async function displayName(side: Side, username: string): Promise<string | undefined> {
  return (await sideSql<{ display_name: string }>(side, 'SELECT display_name FROM users WHERE username = $1', [username]))[0]?.display_name;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startSide('ua'), startSide('ub')]);
  // Each Striker's identity as its setup wizard stores it: the host name its peer will show.
  for (const [side, hostName] of [[a, A_HOST], [b, B_HOST]] as const) {
    const stored = await sideApi(side, 'PUT', '/api/setup/identity', sampleIdentity({ hostName, sequence: hostName === B_HOST ? 2 : 1 }));
    if (stored.status >= 300) throw new Error(`identity of ${side.name}: ${stored.status} ${JSON.stringify(stored.body)}`);
  }
  ui = await launchUi();
}, 180_000);

afterAll(async () => {
  await ui?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('the Strikers page', () => {
  it('adds a peer, shows it replicating, and settles a conflict from the page', async () => {
    const { page } = ui;
    // The admin API token A presents to B is made on B's Users page, not with the CLI: a bad
    // validity is refused beside its field, and the secret is shown once.
    await login(page, b);
    await open(page, `${b.url}/users`);
    await page.locator('[id="token-name"]').fill('made-on-the-page');
    await page.locator('[id="token-days"]').fill('soon');
    await page.getByTestId('make-token').click();
    await expect(page.locator('[data-error-for="token-days"]').textContent()).resolves.toMatch(/days/);
    await page.locator('[id="token-days"]').fill('30');
    await page.getByTestId('make-token').click();
    const madeToken = (await page.getByTestId('new-token').textContent())!.trim();
    await page.locator('tr[data-token="made-on-the-page"]').waitFor();
    expect(madeToken.length).toBeGreaterThan(20);

    await login(page, a);
    await open(page, `${a.url}/strikers`);
    await expect(page.getByTestId('self').textContent()).resolves.toContain(a.name);
    await page.getByTestId('no-peers').waitFor();

    // A plain-http address off loopback is refused beside its field.
    await page.locator('[id="peer-address"]').fill('http://10.0.0.9:8080/');
    await page.locator('[id="peer-token"]').fill(madeToken);
    await page.getByTestId('add-peer').click();
    await expect(page.locator('[data-error-for="peer-address"]').textContent()).resolves.toMatch(/https/);

    await page.locator('[id="peer-address"]').fill(`${b.url}/`);
    await page.getByTestId('add-peer').click();
    await page.getByTestId('strikers-notice').filter({ hasText: `Peered with ${B_HOST} (node id ${b.name})` }).waitFor();
    const peerRow = page.locator(`tr[data-peer="${b.name}"]`);
    await peerRow.and(page.locator('[data-state="replicating"]')).waitFor({ timeout: 30_000 });
    // The peer is named by its host name; its node id is a detail beside its address.
    await expect(peerRow.getByTestId('peer-host-name').textContent()).resolves.toBe(B_HOST);
    await expect(peerRow.getByTestId('peer-detail').textContent()).resolves.toBe(`node id ${b.name} · ${b.url}/`);
    // B learned A's host name from the join, the same way.
    const onB = await sideApi<{ peers: { name: string; hostName: string | null }[] }>(b, 'GET', '/api/peers');
    expect(onB.body.peers).toEqual([expect.objectContaining({ name: a.name, hostName: A_HOST })]);
    // The dashboard's Strikers panel names it the same way.
    await open(page, `${a.url}/`);
    const panelPeer = page.getByTestId('panel-strikers').locator(`[data-testid="dashboard-peer"][data-peer="${b.name}"]`);
    await panelPeer.waitFor();
    expect(await panelPeer.locator('strong').textContent()).toBe(B_HOST);
    expect(await panelPeer.textContent()).toContain(`Node id ${b.name}`);
    // Its replication state in the same words as the Strikers page, not the API's name for it.
    const badge = panelPeer.locator('.status');
    const peerState = (await badge.getAttribute('data-state')) as keyof typeof peerStateText;
    expect(await badge.textContent()).toBe(peerStateText[peerState]);
    await open(page, `${a.url}/strikers`);

    // A row both sides hold (A's admin, copied to B), edited on both while partitioned.
    await eventually('A\'s admin on B', () => displayName(b, a.admin), (v) => v !== undefined);
    await sideSql(a, `ALTER SUBSCRIPTION striker_sub_${b.name} DISABLE`);
    await sideSql(b, `ALTER SUBSCRIPTION striker_sub_${a.name} DISABLE`);
    await eventually('apply workers stopped', async () => (await sideSql(a, 'SELECT pid FROM pg_stat_subscription WHERE pid IS NOT NULL')).length + (await sideSql(b, 'SELECT pid FROM pg_stat_subscription WHERE pid IS NOT NULL')).length, (n) => n === 0);
    await sideSql(a, 'UPDATE users SET display_name = $1 WHERE username = $2', ['Set on A', a.admin]);
    await new Promise((r) => setTimeout(r, 50));
    await sideSql(b, 'UPDATE users SET display_name = $1 WHERE username = $2', ['Set on B (newer)', a.admin]);
    await sideSql(a, `ALTER SUBSCRIPTION striker_sub_${b.name} ENABLE`);
    await sideSql(b, `ALTER SUBSCRIPTION striker_sub_${a.name} ENABLE`);
    await eventually('converged on the newer value', async () => [await displayName(a, a.admin), await displayName(b, a.admin)], (v) => v[0] === 'Set on B (newer)' && v[1] === 'Set on B (newer)');

    const row = page.locator('tr[data-conflict]').filter({ hasText: 'Set on A' });
    await eventually('the conflict on the page', async () => {
      await page.reload();
      await page.locator('body[data-hydrated]').waitFor();
      return row.count();
    }, (n) => n === 1);
    await expect(row.getByTestId('kept').textContent()).resolves.toBe('display_name: "Set on B (newer)"');
    await expect(row.getByTestId('discarded').textContent()).resolves.toBe('display_name: "Set on A"');
    // No credential of the row reaches the page (the password hash is in the stored versions).
    expect(await page.content()).not.toMatch(/scrypt|password_hash":/);
    await screenshots(page, 'strikers');

    await row.getByTestId('keep-discarded').click();
    await page.getByTestId('strikers-notice').filter({ hasText: 'settled' }).waitFor();
    await eventually('the discarded version restored on both', async () => [await displayName(a, a.admin), await displayName(b, a.admin)], (v) => v[0] === 'Set on A' && v[1] === 'Set on A');
    const audit = await sideSql<{ action: string; actor_name: string }>(a, "SELECT action, actor_name FROM audit_log WHERE action = 'striker.conflict.resolve'");
    expect(audit).toEqual([{ action: 'striker.conflict.resolve', actor_name: a.admin }]);
    // The settlement reaches B by replication: B's list of open conflicts loses it soon after.
    await eventually('the conflict settled on B too', async () => {
      const open2 = await sideApi<unknown[]>(b, 'GET', '/api/conflicts?unresolved=true');
      return open2.body.filter((c) => JSON.stringify(c).includes('Set on A')).length;
    }, (n) => n === 0);
    expect(ui.pageErrors).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  }, 180_000);
});
