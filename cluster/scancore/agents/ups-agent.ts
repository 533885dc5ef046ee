/**
 * UPS through NUT: `upsc` for each UPS that powers the host. Read by the Striker, which reaches
 * every UPS's upsd. On line is ok, on battery a warning, low battery critical.
 */
import { parseUpsc, type UpsState } from '../parsers/ups.js';
import type { Reading, ReadingStatus } from '../reading.js';
import type { ScanAgent, ScanContext, UpsTarget } from './scan-agent.js';

export function upscArgv(target: UpsTarget): string[] {
  return ['upsc', `${target.upsName}@${target.address}${target.port === undefined ? '' : `:${target.port}`}`];
}

function statusOf(ups: UpsState): ReadingStatus {
  if (ups.lowBattery) return 'critical';
  if (ups.onBattery || ups.replaceBattery) return 'warning';
  return 'ok';
}

export function upsReadings(ups: UpsState): Reading[] {
  const base = { agent: 'ups', subject: ups.name } as const;
  const readings: Reading[] = [{ ...base, metric: 'ups.status', value: ups.flags.join(' '), status: statusOf(ups), ...(ups.onBattery ? { message: `${ups.name} is on battery${ups.lowBattery ? ', battery low' : ''}` } : {}) }];
  if (ups.chargePct !== null) readings.push({ ...base, metric: 'ups.charge', value: ups.chargePct, unit: '%', status: 'ok' });
  if (ups.runtimeS !== null) readings.push({ ...base, metric: 'ups.runtime', value: ups.runtimeS, unit: 's', status: 'ok' });
  if (ups.loadPct !== null) readings.push({ ...base, metric: 'ups.load', value: ups.loadPct, unit: '%', status: 'ok' });
  return readings;
}

export const upsAgent: ScanAgent = {
  name: 'ups',
  runsOn: 'striker',
  applies: (targets) => (targets.upses?.length ?? 0) > 0,
  async scan({ run, timeoutMs, targets, signal }: ScanContext): Promise<Reading[]> {
    const readings: Reading[] = [];
    for (const target of targets.upses ?? []) {
      const result = await run(upscArgv(target), { timeoutMs, signal });
      readings.push(...upsReadings(parseUpsc(result.stdout, target.name)));
    }
    return readings;
  },
};
