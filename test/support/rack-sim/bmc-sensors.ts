/**
 * Sensors for the cluster lab's ipmi_sim BMCs (the `bmc` option of `ClusterLab.up`): a CPU
 * temperature (thresholds 70 / 85 / 95 °C) set on the simulator console, and FAN1 (RPM = value ×
 * 100; critical below 500 RPM) read by ipmi_sim once a second from a value file the test writes.
 * The sensor definitions are ScanCore's IPMI fixtures (test/fixtures/scancore/ipmi-sim/), compiled
 * with `sdrcomp` into the BMC's state directory.
 */
import { execa } from 'execa';
import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../../striker/core/command/run-command.js';
import { freePort } from '../../../striker/core/net/free-port.js';
import { waitFor, type LabBmcSetup, type LabNode } from '../cluster-lab/cluster-lab.js';
import { renderLanConf } from '../cluster-lab/lab-scripts.js';

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

export interface LoopbackBmc {
  /** The node stand-in whose BMC this is (`bmcDir`, `index`), for `setFan` / `setTemperature`. */
  node: Pick<LabNode, 'bmcDir' | 'index'>;
  /** ipmitool target: 127.0.0.1, this port, admin / secret, cipher 3. */
  port: number;
  stop(): Promise<void>;
}

/**
 * One BMC configured by `bmcSensors`, outside the lab: ipmi_sim on 127.0.0.1 (a free port; its
 * console on `consolePort` of `index`), its chassis power kept in a file by the fixtures' hook.
 */
export async function startLoopbackBmc(index = 7): Promise<LoopbackBmc> {
  const dir = await mkdtemp(join(tmpdir(), 'rack-bmc-'));
  const node = { index, bmcDir: dir } as LabNode;
  const port = await freePort();
  const { emu, lanConf } = await bmcSensors(node);
  await writeFile(join(dir, 'chassis'), `#!/bin/sh\nexec ${join(fixtures, 'chassis-control.sh')} ${join(dir, 'chassis-state')} "$@"\n`, { mode: 0o755 });
  await writeFile(join(dir, 'lan.conf'), renderLanConf(`bmc${index}`, { address: '127.0.0.1', port }, join(dir, 'chassis'), { name: 'admin', password: 'secret' }) + lanConf.replace('0.0.0.0', '127.0.0.1'));
  await writeFile(join(dir, 'bmc.emu'), emu);
  const sim = execa('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', join(dir, 'state'), '-n'], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', reject: false });
  const stop = async () => {
    if (sim.pid !== undefined && sim.exitCode === null) sim.kill('SIGTERM');
    await sim;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('ipmi_sim answers on loopback', 20_000, async () => {
      if (sim.exitCode !== null) throw new Error('ipmi_sim exited');
      return (await runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', 'admin', '-P', 'secret', 'mc', 'info'], { timeoutMs: 10_000 })).exitCode === 0;
    }, 200);
  } catch (error) {
    await stop();
    throw error;
  }
  return { node, port, stop };
}
