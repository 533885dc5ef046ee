import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { stampReadings, type Reading } from './reading.js';
import { healthHistory, latestReadings, purgeScanHistory, recordScan, saveHealthScore, saveReadings } from './readings-store.js';
import { parseScancoreConfig } from './scancore-config.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const hour = 3_600_000;
const t0 = Date.parse('2026-12-01T00:00:00Z');
const fan = (value: number, status: Reading['status']): Reading => ({ agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value, unit: 'RPM', status });
const array: Reading = { agent: 'storage', metric: 'storage.array', subject: '/dev/md127', value: 'clean', status: 'ok' };

describe('readings store', () => {
  it('keeps readings, answers the latest per subject with since carried across scans', async () => {
    const first = stampReadings('n1', t0, [fan(6000, 'ok'), array], []);
    const second = stampReadings('n1', t0 + hour, [fan(300, 'critical'), array], first);
    const third = stampReadings('n1', t0 + 2 * hour, [fan(300, 'critical')], second);
    for (const scan of [first, second, third]) await saveReadings(t.db, scan);
    await saveReadings(t.db, stampReadings('n2', t0, [fan(6000, 'ok')], []));
    const latest = await latestReadings(t.db, ['n1']);
    expect(latest).toEqual([
      { hostId: 'n1', agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value: 300, unit: 'RPM', status: 'critical', at: t0 + 2 * hour, since: t0 + hour },
      { hostId: 'n1', agent: 'storage', metric: 'storage.array', subject: '/dev/md127', value: 'clean', status: 'ok', at: t0 + hour, since: t0 },
    ]);
  });

  it('ages out old readings and scores, keeping the newest reading of each subject', async () => {
    await saveHealthScore(t.db, { hostId: 'n1', score: 5, reasons: [] }, t0);
    await saveHealthScore(t.db, { hostId: 'n1', score: 0, reasons: [] }, t0 + 100 * 24 * hour);
    const config = parseScancoreConfig({ readings: { keepReadingsHours: 1, keepHealthDays: 90 } });
    const purged = await purgeScanHistory(t.db, t0 + 100 * 24 * hour, config);
    // n1's fan: 3 rows, the newest kept; n1's array: 2 rows, the newest kept; n2's fan: its only row kept.
    expect(purged).toEqual({ readings: 3, scores: 1 });
    const { rows } = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM scan_readings');
    expect(Number(rows[0]?.n)).toBe(3);
    expect((await latestReadings(t.db, ['n1', 'n2'])).map((r) => [r.hostId, r.subject, r.at])).toEqual([
      ['n1', 'FAN1', t0 + 2 * hour], ['n1', '/dev/md127', t0 + hour], ['n2', 'FAN1', t0],
    ]);
    expect(await healthHistory(t.db, 'n1', 0)).toEqual([{ score: 0, at: t0 + 100 * 24 * hour }]);
  });

  it('records a scan with since carried from the stored readings', async () => {
    await recordScan(t.db, 'n3', t0, [fan(6000, 'ok')]);
    await recordScan(t.db, 'n3', t0 + 60_000, [fan(300, 'critical')]);
    const third = await recordScan(t.db, 'n3', t0 + 120_000, [fan(250, 'critical')]);
    expect(third[0]).toMatchObject({ at: t0 + 120_000, since: t0 + 60_000, value: 250 });
    expect((await latestReadings(t.db, ['n3']))[0]).toMatchObject({ at: t0 + 120_000, since: t0 + 60_000 });
  });

  it('refuses a reading whose status began after it was read', async () => {
    await expect(saveReadings(t.db, [{ ...fan(1, 'ok'), hostId: 'n1', at: t0, since: t0 + 1 }])).rejects.toThrow(/scan_readings_check|status_since/);
  });
});
