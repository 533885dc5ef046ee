/**
 * Alerts end to end on a real database and real SMTP sinks with AUTH: raise and clear through the
 * de-bounce, recipients chosen by level and per-host override, e-mails sent through relays in
 * failover order, failed deliveries recorded with every relay's error and sent on a later try.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearAlert, flushHeldAlerts, raiseAlert } from '../../../cluster/scancore/alerts/raise-alert.js';
import { deliverJobKind } from '../../../cluster/scancore/alerts/alert-delivery.js';
import { findAlert, findDeliveries, listAlerts } from '../../../cluster/scancore/alerts/alert-store.js';
import type { JobContext } from '../../../striker/jobs/job-kind.js';
import { alertsFixture, RELAY_USER, RELAY_PASSWORD, type AlertsFixture } from './alerts-fixture.js';
import { closedPort, startSmtpSink, type SmtpSink } from './smtp-sink.js';

let sink: SmtpSink;
let refusing: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink({ username: RELAY_USER, password: RELAY_PASSWORD });
  refusing = await startSmtpSink({ username: RELAY_USER, password: RELAY_PASSWORD, refuseAuth: true });
});
afterAll(async () => {
  await sink.close();
  await refusing.close();
});

const fan = { source: 'scancore.ipmi', host: 'an-a01n01', key: 'fan:FAN2' };

describe('raise, de-bounce and clear', () => {
  let f: AlertsFixture;
  beforeAll(async () => {
    f = await alertsFixture({ holdSeconds: 60 });
    await f.addRelay(sink.port, 0);
    await f.addRecipient({ name: 'Ops', email: 'ops@example.lan', language: 'en', level: 'warning' });
    await f.addRecipient({ name: 'Boss', email: 'boss@example.lan', language: 'en', level: 'critical' });
    await f.addRecipient({ name: 'Night', email: 'night@example.lan', language: 'en', level: 'info', overrides: [{ host: 'an-a01n02', level: 'none' }] });
  });
  afterAll(() => f.close());

  it('holds a set for the window, sends it once to the recipients its level reaches, then the clear once', async () => {
    const before = sink.received.length;
    const first = await raiseAlert(f.deps, { ...fan, level: 'warning', messageKey: 'scancore.ipmi.fan_failed', variables: { sensor: 'FAN2', value: 0, minimum: 1200 } });
    expect(first).toMatchObject({ state: 'pending', sent: null, deliveries: 0 });
    f.advance(10);
    expect(await raiseAlert(f.deps, { ...fan, level: 'warning', messageKey: 'scancore.ipmi.fan_failed' })).toMatchObject({ alertId: first.alertId, state: 'pending', sent: null });
    f.advance(20);
    expect(await flushHeldAlerts(f.deps)).toEqual([]);
    f.advance(30);
    expect(await flushHeldAlerts(f.deps)).toEqual([{ alertId: first.alertId, state: 'raised', sent: 'set', deliveries: 2 }]);
    expect((await f.runDeliveryJobs()).map((r) => [r.email, r.status]).sort()).toEqual([['night@example.lan', 'sent'], ['ops@example.lan', 'sent']]);
    const set = (await sink.waitFor(before + 2)).slice(before);
    expect(set.map((m) => m.envelopeTo[0]).sort()).toEqual(['night@example.lan', 'ops@example.lan']);
    for (const m of set) {
      expect(m.parsed.subject).toBe('[Warning] an-a01n01: Fan FAN2 has failed (0 RPM, minimum 1200 RPM).');
      expect(m.parsed.headers.get('x-striker-alert-level')).toBe('warning');
      expect(m.parsed.text).toContain('Host: an-a01n01\nSource: scancore.ipmi\nRaised at: 2026-03-01T10:00:00.000Z');
      expect(m.user).toBe(RELAY_USER);
    }

    // A repeat is not re-sent.
    f.advance(100);
    expect(await raiseAlert(f.deps, { ...fan, level: 'warning', messageKey: 'scancore.ipmi.fan_failed' })).toMatchObject({ state: 'raised', sent: null });
    expect(await f.runDeliveryJobs()).toEqual([]);

    // The clear is held, then sent once.
    expect(await clearAlert(f.deps, { ...fan, messageKey: 'scancore.ipmi.fan_restored', variables: { sensor: 'FAN2', value: 5400 } })).toMatchObject({ state: 'clearing', sent: null });
    f.advance(60);
    expect(await flushHeldAlerts(f.deps)).toEqual([{ alertId: first.alertId, state: 'cleared', sent: 'clear', deliveries: 2 }]);
    expect(await clearAlert(f.deps, fan)).toEqual({ alertId: null, state: null, sent: null, deliveries: 0 });
    expect((await f.runDeliveryJobs()).every((r) => r.status === 'sent')).toBe(true);
    const clear = (await sink.waitFor(before + 4)).slice(before + 2);
    expect(clear.map((m) => m.parsed.subject)).toEqual(['[Cleared] an-a01n01: Fan FAN2 is working again (5400 RPM).', '[Cleared] an-a01n01: Fan FAN2 is working again (5400 RPM).']);
    const row = await findAlert(f.t.db, first.alertId!);
    expect(row).toMatchObject({ state: 'cleared', setSent: true, clearSent: true, clearedAt: new Date('2026-03-01T10:02:40Z') });
  });

  it('a set and clear flapping inside the window send nothing', async () => {
    const before = sink.received.length;
    const ups = { source: 'scancore.ups', host: 'an-a01n02', key: 'ups1:on_battery' };
    await raiseAlert(f.deps, { ...ups, level: 'critical', messageKey: 'scancore.ups.on_battery', variables: { ups: 'ups1', charge: 98, runtime: 1800 } });
    f.advance(5);
    expect(await clearAlert(f.deps, ups)).toMatchObject({ state: 'cleared', sent: null });
    f.advance(120);
    expect(await flushHeldAlerts(f.deps)).toEqual([]);
    expect(await f.runDeliveryJobs()).toEqual([]);
    expect(sink.received.length).toBe(before);
    const { alerts } = await listAlerts(f.t.db, { host: 'an-a01n02', limit: 10, offset: 0 });
    expect(alerts.map((a) => [a.state, a.setSent])).toEqual([['cleared', false]]);
  });

  it('per-host override: night is muted for an-a01n02, boss gets critical', async () => {
    const before = sink.received.length;
    await raiseAlert(f.deps, { source: 'scancore.storage', host: 'an-a01n02', key: 'md0', level: 'critical', messageKey: 'scancore.storage.array_degraded', variables: { array: 'md0', detail: '1 of 2 disks' } });
    f.advance(60);
    await flushHeldAlerts(f.deps);
    await f.runDeliveryJobs();
    const got = (await sink.waitFor(before + 2)).slice(before);
    expect(got.map((m) => m.envelopeTo[0]).sort()).toEqual(['boss@example.lan', 'ops@example.lan']);
    expect(got[0]!.parsed.subject).toBe('[Critical] an-a01n02: Array md0 is degraded: 1 of 2 disks.');
    expect(got[0]!.parsed.headers.get('x-striker-alert-level')).toBe('critical');
  });
});

describe('escalation', () => {
  it('a more severe set for an open condition is sent again at the new level; a less severe one is a repeat', async () => {
    const f = await alertsFixture({ holdSeconds: 0 });
    try {
      await f.addRelay(sink.port, 0);
      await f.addRecipient({ name: 'Ops', email: 'ops4@example.lan', language: 'en', level: 'warning' });
      await f.addRecipient({ name: 'Boss', email: 'boss4@example.lan', language: 'en', level: 'critical' });
      const temp = { source: 'scancore.ipmi', host: 'an-a01n01', key: 'temp:CPU1' };
      const before = sink.received.length;
      const warn = await raiseAlert(f.deps, { ...temp, level: 'warning', messageKey: 'scancore.ipmi.temperature_high', variables: { sensor: 'CPU1', value: 81, limit: 80 } });
      expect(warn).toMatchObject({ sent: 'set', deliveries: 1 });
      expect((await f.runDeliveryJobs()).map((r) => r.status)).toEqual(['sent']);
      expect(await raiseAlert(f.deps, { ...temp, level: 'warning', messageKey: 'scancore.ipmi.temperature_high', variables: { sensor: 'CPU1', value: 83, limit: 80 } })).toMatchObject({ sent: null });
      const crit = await raiseAlert(f.deps, { ...temp, level: 'critical', messageKey: 'scancore.ipmi.temperature_high', variables: { sensor: 'CPU1', value: 95, limit: 90 } });
      expect(crit).toEqual({ alertId: warn.alertId, state: 'raised', sent: 'set', deliveries: 2 });
      expect(await raiseAlert(f.deps, { ...temp, level: 'warning', messageKey: 'scancore.ipmi.temperature_high' })).toMatchObject({ sent: null });
      expect((await f.runDeliveryJobs()).map((r) => r.status)).toEqual(['sent', 'sent']);
      const got = (await sink.waitFor(before + 3)).slice(before).map((m) => `${m.envelopeTo[0]} ${m.parsed.subject}`).sort();
      expect(got).toEqual([
        'boss4@example.lan [Critical] an-a01n01: Temperature CPU1 is 95 °C, above the limit of 90 °C.',
        'ops4@example.lan [Critical] an-a01n01: Temperature CPU1 is 95 °C, above the limit of 90 °C.',
        'ops4@example.lan [Warning] an-a01n01: Temperature CPU1 is 81 °C, above the limit of 80 °C.',
      ]);
      expect(await findAlert(f.t.db, warn.alertId!)).toMatchObject({ level: 'critical', variables: { sensor: 'CPU1', value: 95, limit: 90 } });
    } finally {
      await f.close();
    }
  });
});

describe('relay failover', () => {
  it('the first relay down: the second is used and recorded', async () => {
    const f = await alertsFixture({ holdSeconds: 0 });
    try {
      await f.addRelay(await closedPort(), 0);
      const second = await f.addRelay(sink.port, 1);
      await f.addRecipient({ name: 'Ops', email: 'ops2@example.lan', language: 'en', level: 'info' });
      const before = sink.received.length;
      const change = await raiseAlert(f.deps, { source: 'scancore.link', host: 'an-a01n01', key: 'bcn1_link1', level: 'notice', messageKey: 'scancore.link.down', variables: { link: 'bcn1_link1' } });
      expect(change).toMatchObject({ state: 'raised', sent: 'set', deliveries: 1 });
      const [result] = await f.runDeliveryJobs();
      expect(result).toMatchObject({ email: 'ops2@example.lan', status: 'sent', serverId: second });
      const [m] = (await sink.waitFor(before + 1)).slice(before);
      expect(m!.envelopeTo).toEqual(['ops2@example.lan']);
      expect(m!.parsed.subject).toBe('[Notice] an-a01n01: Network link bcn1_link1 is down.');
      expect(m!.parsed.text).toMatch(/^Network link bcn1_link1 is down\.\n\nLevel: Notice\n/);
      expect((await findDeliveries(f.t.db, [result!.id]))[0]).toMatchObject({ status: 'sent', serverId: second, attempts: 1, error: null });
    } finally {
      await f.close();
    }
  });

  it('both relays failing: the delivery fails with both errors, the job fails (to be retried), and a later try sends it', async () => {
    const f = await alertsFixture({ holdSeconds: 0 });
    try {
      const downPort = await closedPort();
      await f.addRelay(downPort, 0);
      await f.addRelay(refusing.port, 1);
      await f.addRecipient({ name: 'Ops', email: 'ops3@example.lan', language: 'en', level: 'info' });
      await raiseAlert(f.deps, { source: 'scancore.ups', host: 'an-a01n01', key: 'ups1:low', level: 'critical', messageKey: 'scancore.ups.low_battery', variables: { ups: 'ups1', charge: 9, runtime: 120 } });
      const [failed] = await f.runDeliveryJobs();
      expect(failed!.status).toBe('failed');
      expect(failed!.error).toContain(`127.0.0.1:${downPort}: `);
      expect(failed!.error).toMatch(/ECONNREFUSED/);
      expect(failed!.error).toContain(`127.0.0.1:${refusing.port}: `);
      expect(failed!.error).toMatch(/Invalid username or password|535/);
      expect((await findDeliveries(f.t.db, [failed!.id]))[0]).toMatchObject({ status: 'failed', serverId: null, attempts: 1 });

      // The job fails, so the runner retries it later.
      const kind = deliverJobKind(f.deps);
      const ctx = { payload: { deliveries: [failed!.id] }, progress: async () => {} } as unknown as JobContext<unknown>;
      await expect(kind.run(ctx)).rejects.toMatchObject({ code: 'COMMAND_FAILED', message: expect.stringContaining('ops3@example.lan') });

      // A working relay is added; the retry sends it.
      const before = sink.received.length;
      await f.addRelay(sink.port, 2);
      await kind.run(ctx);
      const [m] = (await sink.waitFor(before + 1)).slice(before);
      expect(m!.envelopeTo).toEqual(['ops3@example.lan']);
      expect(m!.parsed.headers.get('x-striker-alert-level')).toBe('critical');
      expect((await findDeliveries(f.t.db, [failed!.id]))[0]).toMatchObject({ status: 'sent', attempts: 3, error: null });
    } finally {
      await f.close();
    }
  });
});
