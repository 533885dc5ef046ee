/**
 * The rack simulator's BMC sensors on a real ipmi_sim (on loopback here, as the lab's option
 * configures it in the hub), read by ScanCore's IPMI agent with the real ipmitool: the fan from its
 * value file, the temperature from the console.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScanCycle } from '../../../cluster/scancore/scan-cycle.js';
import { parseScancoreConfig } from '../../../cluster/scancore/scancore-config.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { freePort } from '../../../striker/core/net/free-port.js';
import { waitFor, type LabNode } from '../cluster-lab/cluster-lab.js';
import { renderLanConf } from '../cluster-lab/lab-scripts.js';
import { bmcSensors, setFan, setTemperature } from './bmc-sensors.js';

const fixtures = fileURLToPath(new URL('../../fixtures/scancore/ipmi-sim', import.meta.url));
let dir: string;
let sim: ResultPromise | undefined;
let port: number;
const node = { index: 7 } as LabNode;
const config = parseScancoreConfig({ scan: { commandTimeoutMs: 15_000, agentTimeLimitMs: 45_000 } });

async function sensors() {
  const target = { address: '127.0.0.1', port, username: 'admin', password: 'secret', cipher: 3 };
  const { readings } = await runScanCycle({ hostName: 'node7', runningOn: 'striker', targets: { ipmi: target } }, { run: runCommand, config });
  const of = (metric: string) => readings.find((r) => r.metric === metric);
  return { fan: [of('ipmi.fan')?.value, of('ipmi.fan')?.status], temperature: [of('ipmi.temperature')?.value, of('ipmi.temperature')?.status] };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rack-bmc-'));
  Object.assign(node, { bmcDir: dir });
  port = await freePort();
  const { emu, lanConf } = await bmcSensors(node);
  // The chassis hook: power state kept in a file (the lab's own hook powers a namespace node).
  await writeFile(join(dir, 'chassis'), `#!/bin/sh\nexec ${fixtures}/chassis-control.sh ${dir}/chassis-state "$@"\n`, { mode: 0o755 });
  await writeFile(join(dir, 'lan.conf'), renderLanConf('bmc7', { address: '127.0.0.1', port }, join(dir, 'chassis'), { name: 'admin', password: 'secret' }) + lanConf.replace('0.0.0.0', '127.0.0.1'));
  await writeFile(join(dir, 'bmc.emu'), emu);
  sim = execa('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', join(dir, 'state'), '-n'], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', reject: false });
  await waitFor('ipmi_sim answers', 20_000, async () => (await runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin', '-P', 'secret', 'mc', 'info'], { timeoutMs: 10_000 })).exitCode === 0, 200);
}, 60_000);

afterAll(async () => {
  if (sim?.pid !== undefined && sim.exitCode === null) sim.kill('SIGTERM');
  await sim;
  await rm(dir, { recursive: true, force: true });
});

describe('rack simulator BMC sensors', () => {
  it('a good fan and a cool CPU, then a failed fan and a hot CPU', async () => {
    expect(await sensors()).toEqual({ fan: [6000, 'ok'], temperature: [40, 'ok'] });
    await setFan(node, 300);
    await setTemperature('127.0.0.1', node, 96);
    await waitFor('the BMC reports the failed fan and the hot CPU', 20_000, async () => {
      const s = await sensors();
      return s.fan[1] === 'critical' && s.temperature[1] === 'critical' ? s : false;
    }, 500);
    expect(await sensors()).toEqual({ fan: [300, 'critical'], temperature: [96, 'critical'] });
  }, 60_000);
});
