/**
 * One clear per ended cause, on a real database and a real SMTP sink: the conditions cleared
 * together (`with`) are all closed, but only the most severe one whose set was sent sends a clear,
 * to every recipient its level reaches and every recipient who received a set of the others; the
 * rest are closed silently with their clear message kept in the history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertHistory } from '../../../cluster/scancore/alerts/actions.js';
import { listAlerts, updateRecipient } from '../../../cluster/scancore/alerts/alert-store.js';
import { clearAlert, flushHeldAlerts, raiseAlert } from '../../../cluster/scancore/alerts/raise-alert.js';
import { alertsFixture, RELAY_PASSWORD, RELAY_USER, type AlertsFixture } from './alerts-fixture.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink({ username: RELAY_USER, password: RELAY_PASSWORD });
});
afterAll(() => sink.close());

const source = 'scancore';
const vars = { node: 'node2', survivor: 'node1', servers: 'srv1', reason: 'on battery', nodes: 'node1 and node2' };
const power = (host: string) => ({
  shed: { source, host, key: 'power:withdraw-node', level: 'warning' as const, messageKey: 'scancore.decision.shed_load', variables: vars },
  shutdown: { source, host, key: 'power:shutdown', level: 'critical' as const, messageKey: 'scancore.decision.shutdown', variables: vars },
  boot: { source, host, key: 'power:boot-nodes', level: 'notice' as const, messageKey: 'scancore.decision.boot', variables: vars },
});
const causeClear = (host: string, cause: string) => ({
  source,
  host,
  key: `${cause}:migrate-servers`,
  with: [`${cause}:withdraw-node`, `${cause}:shutdown`, `${cause}:boot-nodes`],
  messageKey: cause === 'power' ? 'scancore.decision.power_restored' : 'scancore.decision.thermal_normal',
  variables: { pair: host, nodes: 'node1 and node2' },
});

/** The mails received since `before`, as "recipient subject", sorted. */
async function mailsSince(before: number, count: number): Promise<string[]> {
  return (await sink.waitFor(before + count)).slice(before).map((m) => `${m.envelopeTo[0]} ${m.parsed.subject}`).sort();
}

async function setUp(f: AlertsFixture, tag: string): Promise<Record<string, string>> {
  await f.addRelay(sink.port, 0);
  return {
    ops: await f.addRecipient({ name: 'Ops', email: `ops-${tag}@example.lan`, language: 'en', level: 'warning' }),
    boss: await f.addRecipient({ name: 'Boss', email: `boss-${tag}@example.lan`, language: 'en', level: 'critical' }),
    night: await f.addRecipient({ name: 'Night', email: `night-${tag}@example.lan`, language: 'en', level: 'info' }),
  };
}

