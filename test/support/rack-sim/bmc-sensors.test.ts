/**
 * The rack simulator's BMC sensors on a real ipmi_sim (on loopback here, configured as the lab's
 * option configures it in the hub), read by ScanCore's IPMI agent with the real ipmitool: the fan
 * from its value file, the temperature from the console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScanCycle } from '../../../cluster/scancore/scan-cycle.js';
import { parseScancoreConfig } from '../../../cluster/scancore/scancore-config.js';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { waitFor } from '../cluster-lab/cluster-lab.js';
import { setFan, setTemperature, startLoopbackBmc, type LoopbackBmc } from './bmc-sensors.js';

let bmc: LoopbackBmc;
const config = parseScancoreConfig({ scan: { commandTimeoutMs: 15_000, agentTimeLimitMs: 45_000 } });

async function sensors() {
  const target = { address: '127.0.0.1', port: bmc.port, username: 'admin', password: 'secret', cipher: 3 };
  const { readings } = await runScanCycle({ hostName: 'node7', runningOn: 'striker', targets: { ipmi: target } }, { run: runCommand, config });
  const of = (metric: string) => readings.find((r) => r.metric === metric);
  return { fan: [of('ipmi.fan')?.value, of('ipmi.fan')?.status], temperature: [of('ipmi.temperature')?.value, of('ipmi.temperature')?.status] };
}

beforeAll(async () => {
  bmc = await startLoopbackBmc();
}, 60_000);
afterAll(async () => bmc?.stop());

describe('rack simulator BMC sensors', () => {
  it('a good fan and a cool CPU, then a failed fan and a hot CPU', async () => {
    expect(await sensors()).toEqual({ fan: [6000, 'ok'], temperature: [40, 'ok'] });
    await setFan(bmc.node, 300);
    await setTemperature('127.0.0.1', bmc.node, 96);
    await waitFor('the BMC reports the failed fan and the hot CPU', 20_000, async () => {
      const s = await sensors();
      return s.fan[1] === 'critical' && s.temperature[1] === 'critical' ? s : false;
    }, 500);
    expect(await sensors()).toEqual({ fan: [300, 'critical'], temperature: [96, 'critical'] });
  }, 60_000);
});
