import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { systemActor } from '../audit/audit-store.js';
import type { DbWriter } from '../db/database.js';
import { DbTimeline, purgeBootEvents } from './timeline-store.js';
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

// After the tests above, which count the machines they made.
describe('bounded boot timelines and confirmed reservations', () => {
  it('caps a machine\'s events when writing them, keeping the newest, however many batches arrive', async () => {
    const mac = '52:54:00:aa:cc:01';
    const timeline = new DbTimeline({ db: t.db, logger: quietLogger, flushMs: 10_000, maxEventsPerMachine: 10 });
    const base = Date.UTC(2026, 0, 1);
    for (let batch = 0; batch < 4; batch++) {
      for (let i = 0; i < 7; i++) timeline.record({ step: 'kickstart.fetched', mac, ip: '10.201.99.9', at: new Date(base + batch * 100 + i), details: { n: batch * 7 + i, outcome: 'refused' } });
      await timeline.flush();
    }
    timeline.record({ step: 'dhcp.discover', mac: '52:54:00:aa:cc:02', at: new Date(base), details: {} });
    for (let i = 0; i < 25; i++) timeline.record({ step: 'kickstart.fetched', mac, at: new Date(base + 1000 + i), details: { n: 100 + i } });
    await timeline.close();
    const kept = await machineTimeline(t.db, mac);
    expect(kept.map((e) => e.details.n)).toEqual([115, 116, 117, 118, 119, 120, 121, 122, 123, 124]);
    expect((await machineTimeline(t.db, '52:54:00:aa:cc:02')).length).toBe(1);
  });

  it('purges boot events by age and beyond each machine\'s cap', async () => {
    const mac = '52:54:00:aa:dd:01';
    const timeline = new DbTimeline({ db: t.db, logger: quietLogger, flushMs: 10_000 });
    const day = 86_400_000;
    for (let i = 0; i < 8; i++) timeline.record({ step: 'kickstart.fetched', mac, at: new Date(Date.now() - (10 - i) * day), details: { n: i } });
    timeline.record({ step: 'tftp.transfer', ip: '10.201.0.77', at: new Date(Date.now() - 30 * day), details: {} });
    await timeline.close();
    const removed = await purgeBootEvents(t.db, 8, 3);
    expect((await machineTimeline(t.db, mac)).map((e) => e.details.n)).toEqual([5, 6, 7]);
    const { rows } = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM boot_events WHERE host(ip) = '10.201.0.77'");
    expect(rows[0]!.n).toBe(0);
    expect(removed).toBeGreaterThanOrEqual(6);
  });

  it('confirms a reservation an admin sets, and not one set by an operator, until an admin sets it again', async () => {
    const mac = '52:54:00:aa:ee:01';
    const operator = { userId: null, name: 'otto', role: 'operator' as const, via: 'session' as const };
    const admin = { ...operator, name: 'ada', role: 'admin' as const };
    expect(await describeMachine(t.db, operator, mac, { role: 'node', reservedIp: '10.201.10.50' })).toMatchObject({ reservedIp: '10.201.10.50', reservedIpConfirmed: false });
    expect(await describeMachine(t.db, admin, mac, { reservedIp: '10.201.10.50' })).toMatchObject({ reservedIpConfirmed: true });
    expect(await describeMachine(t.db, operator, mac, { hostname: 'an-a01n09' })).toMatchObject({ reservedIpConfirmed: true });
    expect(await describeMachine(t.db, operator, mac, { reservedIp: '10.201.10.51' })).toMatchObject({ reservedIp: '10.201.10.51', reservedIpConfirmed: false });
    expect(await describeMachine(t.db, operator, mac, { reservedIp: null })).toMatchObject({ reservedIp: null, reservedIpConfirmed: false });
    expect(await describeMachine(t.db, admin, mac, { reservedIp: '10.201.10.51' })).toMatchObject({ reservedIpConfirmed: true });
  });
});

