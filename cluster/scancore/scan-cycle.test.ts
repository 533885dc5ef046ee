import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandOptions, CommandResult, CommandRunner } from '../../striker/core/command/run-command.js';
import type { ClusterStatus, ScanTargets } from './agents/scan-agent.js';
import { agentsFor, runScanCycle } from './scan-cycle.js';
import { parseScancoreConfig } from './scancore-config.js';

const fixture = (path: string): string => readFileSync(new URL(`../../test/fixtures/scancore/${path}`, import.meta.url), 'utf8');

/** A runner answering from fixtures by command, recording what was asked. */
function fakeRunner(outputs: Record<string, string>): { run: CommandRunner; calls: { argv: readonly string[]; options: CommandOptions }[] } {
  const calls: { argv: readonly string[]; options: CommandOptions }[] = [];
  const run: CommandRunner = async (argv, options): Promise<CommandResult> => {
    calls.push({ argv, options });
    const key = Object.keys(outputs).find((k) => argv.join(' ').includes(k));
    if (key === undefined) throw new Error(`unexpected command ${argv.join(' ')}`);
    return { argv, exitCode: 0, stdout: outputs[key] ?? '', stderr: '', durationMs: 1 };
  };
  return { run, calls };
}

const nodeTargets: ScanTargets = { clusterNode: true, disks: ['/dev/sda'], arrays: ['/dev/md127'], libvirtUri: 'qemu:///system' };
const strikerTargets: ScanTargets = {
  ipmi: { address: '10.201.11.1', username: 'admin', password: 'secret' },
  upses: [{ name: 'ups1', upsName: 'ups1', address: '10.201.20.1', port: 3493 }],
};
const nodeOutputs = {
  'drbdsetup status --json': fixture('drbd/status-sync-source.json'),
  'ip -j -d link': fixture('links/ip-link-bond.json'),
  'ip -j addr': fixture('links/ip-addr-netns.json'),
  smartctl: fixture('storage/smartctl-failing.json'),
  'mdadm --detail': fixture('storage/mdadm-degraded.txt'),
  'virsh -c qemu:///system list --all': fixture('libvirt/list-all.txt'),
  crm_mon: '<crm_mon/>',
};
const parseClusterStatus = (): ClusterStatus => ({
  nodes: [{ name: 'an-a01n01', online: true }, { name: 'an-a01n02', online: false }],
  resources: [
    { id: 'srv01-web', agent: 'ocf:heartbeat:VirtualDomain', nodes: ['an-a01n01'] },
    { id: 'srv02-db', agent: 'ocf:heartbeat:VirtualDomain', nodes: [] },
    { id: 'fence_n01', agent: 'stonith:fence_ipmilan', nodes: ['an-a01n02'] },
    { id: 'drbd-r0', agent: 'ocf:linbit:drbd', nodes: ['an-a01n01'], clone: 'drbd-r0-clone' },
  ],
});

