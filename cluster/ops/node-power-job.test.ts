import { describe, expect, it } from 'vitest';
import type { CommandOptions, CommandRunner } from '../../striker/core/command/run-command.js';
import type { JobContext } from '../../striker/jobs/job-kind.js';
import { parseScancoreConfig } from '../scancore/scancore-config.js';
import { bmcFromScancorePairs, nodePowerJobKind } from './node-power-job.js';

const pairs = parseScancoreConfig({ pairs: [{ id: 'labcl', nodes: [
  { name: 'node1', hostId: '52-54-00-00-cf-31', ipmi: { address: '198.18.1.254', port: 6231, username: 'admin', password: 'secret', cipher: 3 } },
  { name: 'node2', hostId: '52-54-00-00-cf-32' },
] }] }).pairs;

/** A BMC whose chassis follows `power on|off` after `lag` status reads. */
function bmc(lag = 1) {
  let power = 'on';
  let pending: string | undefined;
  let reads = 0;
  const calls: { argv: readonly string[]; options: CommandOptions }[] = [];
  const run: CommandRunner = async (argv, options) => {
    calls.push({ argv, options });
    const tail = argv.slice(-3).join(' ');
    if (tail === 'chassis power off' || tail === 'chassis power on') pending = argv.at(-1);
    if (tail === 'power status' || argv.slice(-2).join(' ') === 'power status') {
      if (pending !== undefined && ++reads >= lag) power = pending;
      return { argv, exitCode: 0, stdout: `Chassis Power is ${power}\n`, stderr: '', durationMs: 1 };
    }
    return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 1 };
  };
  return { run, calls };
}

const ctx = (payload: object) => ({
  payload, signal: new AbortController().signal, progress: async () => undefined, checkpoint: () => undefined,
}) as unknown as JobContext<never>;

describe('cluster.node-power', () => {
  it('powers the node off through its BMC, the password in the environment only, until the BMC says off', async () => {
    const b = bmc(2);
    const kind = nodePowerJobKind({ bmcOf: bmcFromScancorePairs(() => pairs), run: b.run, timeoutMs: 1000, pollMs: 1 });
    await kind.run(ctx(kind.payload.parse({ anvil: 'labcl', node: 'node1', power: 'off' })));
    expect(b.calls[0]!.argv).toEqual(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', '198.18.1.254', '-p', '6231', '-U', 'admin', '-E', 'chassis', 'power', 'off']);
    expect(b.calls.every((c) => c.options.env?.['IPMI_PASSWORD'] === 'secret' && !c.argv.includes('secret'))).toBe(true);
    expect(b.calls.filter((c) => c.argv.at(-1) === 'status')).toHaveLength(2);
  });

  it('reads the watched pairs (configured and from applied manifests) when it runs: a pair applied after the Striker started is found', async () => {
    const b = bmc(1);
    let watched: typeof pairs = [];
    const kind = nodePowerJobKind({ bmcOf: bmcFromScancorePairs(async () => watched), run: b.run, timeoutMs: 1000, pollMs: 1 });
    await expect(kind.run(ctx({ anvil: 'labcl', node: 'node1', power: 'on' }))).rejects.toThrow('node1 of labcl has no BMC');
    expect(b.calls).toHaveLength(0);
    watched = pairs;
    await kind.run(ctx({ anvil: 'labcl', node: 'node1', power: 'on' }));
    expect(b.calls[0]!.argv.slice(-3)).toEqual(['chassis', 'power', 'on']);
  });

  it('fails when the BMC never reports the wanted state, and for a node without a BMC', async () => {
    const b = bmc(99);
    const kind = nodePowerJobKind({ bmcOf: bmcFromScancorePairs(() => pairs), run: b.run, timeoutMs: 1000, pollMs: 1, attempts: 3 });
    await expect(kind.run(ctx({ anvil: 'labcl', node: 'node1', power: 'off' }))).rejects.toThrow('the BMC of node1 did not report the chassis off after power off');
    await expect(kind.run(ctx({ anvil: 'labcl', node: 'node2', power: 'on' }))).rejects.toThrow('node2 of labcl has no BMC (neither in scancore.pairs nor in an applied manifest)');
  });

  it('refuses a payload with a hostile name', () => {
    expect(nodePowerJobKind({ bmcOf: async () => undefined, run: bmc().run, timeoutMs: 1 }).payload.safeParse({ anvil: 'labcl', node: '-H evil', power: 'off' }).success).toBe(false);
  });
});
