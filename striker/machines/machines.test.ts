import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { systemActor } from '../audit/audit-store.js';
import { DbTimeline } from './timeline-store.js';
import { describeMachine } from './actions.js';
import { getMachine, listMachines, machineTimeline } from './machine-store.js';
import { ReservationCache } from './reservation-cache.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('boot timeline in PostgreSQL', () => {
  it('records steps in batches and discovers machines by MAC', async () => {
    const discovered: string[] = [];
    const timeline = new DbTimeline({ db: t.db, logger: quietLogger, flushMs: 20, onDiscovered: (m) => discovered.push(...m) });
    const mac = '52:54:00:aa:bb:01';
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, 0, ms));
    timeline.record({ step: 'dhcp.discover', mac, at: at(0), details: { xid: '0x1', firmware: 'bios-pxe' } });
    timeline.record({ step: 'dhcp.offer', mac, ip: '10.201.0.50', at: at(10), details: { xid: '0x1' } });
    timeline.record({ step: 'tftp.transfer', ip: '10.201.0.50', at: at(20), details: { file: 'undionly.kpxe', bytes: 70000 } });
    timeline.record({ step: 'dhcp.ack', mac, ip: '10.201.0.50', at: at(30), details: { firmware: 'ipxe' } });
    await timeline.close();
    expect(discovered).toEqual([mac]);
    const machine = await getMachine(t.db, mac);
    expect(machine).toMatchObject({ mac, state: 'discovered', firmware: 'ipxe', role: null });
    expect(machine.firstSeenAt!.toISOString()).toBe(at(0).toISOString());
    expect(machine.lastSeenAt!.toISOString()).toBe(at(30).toISOString());
    const steps = (await machineTimeline(t.db, mac)).map((e) => e.step);
    expect(steps).toEqual(['dhcp.discover', 'dhcp.offer', 'dhcp.ack']);
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM boot_events WHERE machine_id IS NULL AND host(ip) = '10.201.0.50'");
    expect(rows[0]!.n).toBe(1);
    expect(timeline.stats).toMatchObject({ recorded: 4, written: 4, dropped: 0 });
  });

  it('bounds its queue when the database cannot keep up, counting what it dropped', async () => {
    const timeline = new DbTimeline({ db: t.db, logger: quietLogger, flushMs: 10_000, maxQueue: 100 });
    const base = Date.now();
    for (let i = 0; i < 250; i++) timeline.record({ step: 'dhcp.discover', mac: '52:54:00:aa:bb:02', at: new Date(base + i), details: { i } });
    await timeline.close();
    expect(timeline.stats).toMatchObject({ recorded: 250, dropped: 150, written: 100 });
    const kept = await machineTimeline(t.db, '52:54:00:aa:bb:02');
    expect(kept[0]!.details).toEqual({ i: 150 });
  });

  it('survives a hostile batch without losing the next one', async () => {
    const timeline = new DbTimeline({ db: t.db, logger: quietLogger, flushMs: 5 });
    timeline.record({ step: 'dhcp.discover', mac: 'not-a-mac', ip: '10.1.1.1', at: new Date(), details: { bad: true } });
    timeline.record({ step: 'dhcp.discover', at: new Date(), details: { huge: 'x'.repeat(100_000), nul: 'a\u0000b' } });
    await timeline.flush();
    expect(timeline.stats.failedBatches).toBe(0);
    const { rows } = await t.db.query<{ mac: string | null }>("SELECT mac FROM boot_events WHERE details->>'bad' = 'true'");
    expect(rows).toEqual([{ mac: null }]);
    timeline.record({ step: 'dhcp.discover', mac: '52:54:00:aa:bb:03', ip: '999.1.1.1', at: new Date(), details: { note: "'; DROP TABLE machines; --" } });
    await timeline.close();
    expect((await machineTimeline(t.db, '52:54:00:aa:bb:03'))[0]).toMatchObject({ ip: null, details: { note: "'; DROP TABLE machines; --" } });
  });

  it('lets an operator describe a machine and feeds DHCP reservations', async () => {
    const cache = new ReservationCache(t.db, quietLogger, 60_000);
    await cache.start();
    expect(cache.reservationFor('52:54:00:aa:bb:01')).toBeUndefined();
    const m = await describeMachine(t.db, systemActor, '52:54:00:aa:bb:01', { role: 'node', hostname: 'an-a01n01', reservedIp: '10.201.10.1' });
    expect(m).toMatchObject({ role: 'node', state: 'assigned', reservedIp: '10.201.10.1', hostname: 'an-a01n01' });
    await cache.reload();
    expect(cache.reservationFor('52:54:00:aa:bb:01')).toEqual({ ip: '10.201.10.1', hostname: 'an-a01n01' });
    expect(cache.isReservedAddress('10.201.10.1')).toBe(true);
    await expect(describeMachine(t.db, systemActor, '52:54:00:aa:bb:02', { reservedIp: '10.201.10.1' })).rejects.toThrow(/already reserved/);
    const unknown = await describeMachine(t.db, systemActor, '52:54:00:cc:00:01', { role: 'dr' });
    expect(unknown.state).toBe('assigned');
    expect((await listMachines(t.db)).length).toBe(4);
    cache.stop();
  });

  it('ignores machines nobody described when told to, and only then', async () => {
    const ignoring = new ReservationCache(t.db, quietLogger, 60_000, true);
    await ignoring.start();
    expect(ignoring.ignores('52:54:00:aa:bb:01')).toBe(false); // described above: role node
    expect(ignoring.ignores('52:54:00:99:99:99')).toBe(true);
    ignoring.stop();
    const answering = new ReservationCache(t.db, quietLogger, 60_000);
    await answering.start();
    expect(answering.ignores('52:54:00:99:99:99')).toBe(false);
    answering.stop();
  });
});
