/**
 * A reserved address is judged when it is entered, not when the machine fails to boot: outside
 * the network machines boot on (the running PXE subnet, else the wizard's BCN), or the Striker's
 * own address there, it is a validation problem of `reservedIp` and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-store.js';
import { ValidationError } from '../core/errors/index.js';
import { describeMachine } from '../machines/index.js';
import { parsePxeConfig } from '../../pxe/index.js';
import { saveIdentity } from '../setup/identity-store.js';
import { sampleIdentity } from '../setup/sample-identity.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { reservedIpCheck } from './reserved-ip-check.js';

let t: TestDatabase;
const HTTP = 'http://10.50.0.1:8080';
const pxeOff = parsePxeConfig({}, HTTP);

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('reserved address check', () => {
  it('before the wizard, judges nothing', async () => {
    expect(await reservedIpCheck(t.db, () => pxeOff)('192.168.1.5')).toBeUndefined();
  });

  it('with PXE not set up, judges by the wizard\'s BCN: outside it, or the Striker\'s own, is refused', async () => {
    await t.db.tx((q) => saveIdentity(q, sampleIdentity(), null));
    const check = reservedIpCheck(t.db, () => pxeOff);
    expect(await check('192.168.1.5')).toBe('192.168.1.5 is outside the PXE network 10.201.0.0/16: a machine booting there could never get it');
    expect(await check('10.201.4.1')).toBe("10.201.4.1 is this Striker's own address on the PXE network");
    expect(await check('10.201.10.1')).toBeUndefined();
  });

  it('with PXE running, judges by its subnet', async () => {
    const pxe = parsePxeConfig({ enabled: true, interface: 'br0', address: '10.50.0.1', dhcp: { subnets: [{ cidr: '10.50.0.0/24', pools: [{ start: '10.50.0.100', end: '10.50.0.200' }] }] } }, HTTP);
    const check = reservedIpCheck(t.db, () => pxe);
    expect(await check('10.201.10.1')).toBe('10.201.10.1 is outside the PXE network 10.50.0.0/24: a machine booting there could never get it');
    expect(await check('10.50.0.20')).toBeUndefined();
  });

  it('refuses the machine change naming reservedIp, and stores nothing', async () => {
    const mac = '52:54:00:0c:0e:01';
    const error = await describeMachine(t.db, systemActor, mac, { role: 'node', hostname: 'an-a01n01', reservedIp: '192.168.1.5' }, { inputPath: 'body' }, reservedIpCheck(t.db, () => pxeOff)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([{ path: 'body.reservedIp', message: '192.168.1.5 is outside the PXE network 10.201.0.0/16: a machine booting there could never get it' }]);
    expect((await t.db.query('SELECT 1 FROM machines WHERE mac = $1', [mac])).rows).toEqual([]);
  });
});