describe('install disks in PostgreSQL', () => {
  it('keeps every version of the list in the machine\'s history, in order, and null when cleared', async () => {
    const mac = '52:54:00:aa:ff:01';
    expect(await describeMachine(t.db, systemActor, mac, { role: 'node', installDisks: ['sdb', 'sda'] })).toMatchObject({ installDisks: ['sdb', 'sda'] });
    await describeMachine(t.db, systemActor, mac, { installDisks: ['nvme0n1', 'nvme1n1', 'sda'] });
    await describeMachine(t.db, systemActor, mac, { installDisks: null });
    expect((await getMachine(t.db, mac)).installDisks).toBeNull();
    const { rows } = await t.db.query<{ history_op: string; role: string | null; install_disks: string[] | null }>(
      'SELECT history_op, role, install_disks FROM history.machines WHERE mac = $1 ORDER BY history_id',
      [mac],
    );
    expect(rows).toEqual([
      { history_op: 'INSERT', role: null, install_disks: null },
      { history_op: 'UPDATE', role: 'node', install_disks: ['sdb', 'sda'] },
      { history_op: 'UPDATE', role: 'node', install_disks: ['nvme0n1', 'nvme1n1', 'sda'] },
      { history_op: 'UPDATE', role: 'node', install_disks: null },
    ]);
  });

  it('refuses in the table itself a list the action would refuse', async () => {
    const mac = '52:54:00:aa:ff:02';
    await describeMachine(t.db, systemActor, mac, { role: 'dr' });
    for (const bad of [[], ['sda', null], ['/dev/sda'], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], ['sda sdb'], ['sda', 'sda'], ['sda', '']]) {
      await expect(t.db.query('UPDATE machines SET install_disks = $2 WHERE mac = $1', [mac, bad]), JSON.stringify(bad)).rejects.toMatchObject({ code: '23514' });
    }
    await expect(t.db.query("UPDATE machines SET install_disks = '{{sda},{sdb}}' WHERE mac = $1", [mac])).rejects.toMatchObject({ code: '23514' });
    expect((await getMachine(t.db, mac)).installDisks).toBeNull();
  });
});

describe('boot timeline when the database refuses a batch', () => {
  it('writes a batch the database refused again later, logging each refusal, and loses none of its events', async () => {
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    let refusals = 2;
    // The database refuses the first two writes (as while it restarts), then accepts.
    const flaky: DbWriter = { write: (text, values) => (refusals-- > 0 ? Promise.reject(new Error('connection terminated')) : t.db.write(text, values)) };
    const timeline = new DbTimeline({ db: flaky, logger, flushMs: 5, maxRetryMs: 20 });
    const mac = '52:54:00:aa:bb:04';
    timeline.record({ step: 'kickstart.fetched', mac, at: new Date(Date.now() - 1000), details: { outcome: 'served' } });
    timeline.record({ step: 'install.finished', mac, at: new Date(), details: {} });
    await vi.waitFor(async () => expect(await machineTimeline(t.db, mac)).toHaveLength(2), { timeout: 10_000 });
    expect((await machineTimeline(t.db, mac)).map((e) => e.step)).toEqual(['kickstart.fetched', 'install.finished']);
    expect(timeline.stats).toMatchObject({ recorded: 2, written: 2, dropped: 0, failedBatches: 2 });
    expect(warnings.filter((w) => w.includes('will be written again'))).toHaveLength(2);
    await timeline.close();
  });

  it('counts as dropped what it still cannot write when it is closed', async () => {
    const timeline = new DbTimeline({ db: { write: () => Promise.reject(new Error('database gone')) }, logger: quietLogger, flushMs: 10_000 });
    timeline.record({ step: 'dhcp.discover', mac: '52:54:00:aa:bb:05', at: new Date(), details: {} });
    await timeline.close();
    expect(timeline.stats).toMatchObject({ recorded: 1, written: 0, dropped: 1, failedBatches: 1 });
  });
});
