/** Servers: each libvirt domain's state from `virsh list --all`. */
import { parseVirshList, type ServerEntry } from '../parsers/servers.js';
import type { Reading, ReadingStatus } from '../reading.js';
import type { ScanAgent, ScanContext } from './scan-agent.js';

const statusOfState: Record<ServerEntry['state'], ReadingStatus> = {
  running: 'ok', idle: 'ok', 'shut off': 'ok', paused: 'warning', 'in shutdown': 'warning', pmsuspended: 'warning', crashed: 'critical',
};

export function serverReadings(servers: readonly ServerEntry[]): Reading[] {
  return servers.map((s) => ({ agent: 'servers', metric: 'server.state', subject: s.name, value: s.state, status: statusOfState[s.state], ...(statusOfState[s.state] === 'ok' ? {} : { message: `${s.name} is ${s.state}` }) }));
}

export const serversAgent: ScanAgent = {
  name: 'servers',
  runsOn: 'host',
  applies: (targets) => targets.libvirtUri !== undefined,
  async scan({ run, timeoutMs, targets, signal }: ScanContext): Promise<Reading[]> {
    return serverReadings(parseVirshList((await run(['virsh', '-c', targets.libvirtUri ?? 'qemu:///system', 'list', '--all'], { timeoutMs, signal })).stdout));
  },
};
