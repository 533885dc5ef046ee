/**
 * `striker dr link|unlink|protect|unprotect|status`: the DR host of each pair, through the same
 * actions as the API (cluster/dr/actions.ts). `link` and the protections enqueue host jobs the
 * agents run; `status` shows each link with its protections and the newest boot-sync-shutdown
 * cycle.
 */
import type { Command } from 'commander';
import { drStatus, linkDr, protectServer, unlinkDr, unprotectServer } from '../../../cluster/dr/index.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';

export function addDrCommands(program: Command, c: CliContext): void {
  const dr = program.command('dr').description("the pairs' DR hosts: link, unlink, protect, unprotect, status");

  dr.command('status')
    .description('each DR link (protocol, mode, state, newest cycle) with the servers it protects')
    .option('--anvil <name>', 'only this pair')
    .action(async (o: { anvil?: string }) => {
      const status = await c.withDb((db) => drStatus(db, o.anvil === undefined ? {} : { anvil: o.anvil }));
      const p = c.printer();
      printResult(p, status, () => {
        if (status.links.length === 0) p.out('no DR links');
        for (const { link: l, protections } of status.links) {
          p.out(`${l.anvil} → ${l.drHost} (${l.drSnAddress}): ${l.state}, protocol ${l.protocol}, ${l.mode}${l.schedule === null ? '' : ` at '${l.schedule}'`}`);
          if (l.lastCycleAt !== null) p.out(`  last cycle ${l.lastCycleAt.toISOString()}: ${l.lastCycleOutcome} — ${l.lastCycleMessage ?? ''}`);
          for (const s of protections) p.out(`  ${s.serverName}: ${s.state}${s.protectedSince === null ? '' : ` since ${s.protectedSince.toISOString()}`}${s.error === null ? '' : ` — ${s.error}`}`);
        }
        for (const u of status.unlinked) p.out(`${u.anvil}: DR host ${u.drHost} not linked`);
      });
    });

  dr.command('link <anvil>')
    .description("link a pair's DR host (from its manifest): a dr.link job on the DR host")
    .requiredOption('--protocol <A|C>', 'A (async) or C (sync) on the DR connections')
    .option('--mode <mode>', 'always-on or boot-sync-shutdown', 'always-on')
    .option('--schedule <cron>', "boot-sync-shutdown only: when, like '0 2 * * *' (UTC)")
    .action(async (anvil: string, o: { protocol: string; mode: string; schedule?: string }) => {
      const input = { anvil, protocol: o.protocol, mode: o.mode, ...(o.schedule === undefined ? {} : { schedule: o.schedule }) };
      const result = await c.withDb((db) => linkDr(db, c.cliActor(), input));
      const p = c.printer();
      printResult(p, { link: result.link, jobId: result.job.id }, () => p.out(`${anvil} → ${result.link.drHost}: ${result.link.state}; job ${result.job.id} (dr.link)`));
    });

  dr.command('unlink <anvil>')
    .description('unlink the DR host (refused while any server is protected)')
    .action(async (anvil: string) => {
      const result = await c.withDb((db) => unlinkDr(db, c.cliActor(), { anvil }));
      const p = c.printer();
      printResult(p, result, () => p.out(`${anvil}: DR host unlinked`));
    });

  const protection = (verb: 'protect' | 'unprotect', description: string) =>
    dr.command(`${verb} <server>`).description(description).action(async (server: string) => {
      const result = await c.withDb((db) => (verb === 'protect' ? protectServer : unprotectServer)(db, c.config().servers, c.cliActor(), { server }));
      const p = c.printer();
      printResult(p, result, () => p.out(`${server}: ${result.protection.state}; jobs node1 ${result.jobs.node1}, node2 ${result.jobs.node2}, dr ${result.jobs.dr}`));
    });
  protection('protect', "add the DR host to a server's DRBD resource (dr.protect on the three hosts)");
  protection('unprotect', "remove the DR host from a server's DRBD resource");
}
