import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-store.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { DbTimeline } from './timeline-store.js';
import { describeMachine } from './actions.js';
import { getMachine } from './machine-store.js';
import { OuiTable } from './oui.js';
import { dbBootFacts, recordVendors } from './boot-facts.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('PXE services on the database', () => {
  it('stores the IEEE vendor of machines discovered by the boot timeline', async () => {
    const oui = new OuiTable([{ prefix: '001B21', organization: 'Intel Corporate' }]);
    const intel = '00:1b:21:0a:0b:0c';
    const qemu = '52:54:00:0a:0b:0c';
    const record = recordVendors(t.db, (mac) => oui.vendorOf(mac), quietLogger);
    const timeline = new DbTimeline({ db: t.db, logger: quietLogger, flushMs: 10, onDiscovered: (macs) => record(macs) });
    timeline.record({ step: 'dhcp.discover', mac: intel, at: new Date(), details: { firmware: 'bios' } });
    timeline.record({ step: 'dhcp.discover', mac: qemu, at: new Date(), details: { firmware: 'ipxe-bios' } });
    await timeline.close();
    for (let i = 0; i < 50 && (await getMachine(t.db, intel)).vendor === null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await getMachine(t.db, intel)).toMatchObject({ state: 'discovered', vendor: 'Intel Corporate', firmware: 'bios' });
    expect((await getMachine(t.db, qemu)).vendor).toBeNull();
  });

  it('answers boot facts from the machines table', async () => {
    const mac = '52:54:00:0a:0b:99';
    await describeMachine(t.db, systemActor, mac, { role: 'node', hostname: 'an-a01n09' });
    const facts = dbBootFacts(t.db, async (m) => (m.hostname === 'an-a01n09' ? { hostId: 'an-a01n09', check: { status: 'ready' } } : undefined));
    const machine = await facts.machine(mac);
    expect(machine).toEqual({ mac, role: 'node', state: 'assigned', hostname: 'an-a01n09' });
    expect(await facts.kickstart(machine!)).toEqual({ hostId: 'an-a01n09', check: { status: 'ready' } });
    expect(await facts.machine('52:54:00:ff:ff:ff')).toBeUndefined();
  });
});
