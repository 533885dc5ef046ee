/** DRBD: roles, disk states, connections and sync progress from `drbdsetup status --json`. */
import { isSyncSource, parseDrbdStatus, type DrbdResource } from '../parsers/drbd.js';
import type { Reading, ReadingStatus } from '../reading.js';
import type { ScanAgent, ScanContext } from './scan-agent.js';

export const drbdArgv = ['drbdsetup', 'status', '--json'] as const;

function diskStatus(state: string): ReadingStatus {
  if (state === 'UpToDate') return 'ok';
  if (state === 'Inconsistent' || state === 'Outdated' || state === 'Negotiating' || state === 'Consistent') return 'warning';
  return 'critical';
}

export function drbdReadings(resources: readonly DrbdResource[]): Reading[] {
  const readings: Reading[] = [];
  for (const r of resources) {
    readings.push({ agent: 'drbd', metric: 'drbd.role', subject: r.name, value: r.role, status: 'ok' });
    for (const d of r.devices) {
      const status = diskStatus(d.diskState);
      readings.push({ agent: 'drbd', metric: 'drbd.disk', subject: `${r.name}/${d.volume}`, value: d.diskState, status, ...(status === 'ok' ? {} : { message: `${r.name} volume ${d.volume} is ${d.diskState}` }) });
    }
    for (const c of r.connections) {
      const connected = c.connectionState === 'Connected';
      readings.push({ agent: 'drbd', metric: 'drbd.connection', subject: `${r.name}:${c.peerName}`, value: c.connectionState, status: connected ? 'ok' : 'warning', ...(connected ? {} : { message: `${r.name} to ${c.peerName} is ${c.connectionState}` }) });
      for (const pd of c.peerDevices) {
        const syncing = pd.replicationState !== 'Established';
        readings.push({ agent: 'drbd', metric: 'drbd.replication', subject: `${r.name}:${c.peerName}/${pd.volume}`, value: pd.replicationState, status: syncing ? 'warning' : 'ok' });
        if (pd.percentInSync !== null) readings.push({ agent: 'drbd', metric: 'drbd.in-sync', subject: `${r.name}:${c.peerName}/${pd.volume}`, value: pd.percentInSync, unit: '%', status: 'ok' });
      }
    }
  }
  readings.push({ agent: 'drbd', metric: 'drbd.sync-source', subject: 'host', value: isSyncSource(resources), status: 'ok' });
  return readings;
}

export const drbdAgent: ScanAgent = {
  name: 'drbd',
  runsOn: 'host',
  applies: (targets) => targets.clusterNode === true,
  async scan({ run, timeoutMs, signal }: ScanContext): Promise<Reading[]> {
    return drbdReadings(parseDrbdStatus((await run(drbdArgv, { timeoutMs, signal })).stdout));
  },
};
