/**
 * The IPMI scan agent against a real BMC simulator: OpenIPMI's `ipmi_sim` on loopback (ports
 * 6254/6255), read with the real `ipmitool` through the command adapter. The test drives the
 * sensors as LAB.md describes (the fan through its polled value file, the CPU temperature through
 * the simulator console) and checks the readings, the health score and a wrong password.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipmiAgent } from '../../../cluster/scancore/agents/ipmi-agent.js';
import { healthScore } from '../../../cluster/scancore/health-score.js';
import { stampReadings, type Reading } from '../../../cluster/scancore/reading.js';
import { runScanCycle } from '../../../cluster/scancore/scan-cycle.js';
import { parseScancoreConfig } from '../../../cluster/scancore/scancore-config.js';
import { runCommand } from '../../../striker/core/command/run-command.js';

const LAN_PORT = 6254;
const CONSOLE_PORT = 6255;
const lab = fileURLToPath(new URL('../../fixtures/scancore/ipmi-sim/', import.meta.url));
const config = parseScancoreConfig({});
const target = { address: '127.0.0.1', port: LAN_PORT, username: 'admin', password: 'secret' };
let dir: string;
let sim: ChildProcess | undefined;

async function scan(password = 'secret'): Promise<Reading[]> {
  const result = await runScanCycle({ hostName: 'n1', runningOn: 'striker', targets: { ipmi: { ...target, password } } }, { run: runCommand, config: parseScancoreConfig({ scan: { commandTimeoutMs: 15_000, agentTimeLimitMs: 45_000 } }), agents: { ipmi: ipmiAgent } });
  return result.readings;
}

/** Scans until `ok` holds for the readings (the simulator polls its value file once a second). */
async function scanUntil(ok: (readings: Reading[]) => boolean): Promise<Reading[]> {
  let last: Reading[] = [];
  for (let i = 0; i < 20; i++) {
    last = await scan();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}

function consoleCommand(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(CONSOLE_PORT, '127.0.0.1', () => socket.write(`${command}\n`, () => setTimeout(() => { socket.end(); resolve(); }, 300)));
    socket.on('error', reject);
  });
}

const find = (readings: Reading[], metric: string, subject: string): Reading | undefined => readings.find((r) => r.metric === metric && r.subject === subject);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scancore-ipmi-'));
  const state = join(dir, 'state', 'ipmi_sim', 'bmc1');
  mkdirSync(state, { recursive: true });
  writeFileSync(join(dir, 'fan1.val'), '60\n');
  writeFileSync(join(dir, 'bmc.emu'), readFileSync(join(lab, 'bmc.emu'), 'utf8').replace('@FAN_FILE@', join(dir, 'fan1.val')));
  writeFileSync(join(dir, 'lan.conf'), [
    'name "bmc1"', 'set_working_mc 0x20', '  startlan 1', `    addr 127.0.0.1 ${LAN_PORT}`, '    priv_limit admin',
    ...['callback', 'user', 'operator', 'admin'].map((p) => `    allowed_auths_${p} none md2 md5 straight`),
    '    guid a123456789abcdefa123456789abcd54', '  endlan',
    `  chassis_control "${join(lab, 'chassis-control.sh')} ${join(dir, 'chassis')}"`,
    '  user 2 true  "admin" "secret" admin 10 none md2 md5 straight',
    `console 127.0.0.1 ${CONSOLE_PORT}`, '',
  ].join('\n'));
  await runCommand(['sdrcomp', '-8', '-o', join(state, 'sdr.20.main'), join(lab, 'bmc.sdrs')], { timeoutMs: 10_000 });
  sim = spawn('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', join(dir, 'state'), '-n'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const probe = await runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(LAN_PORT), '-U', 'admin', '-P', 'secret', 'mc', 'info'], { timeoutMs: 10_000, okExitCodes: [0, 1] });
    if (probe.exitCode === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ipmi_sim did not answer on 127.0.0.1:6254');
});

afterAll(() => {
  if (sim?.pid !== undefined && sim.exitCode === null) sim.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('IPMI agent against ipmi_sim with the real ipmitool', () => {
  it('reads sensors, thresholds status, chassis power and the SEL', async () => {
    const readings = await scan();
    expect(find(readings, 'ipmi.fan', 'FAN1')).toMatchObject({ value: 6000, unit: 'RPM', status: 'ok' });
    expect(find(readings, 'ipmi.temperature', 'CPU Temp')).toMatchObject({ value: 40, status: 'ok' });
    expect(find(readings, 'ipmi.power', 'chassis')).toMatchObject({ value: 'on' });
    expect(find(readings, 'ipmi.sel', 'entries')).toMatchObject({ status: 'ok' });
  });

  it('a failed fan and an overheating CPU become critical readings and count in the health score', async () => {
    writeFileSync(join(dir, 'fan1.val'), '3\n');
    await consoleCommand('sensor_set_value 0x20 0 1 90 1');
    const readings = await scanUntil((r) => find(r, 'ipmi.fan', 'FAN1')?.status === 'critical' && find(r, 'ipmi.temperature', 'CPU Temp')?.status === 'critical');
    expect(find(readings, 'ipmi.fan', 'FAN1')).toMatchObject({ value: 300, status: 'critical' });
    expect(find(readings, 'ipmi.temperature', 'CPU Temp')).toMatchObject({ value: 90, status: 'critical' });
    const now = Date.now();
    const score = healthScore({ hostId: 'n1', readings: stampReadings('n1', now, readings, []) }, now, config);
    expect(score.reasons.map((r) => [r.condition, r.weight])).toEqual([['fan-failed', 5], ['temperature-critical', 5]]);
    expect((await scanUntil((r) => (find(r, 'ipmi.sel', 'entries')?.value as number) > 0)).find((r) => r.metric === 'ipmi.sel')?.value).toBeGreaterThan(0);
  });

  it('reads the chassis off after a power off', async () => {
    await runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(LAN_PORT), '-U', 'admin', '-E', 'chassis', 'power', 'off'], { timeoutMs: 15_000, env: { IPMI_PASSWORD: 'secret' } });
    expect(find(await scanUntil((r) => find(r, 'ipmi.power', 'chassis')?.value === 'off'), 'ipmi.power', 'chassis')).toMatchObject({ value: 'off' });
  });

  it('a wrong password gives a failure reading, no sensor readings', async () => {
    const readings = await scan('wrong');
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({ metric: 'scan.agent', subject: 'ipmi', status: 'unknown', value: null });
    expect(readings[0]?.message).toMatch(/^ipmi scan failed: .*ipmitool/);
  });
});
