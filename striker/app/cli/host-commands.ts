/**
 * `striker hosts list|show|revoke|rotate|run`: registered hosts and their agents, the agent
 * area's credential actions (audited), and addressing a job to a host. `rotate` prints the new
 * content of the host's /etc/striker/agent-credentials.json once.
 */
import type { Command } from 'commander';
import { enqueueHostJob, getHostAgent, listHosts, liveCredentialOf, revokeCredential, rotateCredential } from '../../agent/index.js';
import { NotFoundError, ValidationError } from '../../core/errors/index.js';
import { printResult, printRows } from './output.js';
import type { CliContext } from './cli-context.js';

export function addHostCommands(program: Command, c: CliContext): void {
  const hosts = program.command('hosts').description('registered hosts and their agents');

  hosts
    .command('list')
    .description('hosts with an agent credential or an agent that reported')
    .action(async () => {
      const list = await c.withDb((db) => listHosts(db));
      printRows(c.printer(), list, ['hostId', 'hostName', 'version', 'lastHeartbeatAt', 'strikerUrl', 'credentialIssuedAt']);
    });

  hosts
    .command('show <hostId>')
    .description("a host's credential and agent: version, last heartbeat, Striker, inventory")
    .action(async (hostId: string) => {
      const result = await c.withDb(async (db) => {
        const credential = (await liveCredentialOf(db, hostId)) ?? null;
        const agent = (await getHostAgent(db, hostId)) ?? null;
        if (credential === null && agent === null) throw new NotFoundError('host', hostId);
        return { hostId, credential, agent };
      });
      const p = c.printer();
      printResult(p, result, () => {
        const { credential, agent } = result;
        p.out(`${hostId}  credential ${credential ? `${credential.id} issued ${credential.issuedAt.toISOString()} (${credential.issuedBy})` : 'none (revoked or never registered)'}`);
        if (agent === null) {
          p.out('agent: has not reported');
          return;
        }
        p.out(`agent ${agent.version}  last heartbeat ${agent.lastHeartbeatAt.toISOString()}  via ${agent.strikerUrl}`);
        const inv = agent.inventory;
        if (inv === null) return p.out('inventory: not yet received');
        p.out(`${inv.hostName}  system uuid ${inv.systemUuid ?? '-'}  ${inv.cpu.count} × ${inv.cpu.model}  ${(inv.memoryBytes / 2 ** 30).toFixed(1)} GiB`);
        for (const d of inv.disks) p.out(`disk ${d.name}  ${(d.sizeBytes / 1e9).toFixed(1)} GB  ${d.model ?? ''} ${d.serial ?? ''}`.trimEnd());
        for (const n of inv.nics) p.out(`nic  ${n.name}  ${n.kind}  ${n.mac ?? '-'}  ${n.operstate}  ${n.speedMbps === null ? '' : `${n.speedMbps} Mb/s`}${n.master ? `  in ${n.master}` : ''}${n.members.length ? `  members ${n.members.join(',')}` : ''}`);
      });
    });

  hosts
    .command('revoke <hostId>')
    .description("revoke a host's agent credential: its agent is refused until the host registers again")
    .action(async (hostId: string) => {
      const r = await c.withDb((db) => revokeCredential(db, c.cliActor(), hostId));
      const p = c.printer();
      printResult(p, r, () => p.out(`${r.hostId}: credential ${r.credentialId} revoked`));
    });

  hosts
    .command('rotate <hostId>')
    .description("issue a new agent credential (the old one stops working); prints the host's new agent-credentials.json once")
    .action(async (hostId: string) => {
      const issued = await c.withDb((db) => rotateCredential(db, c.cliActor(), hostId));
      // The content of the credentials file, in either output mode: install it on the host with mode 0600.
      c.printer().out(JSON.stringify(issued, null, 2));
    });

  hosts
    .command('run <hostId> <kind>')
    .description('address a job to a host (host.inventory, host.run-checks, host.reboot, host.poweroff)')
    .option('--payload <json>', 'the job payload as JSON', '{}')
    .action(async (hostId: string, kind: string, o: { payload: string }) => {
      let payload: unknown;
      try {
        payload = JSON.parse(o.payload);
      } catch (error) {
        throw new ValidationError([{ path: 'payload', message: `must be JSON — ${(error as Error).message}` }], 'host job');
      }
      const job = await c.withDb((db) => enqueueHostJob(db, c.cliActor(), { hostId, kind, payload }));
      const p = c.printer();
      printResult(p, job, () => p.out(`${job.id} ${job.kind} queued for ${hostId}`));
    });
}
