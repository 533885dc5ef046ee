/**
 * What the dashboard says about UPSes and alerts (ui/src/lib/site-glance.ts): each UPS from the
 * newest scan that read it, whichever host that was, in words; the open alerts, unacknowledged first.
 */
import { describe, expect, it } from 'vitest';
import { activeAlerts, runtimeWords, upsGlance, upsStateWords, type GlanceReading } from '../../ui/src/lib/site-glance.js';

const ups = (subject: string, at: string, flags: string, charge?: number, runtime?: number): GlanceReading[] => [
  { agent: 'ups', metric: 'ups.status', subject, value: flags, status: flags.includes('OB') ? 'warning' : 'ok', at },
  ...(charge === undefined ? [] : [{ agent: 'ups', metric: 'ups.charge', subject, value: charge, status: 'ok' as const, at }]),
  ...(runtime === undefined ? [] : [{ agent: 'ups', metric: 'ups.runtime', subject, value: runtime, status: 'ok' as const, at }]),
];

describe('upsGlance', () => {
  it('takes each UPS from the newest scan of any host, with that scan’s charge and runtime', () => {
    const hosts = [
      { hostId: 'node1', readings: [...ups('ups1', '2026-12-07T03:00:00Z', 'OL', 100, 3600), ...ups('ups2', '2026-12-07T03:00:00Z', 'OL', 90)] },
      { hostId: 'node2', readings: [...ups('ups1', '2026-12-07T03:05:00Z', 'OB LB', 12, 95), { agent: 'ipmi', metric: 'ipmi.temperature', subject: 'CPU1', value: 40, status: 'ok' as const, at: '2026-12-07T03:05:00Z' }] },
    ];
    expect(upsGlance(hosts)).toEqual([
      { name: 'ups1', state: 'on battery, battery low', status: 'warning', chargePct: 12, runtimeS: 95, hostId: 'node2', at: '2026-12-07T03:05:00Z' },
      { name: 'ups2', state: 'on line', status: 'ok', chargePct: 90, runtimeS: null, hostId: 'node1', at: '2026-12-07T03:00:00Z' },
    ]);
    // The order hosts come in does not matter.
    expect(upsGlance([...hosts].reverse())[0]).toMatchObject({ hostId: 'node2', chargePct: 12 });
  });

  it('reports nothing when no host read a UPS', () => {
    expect(upsGlance([{ hostId: 'node1', readings: [] }])).toEqual([]);
  });
});

describe('upsStateWords and runtimeWords', () => {
  it('say NUT’s flags and a runtime in words, keeping flags it does not know', () => {
    expect(upsStateWords('OL CHRG')).toBe('on line');
    expect(upsStateWords('OB')).toBe('on battery');
    expect(upsStateWords('OL RB')).toBe('on line, battery needs replacing');
    expect(upsStateWords('BYPASS')).toBe('BYPASS');
    expect(upsStateWords('')).toBe('unknown');
    expect([runtimeWords(30), runtimeWords(2520), runtimeWords(3900)]).toEqual(['30 s', '42 min', '1 h 5 min']);
  });
});

describe('activeAlerts', () => {
  it('keeps raised and clearing alerts, unacknowledged first, then newest first', () => {
    const alert = (id: string, state: string, raisedAt: string, acknowledgedAt: string | null = null) => ({ id, level: 'warning', state, raisedAt, acknowledgedAt });
    const got = activeAlerts([
      alert('old', 'raised', '2026-12-07T01:00:00Z'),
      alert('acked', 'raised', '2026-12-07T04:00:00Z', '2026-12-07T04:01:00Z'),
      alert('cleared', 'cleared', '2026-12-07T05:00:00Z'),
      alert('pending', 'pending', '2026-12-07T05:00:00Z'),
      alert('new', 'clearing', '2026-12-07T03:00:00Z'),
    ]);
    expect(got.map((a) => a.id)).toEqual(['new', 'old', 'acked']);
  });
});
