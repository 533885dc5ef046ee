/**
 * The Alerts pages in real Chromium against a real `striker serve` (built, `npm run build`): a mail
 * server pointing at a real smtp-server sink with AUTH and a recipient are added from the page
 * (a bad port, a bad address and a per-host level without a level refused beside their fields), "Send a test e-mail" reaches the
 * sink; an alert raised on the Striker's database is e-mailed by its job runner, shown with its
 * level badge, filtered and acknowledged; a refused filter shows the load error. The ScanCore page:
 * decisions stored through ScanCore's store listed with their words, reasons, outcome and jobs
 * (axe at both sizes with them),
 * filtered by outcome, a new one arriving live; maintenance mode turned on and off in the page,
 * after its confirmation, changing the API's state; a decision's node leads to its host page, whose
 * decisions lead back here filtered by pair. Screenshots at 1280×800 and 390 wide.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '../../../cluster/scancore/alerts/raise-alert.js';
import { renderer } from '../../../cluster/scancore/alerts/render-message.js';
import { maintenanceStates, pairStates, recordDecision } from '../../../cluster/scancore/decisions-store.js';
import { siteKeys } from '../../../striker/core/secrets/index.js';
import { startSmtpSink, type SmtpSink } from '../../interop/alerts/smtp-sink.js';
import { seriousViolations } from '../../support/axe-audit.js';
import type { ServeProcess } from '../../support/striker-process.js';
import { quietLogger, type TestDatabase } from '../../support/test-database.js';
import { apiFromPage, NARROW, open, screenshots, WIDE, type UiBrowser, startUiStriker, type UiStriker, logIn } from '../../support/ui-browser.js';

const PASSWORD = 'correct horse battery';
let t: TestDatabase;
let dataDir: string;
let env: Record<string, string>;
let striker: ServeProcess;
let sink: SmtpSink;
let s: UiStriker;
let ui: UiBrowser;
let base: string;

const field = (page: Page, id: string) => page.locator(`[id="${id}"]`);
const errorsFor = (page: Page, name: string) => page.locator(`[data-error-for="${name}"]`);

beforeAll(async () => {
  // One watched pair (no BMC, no UPS, no readings: ScanCore's rounds decide nothing for it), so the
  // ScanCore page links its nodes to their hosts' pages and the host page lists its decisions.
  const pairs = [{ id: 'an-anvil-07', nodes: [{ name: 'an-a07n01', hostId: '52-54-00-07-00-01' }, { name: 'an-a07n02', hostId: '52-54-00-07-00-02' }] }];
  s = await startUiStriker({ name: 'striker-ui-alerts', users: [{ name: 'admin', role: 'admin', password: PASSWORD }], env: { STRIKER_SCANCORE__PAIRS: JSON.stringify(pairs) } });
  ({ striker, ui, base, dataDir } = s);
  t = s.t!;
  env = s.env;
  sink = await startSmtpSink({ username: 'ui-relay', password: 'relay password from the page' });
}, 180_000);

afterAll(async () => {
  await s?.close();
  await sink?.close();
});

async function login(page: Page): Promise<void> {
  await logIn(page, base, 'admin', PASSWORD);
}

describe('the Alerts pages', () => {
  it('adds a mail server and a recipient, sends a test e-mail that arrives, and shows, filters and acknowledges an alert', async () => {
    const { page } = ui;
    await login(page);
    await page.getByRole('link', { name: 'Alerts' }).first().click();
    await page.waitForURL(`${base}/alerts`);
    await page.getByTestId('no-alerts').waitFor();
    await page.getByTestId('alert-settings-link').click();
    await page.waitForURL(`${base}/alerts/settings`);

    // A bad port is refused beside its field.
    await field(page, 'server-host').fill('127.0.0.1');
    await field(page, 'server-port').fill('0');
    await field(page, 'server-security').selectOption('none');
    await field(page, 'server-sender').fill('striker@example.lan');
    await field(page, 'server-username').fill('ui-relay');
    await field(page, 'server-password').fill('relay password from the page');
    await page.getByTestId('add-server').click();
    await expect(errorsFor(page, 'server-port').first().textContent()).resolves.toMatch(/>=\s*1|at least|too small/i);
    await field(page, 'server-port').fill(String(sink.port));
    await page.getByTestId('add-server').click();
    await page.locator(`tr[data-server="127.0.0.1:${sink.port}"]`).waitFor();
    expect(await page.content()).not.toContain('relay password from the page');

    // A bad address and a per-host level without a level are refused, each beside its field.
    await field(page, 'recipient-name').fill('Ops');
    await field(page, 'recipient-email').fill('not an address');
    await field(page, 'recipient-overrides').fill('an-a01n02');
    await page.getByTestId('add-recipient').click();
    await expect(errorsFor(page, 'recipient-email').first().textContent()).resolves.toContain('e-mail address');
    await errorsFor(page, 'recipient-overrides').first().waitFor();
    await field(page, 'recipient-email').fill('ops@example.lan');
    await field(page, 'recipient-level').selectOption('warning');
    await field(page, 'recipient-overrides').fill('an-a01n02=none');
    await page.getByTestId('add-recipient').click();
    await expect(page.locator('tr[data-recipient="ops@example.lan"]').textContent()).resolves.toContain('an-a01n02: none');

    // The test e-mail reaches the sink, authenticated with the stored password.
    await field(page, 'test-to').fill('admin@example.lan');
    await page.getByTestId('send-test-email').click();
    await expect(page.getByTestId('test-email-sent').textContent()).resolves.toContain(`through 127.0.0.1:${sink.port}`);
    const [test] = await sink.waitFor(1);
    expect(test!.user).toBe('ui-relay');
    expect(test!.envelopeTo).toEqual(['admin@example.lan']);
    expect(test!.parsed.subject).toBe('Striker test e-mail');
    await screenshots(page, 'alert-settings');

    // An alert raised on the Striker's database: its job runner sends the e-mail.
    const deps = { db: t.db, keys: siteKeys(dataDir), clock: () => new Date(), settings: { holdSeconds: 0, smtpTimeoutSeconds: 10 }, renderer: renderer(), logger: quietLogger };
    const raised = await raiseAlert(deps, { source: 'scancore.ups', host: 'an-a01n01', key: 'ups1:on_battery', level: 'critical', messageKey: 'scancore.ups.on_battery', variables: { ups: 'ups1', charge: 87, runtime: 1500 } });
    expect(raised).toMatchObject({ sent: 'set', deliveries: 1 });
    const [, alertMail] = await sink.waitFor(2);
    expect(alertMail!.envelopeTo).toEqual(['ops@example.lan']);
    expect(alertMail!.parsed.subject).toBe('[Critical] an-a01n01: UPS ups1 is running on battery (87% charged, 1500 s left).');
    expect(alertMail!.parsed.headers.get('x-striker-alert-level')).toBe('critical');

    await open(page, `${base}/alerts`);
    const row = page.locator(`tr[data-alert="${raised.alertId}"]`);
    await expect(row.getByTestId('level-badge').textContent()).resolves.toBe('critical');
    await expect(row.textContent()).resolves.toContain('UPS ups1 is running on battery');
    await field(page, 'filter-level').selectOption('warning');
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(`${base}/alerts?level=warning`);
    await page.getByTestId('no-alerts').waitFor();
    await field(page, 'filter-level').selectOption('critical');
    await field(page, 'filter-host').fill('an-a01n01');
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(`${base}/alerts?level=critical&host=an-a01n01`);
    await row.getByTestId('acknowledge').click();
    await expect(row.getByTestId('acknowledged').textContent()).resolves.toContain('admin');
    await screenshots(page, 'alerts');

    // A filter the API refuses: the load error, with the message beside the field.
    await open(page, `${base}/alerts?host=${encodeURIComponent('bad host!')}`);
    await expect(page.getByTestId('error-code').textContent()).resolves.toBe('VALIDATION_FAILED');
    await errorsFor(page, 'filter-host').first().waitFor();

    expect(ui.pageErrors).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });

  it('ScanCore page: lists the stored decisions with their reasons and outcome, filters them, shows a new one live, and turns maintenance mode on and off', async () => {
    const { page } = ui;
    const pair = 'an-anvil-07';
    await pairStates(t.db, [pair]);
    const { rows: [failedJob] } = await t.db.query<{ id: string }>(
      `INSERT INTO jobs (kind, status, target_host, last_error, finished_at) VALUES ('servers.migrate', 'failed', '52-54-00-07-00-02', 'migration refused', now()) RETURNING id`,
    );
    const now = Date.now();
    const migrated = await recordDecision(t.db, { pairId: pair, decidedAt: now - 60_000, outcome: 'acted', jobIds: [failedJob!.id],
      decision: { kind: 'migrate-servers', pair, from: 'an-a07n01', to: 'an-a07n02', servers: ['srv-web'], cause: 'health', reasons: ['an-a07n01 scores 5 (fan FAN1 failed), an-a07n02 scores 0, for 120 s'] } });
    const held = await recordDecision(t.db, { pairId: pair, decidedAt: now - 30_000, outcome: 'not-acted', notActedReason: 'not acted: maintenance mode',
      decision: { kind: 'withdraw-node', pair, node: 'an-a07n02', to: 'an-a07n01', servers: ['srv-web'], cause: 'power', reasons: ['every UPS feeding the pair on battery for 120 s'] } });

    await page.getByRole('link', { name: 'ScanCore' }).first().click();
    await page.waitForURL(`${base}/scancore`);
    const row = (id: string) => page.locator(`li[data-decision="${id}"]`);
    await expect(row(migrated).getByTestId('decision-reasons').textContent()).resolves.toContain('fan FAN1 failed');
    await expect(row(migrated).getAttribute('data-result')).resolves.toBe('failed');
    await expect(row(migrated).textContent()).resolves.toContain('Move servers to the healthier node');
    await expect(row(migrated).getByTestId('decision-jobs').textContent()).resolves.toContain('servers.migrate (failed)');
    await expect(row(migrated).getByRole('link', { name: 'servers.migrate' }).getAttribute('href')).resolves.toBe(`/jobs/${failedJob!.id}`);
    await expect(row(migrated).getByTestId('decision-nodes').textContent()).resolves.toMatch(/an-a07n01\s*→\s*an-a07n02/);
    await expect(row(migrated).getByTestId('decision-nodes').getByRole('link', { name: 'an-a07n02' }).getAttribute('href')).resolves.toBe('/hosts/52-54-00-07-00-02');
    await expect(row(held).getByTestId('decision-result').textContent()).resolves.toBe('not acted: maintenance mode');
    await expect(row(held).textContent()).resolves.toContain('Shed load to save battery');
    await expect(row(held).getByTestId('decision-reasons').textContent()).resolves.toContain('every UPS feeding the pair on battery');

    // Filtered by outcome: only the failed one.
    await field(page, 'filter-outcome').selectOption('failed');
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(`${base}/scancore?outcome=failed`);
    await row(held).waitFor({ state: 'detached' });
    await expect(page.locator('li[data-decision]').count()).resolves.toBe(1);
    await field(page, 'filter-outcome').selectOption('');
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(`${base}/scancore`);

    // A decision recorded now arrives on the live channel, without a reload.
    const booted = await recordDecision(t.db, { pairId: pair, decidedAt: Date.now(), outcome: 'not-acted', notActedReason: 'not acted: maintenance mode',
      decision: { kind: 'boot-nodes', pair, nodes: ['an-a07n02'], servers: [], cause: 'power', reasons: ['mains back, best UPS charged to 80 %'] } });
    await expect(row(booted).getByTestId('decision-reasons').textContent()).resolves.toContain('mains back');

    // Maintenance mode on, after a confirmation saying what it means; the API and the page agree.
    const pairRow = page.locator(`tr[data-pair="${pair}"]`);
    await expect(pairRow.getAttribute('data-maintenance')).resolves.toBe('false');
    await pairRow.getByTestId('maintenance-toggle').click();
    const confirm = page.getByTestId('maintenance-confirm');
    await expect(confirm.textContent()).resolves.toMatch(/keep reading .* sending alerts, but it will take no action/s);
    await screenshots(page, 'scancore-confirm');
    await page.getByTestId('maintenance-confirm-yes').click();
    await page.locator(`tr[data-pair="${pair}"][data-maintenance="true"]`).waitFor();
    await expect(pairRow.getByTestId('maintenance-state').textContent()).resolves.toContain('not acting');
    await expect(pairRow.getByTestId('maintenance-changed-by').textContent()).resolves.toContain('on by admin');
    const viaApi = await apiFromPage(page, 'GET', '/api/scancore/maintenance');
    expect((viaApi.json as { pairs: { pairId: string; maintenance: boolean; changedBy: string }[] }).pairs).toEqual([expect.objectContaining({ pairId: pair, maintenance: true, changedBy: 'admin' })]);
    expect(await maintenanceStates(t.db)).toEqual([expect.objectContaining({ pairId: pair, maintenance: true })]);
    // With its data (the page audit sees it empty): no serious or critical axe violation at either size.
    for (const size of [WIDE, NARROW]) {
      await page.setViewportSize(size);
      expect((await seriousViolations(page)).map((v) => `${v.id}: ${v.help}`), `${size.width} wide`).toEqual([]);
    }
    await screenshots(page, 'scancore');

    // And off again.
    await pairRow.getByTestId('maintenance-toggle').click();
    await expect(confirm.textContent()).resolves.toContain('will act for');
    await page.getByTestId('maintenance-confirm-yes').click();
    await page.locator(`tr[data-pair="${pair}"][data-maintenance="false"]`).waitFor();
    expect(await maintenanceStates(t.db)).toEqual([expect.objectContaining({ pairId: pair, maintenance: false })]);

    // The host page lists its pair's decisions and leads to all of them here, filtered by its pair.
    await open(page, `${base}/scancore`);
    await row(migrated).getByTestId('decision-nodes').getByRole('link', { name: 'an-a07n01' }).click();
    await page.waitForURL(`${base}/hosts/52-54-00-07-00-01`);
    await page.getByTestId('decisions').waitFor();
    await page.getByTestId('decisions-link').click();
    await page.waitForURL(`${base}/scancore?pair=${pair}`);
    await expect(field(page, 'filter-pair').inputValue()).resolves.toBe(pair);
    await row(migrated).waitFor();

    // An outcome the API refuses: the load error, with the message beside the field.
    await open(page, `${base}/scancore?outcome=maybe`);
    await expect(page.getByTestId('error-code').textContent()).resolves.toBe('VALIDATION_FAILED');
    await errorsFor(page, 'filter-outcome').first().waitFor();

    expect(ui.pageErrors).toEqual([]);
    expect(ui.cspViolations).toEqual([]);
  });
});
