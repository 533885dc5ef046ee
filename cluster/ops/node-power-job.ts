/**
 * `cluster.node-power`: powers a pair's node off or on through its BMC, run by Striker (the BMCs
 * sit on the BCN Striker reaches; the node itself may be the one that is down). The command is
 * `nodeActionCommand` (cluster/node-actions.ts): `ipmitool -I lanplus … -E chassis power off|on`
 * with the password in `IPMI_PASSWORD`, never in argv; the BMC is looked up by pair and node when
 * the job runs (`BmcLookup`), so the payload carries no secret. Done when the BMC's
 * `chassis power status` reports the wanted state.
 */
import { z } from 'zod';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { StrikerError } from '../../striker/core/errors/index.js';
import type { JobKindDefinition } from '../../striker/jobs/job-kind.js';
import { nodeActionCommand } from '../node-actions.js';
import type { IpmiMethod } from '../pair-input.js';
import { ipmitoolArgv } from '../scancore/agents/ipmi-agent.js';
import { parseChassisPower } from '../scancore/parsers/ipmi.js';
import type { ScancorePair } from '../scancore/scancore-config.js';

export const nodePowerKind = 'cluster.node-power';

const name = z.string().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a name like an-a01n01');

export const nodePowerPayload = z.strictObject({
  anvil: name,
  node: name,
  power: z.enum(['off', 'on']),
  reason: z.string().max(200).optional(),
});

/** A node's BMC and its password, or undefined when no watched pair (configured or from an applied manifest) gives one. */
export type BmcLookup = (anvil: string, node: string) => Promise<{ ipmi: IpmiMethod; password: string } | undefined>;

export function nodePowerJobKind(deps: { bmcOf: BmcLookup; run: CommandRunner; timeoutMs: number; pollMs?: number; attempts?: number }): JobKindDefinition<typeof nodePowerPayload> {
  return {
    kind: nodePowerKind,
    title: 'Power a node off or on through its BMC',
    subject: { of: (p) => `${p.node} (${p.anvil})`, title: 'Power {subject} through its BMC' },
    payload: nodePowerPayload,
    // A power cut is not repeated by itself: an operator looks first.
    maxAttempts: 1,
    onStale: 'fail',
    async run(ctx) {
      const { anvil, node, power } = ctx.payload;
      const bmc = await deps.bmcOf(anvil, node);
      if (bmc === undefined) throw new StrikerError('CONFIG_INVALID', `${node} of ${anvil} has no BMC (neither in scancore.pairs nor in an applied manifest)`, { retryable: false });
      const command = nodeActionCommand(power === 'off' ? 'poweroff' : 'boot', node, bmc);
      const options = { timeoutMs: deps.timeoutMs, signal: ctx.signal, env: command.env ?? {} };
      await ctx.progress(10, power === 'off' ? 'Powering {node} off through its BMC at {address}' : 'Powering {node} on through its BMC at {address}', { node, address: bmc.ipmi.address, reason: ctx.payload.reason ?? '' });
      await deps.run(command.argv, options);
      const target = { ...bmc.ipmi, password: bmc.password };
      for (let i = 0; i < (deps.attempts ?? 15); i++) {
        ctx.checkpoint();
        const state = parseChassisPower((await deps.run(ipmitoolArgv(target, 'chassis', 'power', 'status'), options)).stdout);
        if (state === power) {
          await ctx.progress(99, 'The BMC of {node} reports the chassis {power}', { node, power });
          return;
        }
        await new Promise((r) => setTimeout(r, deps.pollMs ?? 2000));
      }
      throw new StrikerError('COMMAND_FAILED', `the BMC of ${node} did not report the chassis ${power} after power ${power}`);
    },
  };
}

/** The BMCs of `scancore.pairs` (pair id = the pair's name), the nodes' power source until the manifest supplies them. */
export function bmcFromScancorePairs(pairs: () => readonly ScancorePair[] | Promise<readonly ScancorePair[]>): BmcLookup {
  return async (anvil, node) => {
    const ipmi = (await pairs()).find((p) => p.id === anvil)?.nodes.find((n) => n.name === node)?.ipmi;
    if (ipmi === undefined) return undefined;
    return {
      ipmi: { address: ipmi.address, username: ipmi.username, passwordRef: `scancore.pairs.${anvil}.${node}`, ...(ipmi.port === undefined ? {} : { port: ipmi.port }), ...(ipmi.cipher === undefined ? {} : { cipher: ipmi.cipher }) },
      password: ipmi.password,
    };
  };
}