describe('scan cycle', () => {
  it('runs the host agents with argv arrays and turns fixtures into readings', async () => {
    const { run, calls } = fakeRunner(nodeOutputs);
    const result = await runScanCycle({ hostName: 'an-a01n02', targets: nodeTargets, runningOn: 'host' }, { run, config: parseScancoreConfig({}), parseClusterStatus });
    expect(result.outcomes.map((o) => [o.agent, o.ok])).toEqual([['cluster', true], ['drbd', true], ['links', true], ['storage', true], ['servers', true]]);
    expect(calls.map((c) => c.argv)).toContainEqual(['mdadm', '--detail', '/dev/md127']);
    expect(calls.every((c) => c.options.timeoutMs === 10_000)).toBe(true);
    const find = (metric: string, subject: string) => result.readings.find((r) => r.metric === metric && r.subject === subject);
    expect(find('storage.array', '/dev/md127')).toMatchObject({ status: 'critical', value: 'clean, degraded' });
    expect(find('storage.disk', '/dev/sda')).toMatchObject({ status: 'critical', value: false });
    expect(find('link.bond', 'bcn1_bond1')).toMatchObject({ status: 'warning', value: 1 });
    expect(find('link.state', 'bcn1_link2')).toMatchObject({ status: 'critical' });
    expect(find('drbd.sync-source', 'host')).toMatchObject({ value: true });
    expect(find('cluster.node', 'an-a01n02')).toMatchObject({ status: 'critical', value: false });
    expect(find('cluster.server', 'srv01-web')).toMatchObject({ value: 'an-a01n01', status: 'ok' });
    expect(find('cluster.server', 'srv02-db')).toMatchObject({ value: null, status: 'warning', message: 'srv02-db is not running' });
    expect(result.readings.filter((r) => r.metric === 'cluster.server').map((r) => r.subject)).toEqual(['srv01-web', 'srv02-db']);
    expect(find('server.state', 'srv02-db')).toMatchObject({ status: 'warning', value: 'paused' });
  });

  it('reads BMCs and UPSes from the Striker, the BMC password in the environment, never in argv', async () => {
    const { run, calls } = fakeRunner({ 'sensor': fixture('ipmi/sensor-fan-failed-hot.txt'), 'chassis power status': fixture('ipmi/power-on.txt'), 'sel elist': fixture('ipmi/sel-events.txt'), upsc: fixture('ups/upsc-ob.txt') });
    const result = await runScanCycle({ hostName: 'an-a01n01', targets: strikerTargets, runningOn: 'striker' }, { run, config: parseScancoreConfig({}) });
    expect(result.outcomes.map((o) => o.agent)).toEqual(['ipmi', 'ups']);
    const ipmiCall = calls.find((c) => c.argv.includes('sensor'));
    expect(ipmiCall?.argv).toEqual(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '10.201.11.1', '-p', '623', '-U', 'admin', '-E', 'sensor']);
    expect(ipmiCall?.options.env).toEqual({ IPMI_PASSWORD: 'secret' });
    expect(calls.some((c) => c.argv.includes('secret'))).toBe(false);
    expect(calls.find((c) => c.argv[0] === 'upsc')?.argv).toEqual(['upsc', 'ups1@10.201.20.1:3493']);
    expect(result.readings.filter((r) => r.agent === 'ipmi' && r.status === 'critical').map((r) => [r.metric, r.subject])).toEqual([['ipmi.temperature', 'CPU Temp'], ['ipmi.fan', 'FAN1']]);
    expect(result.readings.find((r) => r.metric === 'ups.status')).toMatchObject({ value: 'OB DISCHRG', status: 'warning' });
    expect(result.readings.find((r) => r.metric === 'ups.runtime')).toMatchObject({ value: 1200 });
  });

  it('skips agents disabled for the host, and agents with nothing to read', () => {
    const config = parseScancoreConfig({ scan: { disabledAgents: { 'an-a01n02': ['storage', 'servers'] } } });
    expect(agentsFor({ hostName: 'an-a01n02', targets: nodeTargets, runningOn: 'host' }, config).map((a) => a.name)).toEqual(['cluster', 'drbd', 'links']);
    expect(agentsFor({ hostName: 'an-a01n01', targets: nodeTargets, runningOn: 'host' }, config).map((a) => a.name)).toEqual(['cluster', 'drbd', 'links', 'storage', 'servers']);
    expect(agentsFor({ hostName: 'an-a01n01', targets: {}, runningOn: 'host' }, config).map((a) => a.name)).toEqual(['links']);
  });

  it('a failed or truncated source gives a failure reading and no readings from that agent', async () => {
    const { run } = fakeRunner({ ...nodeOutputs, 'mdadm --detail': fixture('storage/mdadm-degraded.txt').split('             State')[0] ?? '' });
    const result = await runScanCycle({ hostName: 'h', targets: { arrays: ['/dev/md127'] }, runningOn: 'host' }, { run, config: parseScancoreConfig({}) });
    expect(result.readings.filter((r) => r.agent === 'storage')).toEqual([
      { agent: 'storage', metric: 'scan.agent', subject: 'storage', value: null, status: 'unknown', message: expect.stringMatching(/^storage scan failed: mdadm --detail output at offset 0: has no 'State' line/) },
    ]);
    expect(result.outcomes.find((o) => o.agent === 'storage')).toMatchObject({ ok: false });
    expect(result.outcomes.find((o) => o.agent === 'links')).toMatchObject({ ok: true });
  });

  it('stops an agent at its time limit and aborts its command', async () => {
    let aborted = false;
    const run: CommandRunner = (argv, options) => new Promise((_, reject) => {
      options.signal?.addEventListener('abort', () => { aborted = true; reject(new Error('cancelled')); });
    });
    const config = parseScancoreConfig({ scan: { agentTimeLimitMs: 100 } });
    const result = await runScanCycle({ hostName: 'h', targets: {}, runningOn: 'host' }, { run, config });
    expect(result.outcomes).toEqual([{ agent: 'links', ok: false, readings: 0, error: 'did not finish within its time limit of 100 ms' }]);
    expect(aborted).toBe(true);
  });

  it('refuses an unknown agent name in the configuration, naming the key', () => {
    expect(() => parseScancoreConfig({ scan: { disabledAgents: { n1: ['smart'] } } })).toThrow(/scancore\.scan\.disabledAgents\.n1\.0/);
    expect(() => parseScancoreConfig({ power: { holdUpFloor: 3 } })).toThrow(/scancore\.power\.holdUpFloor: is not a known setting/);
  });
});
