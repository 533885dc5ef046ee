import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { hostScanLoop, hostScanTargets, scanReportSchema } from './scan-loop.js';
import { parseScancoreConfig } from './scancore-config.js';

const inventory = {
  disks: [
    { path: '/dev/sda', type: 'disk', removable: false, children: ['sda1', 'md127'] },
    { path: '/dev/sdb', type: 'disk', removable: false, children: ['sdb1', 'md127'] },
    { path: '/dev/sdc', type: 'disk', removable: true, children: ['md5'] },
    { path: '/dev/sr0', type: 'rom', removable: true, children: [] },
  ],
};

describe('host scan loop', () => {
  it('takes its targets from the inventory: fixed disks, their md arrays, libvirt and the cluster on a node', () => {
    expect(hostScanTargets(inventory, 'node')).toEqual({ disks: ['/dev/sda', '/dev/sdb'], arrays: ['/dev/md127'], libvirtUri: 'qemu:///system', clusterNode: true });
    expect(hostScanTargets(inventory, 'striker')).toEqual({ disks: ['/dev/sda', '/dev/sdb'], arrays: ['/dev/md127'], clusterNode: false });
  });

  it('runs the host agents not disabled for this host and gives a report the Striker route accepts', async () => {
    const ran: string[] = [];
    const run: CommandRunner = async (argv) => {
      ran.push(argv[0]!);
      return { argv, exitCode: 1, stdout: '', stderr: 'not here', durationMs: 0 };
    };
    const config = parseScancoreConfig({ scan: { intervalSeconds: 45, disabledAgents: { 'an-a01n01': ['storage', 'servers', 'links'] } } });
    const loop = hostScanLoop({ hostName: 'an-a01n01', targets: async () => hostScanTargets(inventory, 'dr'), config, run });
    expect(loop.intervalSeconds).toBe(45);
    const report = await loop.scan(new AbortController().signal);
    expect(scanReportSchema.parse(report)).toEqual(report);
    expect(report.outcomes.map((o) => o.agent)).toEqual([]);
    expect(ran).toEqual([]);
    const all = await hostScanLoop({ hostName: 'other', targets: async () => hostScanTargets(inventory, 'dr'), config, run }).scan(new AbortController().signal);
    expect(all.outcomes.map((o) => [o.agent, o.ok])).toEqual([['links', false], ['storage', false], ['servers', false]]);
    expect(all.readings.every((r) => r.metric === 'scan.agent' && r.status === 'unknown')).toBe(true);
    expect(scanReportSchema.parse(all)).toEqual(all);
  });
});
