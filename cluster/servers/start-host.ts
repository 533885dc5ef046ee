/**
 * The `servers.start` host job: each named server's pacemaker resource enabled (its target role
 * cleared), waiting until pacemaker reports it started or the wait runs out. Pacemaker chooses the
 * node (the server's preferred node when it can run there).
 */
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import type { HostJobRunner } from '../../striker/agent/index.js';

export function serversStartRunner(deps: { run: CommandRunner; waitSeconds?: number }): HostJobRunner<'servers.start'> {
  const wait = deps.waitSeconds ?? 300;
  return async (ctx) => {
    const { servers } = ctx.payload;
    for (const [i, server] of servers.entries()) {
      await ctx.progress(5 + Math.floor((i / servers.length) * 90), 'Starting {server}', { server, reason: ctx.payload.reason ?? '' });
      await deps.run(['pcs', 'resource', 'enable', server, `--wait=${wait}`], { timeoutMs: (wait + 30) * 1000, signal: ctx.signal });
    }
    return { message: `Started ${servers.join(', ')}` };
  };
}
