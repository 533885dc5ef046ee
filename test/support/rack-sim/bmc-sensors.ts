/**
 * Sensors for the cluster lab's ipmi_sim BMCs (the `bmc` option of `ClusterLab.up`): a CPU
 * temperature (thresholds 70 / 85 / 95 °C) set on the simulator console, and FAN1 (RPM = value ×
 * 100; critical below 500 RPM) read by ipmi_sim once a second from a value file the test writes.
 * The sensor definitions are ScanCore's IPMI fixtures (test/fixtures/scancore/ipmi-sim/), compiled
 * with `sdrcomp` into the BMC's state directory.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../../striker/core/command/run-command.js';
import type { LabBmcSetup, LabNode } from '../cluster-lab/cluster-lab.js';

const fixtures = fileURLToPath(new URL('../../fixtures/scancore/ipmi-sim/', import.meta.url));

/** Where a node's BMC console listens (in the hub: every address of its namespace). */
export const consolePort = (node: Pick<LabNode, 'index'>) => 9230 + node.index;

const fanFile = (node: Pick<LabNode, 'bmcDir'>) => join(node.bmcDir, 'fan1.val');

/** The lab option: sensors on every BMC, the fan at 6000 RPM, the console on `consolePort`. */
export const bmcSensors: LabBmcSetup = async (node) => {
  const state = join(node.bmcDir, 'state', 'ipmi_sim', `bmc${node.index}`);
  await mkdir(state, { recursive: true });
  await writeFile(fanFile(node), '60\n');
  await runCommand(['sdrcomp', '-8', '-o', join(state, 'sdr.20.main'), join(fixtures, 'bmc.sdrs')], { timeoutMs: 10_000 });
  const emu = (await readFile(join(fixtures, 'bmc.emu'), 'utf8')).replace('@FAN_FILE@', fanFile(node));
  return { emu, lanConf: `console 0.0.0.0 ${consolePort(node)}\n` };
};

/** Sets FAN1 to `rpm` (a multiple of 100): 300 is a failed fan, 6000 a good one. */
export async function setFan(node: Pick<LabNode, 'bmcDir'>, rpm: number): Promise<void> {
  await writeFile(fanFile(node), `${Math.round(rpm / 100)}\n`);
}

/** Sets the CPU temperature on the BMC's console, reached at `address` (the hub's uplink end, 198.19.<n>.2). */
export function setTemperature(address: string, node: Pick<LabNode, 'index'>, celsius: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(consolePort(node), address, () => socket.write(`sensor_set_value 0x20 0 1 ${Math.round(celsius)} 1\n`, () => setTimeout(() => {
      socket.end();
      resolve();
    }, 300)));
    socket.on('error', reject);
  });
}
