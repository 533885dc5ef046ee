import { describe, expect, it } from 'vitest';
import { healthScore } from './health-score.js';
import type { Reading, TimedReading } from './reading.js';
import { parseScancoreConfig } from './scancore-config.js';

const config = parseScancoreConfig({});
const now = Date.parse('2026-12-06T12:00:00Z');
const at = (r: Reading, ageS = 0, sinceS = ageS): TimedReading => ({ ...r, hostId: 'n1', at: now - ageS * 1000, since: now - sinceS * 1000 });
const fan = (status: Reading['status']): Reading => ({ agent: 'ipmi', metric: 'ipmi.fan', subject: 'FAN1', value: 300, unit: 'RPM', status });
const link = (sinceS: number): TimedReading => at({ agent: 'links', metric: 'link.state', subject: 'bcn1_link1', value: 'DOWN', status: 'critical', message: 'bcn1_link1 has no carrier (DOWN)' }, 0, sinceS);

describe('health score', () => {
  it.each([
    ['healthy', [at(fan('ok'))], 0, []],
    ['failed fan', [at(fan('critical'))], 5, ['fan-failed']],
    ['slow fan', [at(fan('warning'))], 2, ['fan-warning']],
    ['a voltage warning counts as a sensor warning', [at({ agent: 'ipmi', metric: 'ipmi.voltage', subject: '12V', value: 11.2, status: 'warning' })], 1, ['sensor-warning']],
    ['degraded array', [at({ agent: 'storage', metric: 'storage.array', subject: '/dev/md127', value: 'clean, degraded', status: 'critical' })], 10, ['array-degraded']],
    ['link down 30 s: not yet', [link(30)], 0, []],
    ['link down 61 s', [link(61)], 4, ['link-down']],
    ['a stale reading does not count', [at(fan('critical'), 181)], 0, []],
    ['failed fan and degraded array add up', [at(fan('critical')), at({ agent: 'storage', metric: 'storage.array', subject: '/dev/md127', value: 'x', status: 'critical' })], 15, ['array-degraded', 'fan-failed']],
    ['unknown status is no evidence', [at({ agent: 'storage', metric: 'scan.agent', subject: 'storage', value: null, status: 'unknown' })], 0, []],
  ])('%s', (_name, readings, score, conditions) => {
    const result = healthScore({ hostId: 'n1', readings }, now, config);
    expect(result.score).toBe(score);
    expect(result.reasons.map((r) => r.condition)).toEqual(conditions);
  });

  it('counts less RAM than the peer, with the amounts in the reason', () => {
    const result = healthScore({ hostId: 'n1', readings: [], facts: { ramBytes: 64 * 2 ** 30 }, peerFacts: { ramBytes: 128 * 2 ** 30 } }, now, config);
    expect(result).toEqual({ hostId: 'n1', score: 3, reasons: [{ condition: 'less-ram-than-peer', weight: 3, subject: 'ramBytes', text: 'less RAM than the peer: 64.0 GiB here, 128.0 GiB on the peer', detail: '64.0 GiB here, 128.0 GiB on the peer' }] });
    expect(healthScore({ hostId: 'n2', readings: [], facts: { ramBytes: 128 * 2 ** 30 }, peerFacts: { ramBytes: 64 * 2 ** 30 } }, now, config).score).toBe(0);
  });

  it('takes weights from the configuration; weight 0 switches a condition off', () => {
    const custom = parseScancoreConfig({ health: { weights: { 'fan-failed': 7, 'array-degraded': 0 } } });
    const readings = [at(fan('critical')), at({ agent: 'storage', metric: 'storage.array', subject: '/dev/md127', value: 'x', status: 'critical' })];
    expect(healthScore({ hostId: 'n1', readings }, now, custom)).toMatchObject({ score: 7, reasons: [{ condition: 'fan-failed', weight: 7, text: 'fan failed: FAN1 is 300' }] });
  });
});
