/**
 * `scancore.ipmi-boot` against a real BMC simulator: OpenIPMI's `ipmi_sim` on loopback (ports
 * 6261/6262) driven with the real `ipmitool`. The chassis is powered off first; the job powers it
 * on (the simulator's chassis hook records the call), with the password in the environment only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipmiBootJobKind } from '../../../cluster/scancore/actions.js';
import type { ScancorePair } from '../../../cluster/scancore/scancore-config.js';
import { runCommand, type CommandRunner } from '../../../striker/core/command/run-command.js';
import type { JobContext } from '../../../striker/jobs/job-kind.js';
import { quietLogger } from '../../support/test-database.js';

const LAN_PORT = 6261;
const CONSOLE_PORT = 6262;
const lab = fileURLToPath(new URL('../../fixtures/scancore/ipmi-sim/', import.meta.url));
let dir: string;
let sim: ChildProcess | undefined;
const ipmitool = (...command: string[]) => runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(LAN_PORT), '-U', 'admin', '-E', ...command], { timeoutMs: 15_000, env: { IPMI_PASSWORD: 'secret' } });

const pair = (password: string): ScancorePair => ({
  id: 'an-anvil-01',
  nodes: [{ name: 'an-a01n01', hostId: '52-54-00-00-ad-01', ipmi: { address: '127.0.0.1', port: LAN_PORT, username: 'admin', password } }, { name: 'an-a01n02', hostId: '52-54-00-00-ad-02' }],
  upses: [],
});

function context(payload: { pairId: string; node: string }): { ctx: JobContext<{ pairId: string; node: string }>; progress: string[] } {
  const progress: string[] = [];
  const ctx = {
    job: {} as JobContext<unknown>['job'], payload, signal: new AbortController().signal, logger: quietLogger,
    progress: async (_p: number, message?: string) => void progress.push(message ?? ''),
    note: async () => undefined,
    checkpoint: () => undefined,
    nothingChanged: () => undefined,
  };
  return { ctx, progress };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scancore-boot-'));
  const state = join(dir, 'state', 'ipmi_sim', 'bmc1');
  mkdirSync(state, { recursive: true });
  writeFileSync(join(dir, 'fan1.val'), '60\n');
  writeFileSync(join(dir, 'bmc.emu'), readFileSync(join(lab, 'bmc.emu'), 'utf8').replace('@FAN_FILE@', join(dir, 'fan1.val')));
  writeFileSync(join(dir, 'lan.conf'), [
    'name "bmc1"', 'set_working_mc 0x20', '  startlan 1', `    addr 127.0.0.1 ${LAN_PORT}`, '    priv_limit admin',
    ...['callback', 'user', 'operator', 'admin'].map((p) => `    allowed_auths_${p} none md2 md5 straight`),
    '    guid a123456789abcdefa123456789abcd61', '  endlan',
    `  chassis_control "${join(lab, 'chassis-control.sh')} ${join(dir, 'chassis')}"`,
    '  user 2 true  "admin" "secret" admin 10 none md2 md5 straight',
    `console 127.0.0.1 ${CONSOLE_PORT}`, '',
  ].join('\n'));
  await runCommand(['sdrcomp', '-8', '-o', join(state, 'sdr.20.main'), join(lab, 'bmc.sdrs')], { timeoutMs: 10_000 });
  sim = spawn('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', join(dir, 'state'), '-n'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const probe = await runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(LAN_PORT), '-U', 'admin', '-E', 'mc', 'info'], { timeoutMs: 10_000, okExitCodes: [0, 1], env: { IPMI_PASSWORD: 'secret' } });
    if (probe.exitCode === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ipmi_sim did not answer on 127.0.0.1:${LAN_PORT}`);
});

afterAll(() => {
  if (sim?.pid !== undefined && sim.exitCode === null) sim.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('scancore.ipmi-boot against ipmi_sim', () => {
  it('powers an off chassis on through the BMC, the password never in argv', async () => {
    await ipmitool('chassis', 'power', 'off');
    expect((await ipmitool('chassis', 'power', 'status')).stdout.trim()).toBe('Chassis Power is off');
    const argvs: (readonly string[])[] = [];
    const run: CommandRunner = (argv, options) => {
      argvs.push(argv);
      return runCommand(argv, options);
    };
    const kind = ipmiBootJobKind({ pairs: () => [pair('secret')], run, timeoutMs: 15_000, pollMs: 200 });
    const { ctx, progress } = context({ pairId: 'an-anvil-01', node: 'an-a01n01' });
    await kind.run(ctx);
    expect((await ipmitool('chassis', 'power', 'status')).stdout.trim()).toBe('Chassis Power is on');
    expect(readFileSync(join(dir, 'chassis', 'calls.log'), 'utf8')).toMatch(/set power 1/);
    expect(argvs[0]!.slice(-3)).toEqual(['chassis', 'power', 'on']);
    expect(argvs.flat()).not.toContain('secret');
    expect(progress.at(-1)).toBe('The BMC of {node} reports the chassis on');
  });

  it('fails with the BMC\'s refusal on a wrong password, and on a node without a BMC', async () => {
    const wrong = ipmiBootJobKind({ pairs: () => [pair('wrong')], run: runCommand, timeoutMs: 15_000, pollMs: 200 });
    await expect(wrong.run(context({ pairId: 'an-anvil-01', node: 'an-a01n01' }).ctx)).rejects.toThrow(/ipmitool/);
    await expect(wrong.run(context({ pairId: 'an-anvil-01', node: 'an-a01n02' }).ctx)).rejects.toThrow('node an-a01n02 has no BMC in scancore.pairs (ipmi)');
  });
});