describe('one clear per ended cause', () => {
  it('load shed, shutdown and boot sent: power back closes all three and sends one clear to each recipient of any set', async () => {
    const f = await alertsFixture({ holdSeconds: 0 });
    try {
      const r = await setUp(f, 'a');
      const p = power('pair-a');
      const before = sink.received.length;
      expect(await raiseAlert(f.deps, p.shed)).toMatchObject({ sent: 'set', deliveries: 2 });
      f.advance(60);
      expect(await raiseAlert(f.deps, p.shutdown)).toMatchObject({ sent: 'set', deliveries: 3 });
      f.advance(600);
      expect(await raiseAlert(f.deps, p.boot)).toMatchObject({ sent: 'set', deliveries: 1 });
      await f.runDeliveryJobs();
      await mailsSince(before, 6);
      // Night stops wanting mail about this pair: it received sets of the cause, so it still gets the clear.
      await updateRecipient(f.t.db, r.night!, { name: 'Night', email: 'night-a@example.lan', language: 'en', level: 'none' });

      f.advance(60);
      const change = await clearAlert(f.deps, causeClear('pair-a', 'power'));
      expect(change).toMatchObject({ state: 'cleared', sent: 'clear', deliveries: 3 });
      expect((await f.runDeliveryJobs()).map((d) => [d.email, d.status]).sort()).toEqual([
        ['boss-a@example.lan', 'sent'],
        ['night-a@example.lan', 'sent'],
        ['ops-a@example.lan', 'sent'],
      ]);
      const subject = '[Cleared] pair-a: Mains power is back for pair-a: node1 and node2 are on and in the cluster.';
      expect(await mailsSince(before + 6, 3)).toEqual([`boss-a@example.lan ${subject}`, `night-a@example.lan ${subject}`, `ops-a@example.lan ${subject}`]);

      const { alerts } = await listAlerts(f.t.db, { host: 'pair-a', limit: 10, offset: 0 });
      expect(alerts.map((a) => [a.key, a.state, a.clearSent, a.clearMessageKey]).sort()).toEqual([
        ['power:boot-nodes', 'cleared', false, 'scancore.decision.power_restored'],
        ['power:shutdown', 'cleared', true, 'scancore.decision.power_restored'],
        ['power:withdraw-node', 'cleared', false, 'scancore.decision.power_restored'],
      ]);
      const history = await alertHistory(f.deps, { host: 'pair-a' });
      expect(history.alerts.every((a) => a.clearMessage === 'Mains power is back for pair-a: node1 and node2 are on and in the cluster.')).toBe(true);
      expect(history.alerts.flatMap((a) => a.deliveries.filter((d) => d.kind === 'clear')).length).toBe(3);

      // The cause ended: clearing it again changes and sends nothing.
      expect(await clearAlert(f.deps, causeClear('pair-a', 'power'))).toEqual({ alertId: null, state: null, sent: null, deliveries: 0 });
      expect(await f.runDeliveryJobs()).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('a cause that raised one alert still gets its clear, to the recipients its level reaches', async () => {
    const f = await alertsFixture({ holdSeconds: 0 });
    try {
      await setUp(f, 'b');
      const before = sink.received.length;
      await raiseAlert(f.deps, { source, host: 'pair-b', key: 'thermal:withdraw-node', level: 'warning', messageKey: 'scancore.decision.withdraw', variables: vars });
      await f.runDeliveryJobs();
      await mailsSince(before, 2);
      expect(await clearAlert(f.deps, causeClear('pair-b', 'thermal'))).toMatchObject({ state: 'cleared', sent: 'clear', deliveries: 2 });
      await f.runDeliveryJobs();
      const subject = '[Cleared] pair-b: Temperatures of pair-b are normal again: node1 and node2 are on and in the cluster.';
      expect(await mailsSince(before + 2, 2)).toEqual([`night-b@example.lan ${subject}`, `ops-b@example.lan ${subject}`]);
    } finally {
      await f.close();
    }
  });

  it('a bad condition in with is refused with the field named', async () => {
    const f = await alertsFixture({ holdSeconds: 0 });
    try {
      await expect(clearAlert(f.deps, { ...causeClear('pair-d', 'power'), with: ['power:shutdown', ''] })).rejects.toMatchObject({ problems: [{ path: 'with.1' }] });
      await expect(clearAlert(f.deps, { ...causeClear('pair-d', 'power'), with: Array.from({ length: 51 }, (_, i) => `k${i}`) })).rejects.toMatchObject({ problems: [{ path: 'with' }] });
    } finally {
      await f.close();
    }
  });

  it('with a hold window: the one clear is held and sent once; a set never sent is closed without mail', async () => {
    const f = await alertsFixture({ holdSeconds: 60 });
    try {
      await setUp(f, 'c');
      const p = power('pair-c');
      const before = sink.received.length;
      await raiseAlert(f.deps, p.shed);
      f.advance(60);
      await raiseAlert(f.deps, p.shutdown);
      f.advance(60);
      await flushHeldAlerts(f.deps);
      await f.runDeliveryJobs();
      await mailsSince(before, 5);
      // Boot raised but still held when power is back: its set is never sent.
      await raiseAlert(f.deps, p.boot);
      f.advance(10);
      const change = await clearAlert(f.deps, causeClear('pair-c', 'power'));
      expect(change).toMatchObject({ state: 'clearing', sent: null, deliveries: 0 });
      f.advance(60);
      expect(await flushHeldAlerts(f.deps)).toEqual([{ alertId: change.alertId, state: 'cleared', sent: 'clear', deliveries: 3 }]);
      await f.runDeliveryJobs();
      const subject = '[Cleared] pair-c: Mains power is back for pair-c: node1 and node2 are on and in the cluster.';
      expect(await mailsSince(before + 5, 3)).toEqual([`boss-c@example.lan ${subject}`, `night-c@example.lan ${subject}`, `ops-c@example.lan ${subject}`]);
      const { alerts } = await listAlerts(f.t.db, { host: 'pair-c', limit: 10, offset: 0 });
      expect(alerts.map((a) => [a.key, a.state, a.setSent, a.clearSent]).sort()).toEqual([
        ['power:boot-nodes', 'cleared', false, false],
        ['power:shutdown', 'cleared', true, true],
        ['power:withdraw-node', 'cleared', true, false],
      ]);
      expect(await flushHeldAlerts(f.deps)).toEqual([]);
    } finally {
      await f.close();
    }
  });
});
