/**
 * The server page's migration plot: migrations oldest first, durations in seconds, a cold
 * migration's missing downtime a gap, and each line's summary (latest, lowest, highest).
 */
import { describe, expect, it } from 'vitest';
import { migrationSeries } from '../../ui/src/routes/servers/[name]/migration-series.js';

describe('migrationSeries', () => {
  it('orders by start, converts to seconds and summarises each line', () => {
    const s = migrationSeries([
      { startedAt: '2026-12-06T10:05:00Z', durationMs: 4_250, downtimeMs: 120 },
      { startedAt: '2026-12-06T10:00:00Z', durationMs: 9_000, downtimeMs: null },
    ]);
    expect(s.times).toEqual([Date.parse('2026-12-06T10:00:00Z') / 1000, Date.parse('2026-12-06T10:05:00Z') / 1000]);
    expect(s.subjects.map((x) => [x.subject, x.values, x.latest, x.min, x.max])).toEqual([
      ['Took', [9, 4.3], 4.3, 4.3, 9],
      ['Downtime', [null, 0.1], 0.1, 0.1, 0.1],
    ]);
  });

  it('is empty without migrations', () => {
    expect(migrationSeries([])).toMatchObject({ times: [], subjects: [{ latest: null, min: null }, { latest: null, min: null }] });
  });
});
