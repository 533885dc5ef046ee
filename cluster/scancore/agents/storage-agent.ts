/**
 * Storage: each disk's SMART verdict (`smartctl -j -H -A`) and each md array's state
 * (`mdadm --detail`). A degraded array is critical; one rebuilding onto a spare is a warning.
 */
import { parseMdadmDetail, type ArrayDetail } from '../parsers/mdadm.js';
import { parseSmartctl, type DiskHealth } from '../parsers/smartctl.js';
import type { Reading } from '../reading.js';
import type { ScanAgent, ScanContext } from './scan-agent.js';

/** smartctl's exit status is a bit mask of findings; the JSON says what they mean, so every code is read. */
const smartctlExitCodes = Array.from({ length: 256 }, (_, i) => i);

export function diskReadings(disk: DiskHealth): Reading[] {
  const readings: Reading[] = [{ agent: 'storage', metric: 'storage.disk', subject: disk.device, value: disk.passed, status: disk.passed ? 'ok' : 'critical', ...(disk.passed ? {} : { message: `${disk.device} (${disk.model ?? 'disk'}) fails its SMART health check` }) }];
  if ((disk.reallocatedSectors ?? 0) > 0 || (disk.pendingSectors ?? 0) > 0) {
    readings.push({ agent: 'storage', metric: 'storage.disk-sectors', subject: disk.device, value: (disk.reallocatedSectors ?? 0) + (disk.pendingSectors ?? 0), status: 'warning', message: `${disk.device} has ${disk.reallocatedSectors ?? 0} reallocated and ${disk.pendingSectors ?? 0} pending sectors` });
  }
  if (disk.temperatureC !== null) readings.push({ agent: 'storage', metric: 'storage.disk-temperature', subject: disk.device, value: disk.temperatureC, unit: '°C', status: 'ok' });
  return readings;
}

export function arrayReadings(array: ArrayDetail): Reading[] {
  const failed = array.stateWords.some((w) => w === 'FAILED' || w === 'inactive');
  const status = failed || (array.degraded && !array.recovering) ? 'critical' : array.degraded ? 'warning' : 'ok';
  const message = status === 'ok' ? {} : { message: `${array.device} (${array.level}) is ${array.stateWords.join(', ')}${array.rebuildPct === null ? '' : `, rebuild ${array.rebuildPct}% complete`}` };
  return [{ agent: 'storage', metric: 'storage.array', subject: array.device, value: array.stateWords.join(', '), status, ...message }];
}

export const storageAgent: ScanAgent = {
  name: 'storage',
  runsOn: 'host',
  applies: (targets) => (targets.disks?.length ?? 0) + (targets.arrays?.length ?? 0) > 0,
  async scan({ run, timeoutMs, targets, signal }: ScanContext): Promise<Reading[]> {
    const readings: Reading[] = [];
    for (const disk of targets.disks ?? []) {
      const result = await run(['smartctl', '-j', '-H', '-A', disk], { timeoutMs, signal, okExitCodes: smartctlExitCodes });
      readings.push(...diskReadings(parseSmartctl(result.stdout)));
    }
    for (const array of targets.arrays ?? []) {
      readings.push(...arrayReadings(parseMdadmDetail((await run(['mdadm', '--detail', array], { timeoutMs, signal })).stdout)));
    }
    return readings;
  },
};
