/**
 * `striker scancore status|decisions|maintenance on|off`: each host's health score with its
 * reasons, the decisions ScanCore made (newest first) and its maintenance mode, read from and
 * written to the database like the other verbs (maintenance through ScanCore's audited action).
 */
import type { Command } from 'commander';
import { decisionOutcomes, latestHealthScores, listDecisions, maintenanceStates, setMaintenanceMode, type DecisionOutcome } from '../../../cluster/scancore/index.js';
import { ValidationError } from '../../core/errors/index.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';

export function addScancoreCommands(program: Command, c: CliContext): void {
  const scancore = program.command('scancore').description('ScanCore: health scores, decisions, maintenance mode');

  scancore
    .command('status')
    .description('each host\'s health score and reasons, and which pairs are in maintenance mode')
    .action(async () => {
      const result = await c.withDb(async (db) => ({ hosts: await latestHealthScores(db), maintenance: await maintenanceStates(db) }));
      const p = c.printer();
      printResult(p, result, () => {
        if (result.hosts.length === 0) p.out('no host has reported a scan yet');
        for (const h of result.hosts) {
          p.out(`${h.hostId}  score ${h.score}  at ${new Date(h.at).toISOString()}`);
          for (const r of h.reasons) p.out(`    +${r.weight}  ${r.text}`);
        }
        for (const m of result.maintenance) p.out(`pair ${m.pairId}: ${m.maintenance ? 'MAINTENANCE (ScanCore does not act)' : 'ScanCore acts'}  (decided by ${m.ownerNode ?? 'unknown'})`);
      });
    });

  scancore
    .command('decisions')
    .description('decisions ScanCore made, newest first, with their reasons and outcome')
    .option('--limit <n>', 'how many (1-200)', '20')
    .option('--pair <id>', 'only this pair')
    .option('--outcome <outcome>', `only these: ${decisionOutcomes.join(', ')} (acted with a job failed, cancelled or interrupted)`)
    .action(async (o: { limit: string; pair?: string; outcome?: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new ValidationError([{ path: '--limit', message: `must be a whole number from 1 to 200 — got '${o.limit}'` }], 'arguments');
      if (o.outcome !== undefined && !(decisionOutcomes as readonly string[]).includes(o.outcome)) {
        throw new ValidationError([{ path: '--outcome', message: `must be one of ${decisionOutcomes.join(', ')} — got '${o.outcome}'` }], 'arguments');
      }
      const outcome = o.outcome as DecisionOutcome | undefined;
      const decisions = await c.withDb((db) => listDecisions(db, { limit, pairId: o.pair, outcome }));
      const p = c.printer();
      printResult(p, { decisions }, () => {
        if (decisions.length === 0) p.out('no decisions');
        for (const d of decisions) {
          const outcome = d.outcome === 'acted' ? `acted: jobs ${d.jobIds.join(', ') || '-'}` : d.notActedReason ?? 'not acted';
          p.out(`${d.decidedAt}  ${d.pairId}  ${d.kind} (${d.cause})  ${outcome}`);
          for (const r of d.reasons) p.out(`    ${r}`);
        }
      });
    });

  const maintenance = scancore.command('maintenance').description('maintenance mode: ScanCore reads and decides but does not act');
  for (const state of ['on', 'off'] as const) {
    maintenance
      .command(state)
      .description(state === 'on' ? 'stop ScanCore acting (every pair, or --pair)' : 'let ScanCore act again (every pair, or --pair)')
      .option('--pair <id>', 'only this pair')
      .action(async (o: { pair?: string }) => {
        const result = await c.withDb((db) => setMaintenanceMode(db, c.cliActor(), { enabled: state === 'on', ...(o.pair === undefined ? {} : { pair: o.pair }) }));
        const p = c.printer();
        printResult(p, result, () => {
          p.out(result.changed.length === 0 ? `maintenance mode was already ${state}` : `maintenance mode ${state} for ${result.changed.join(', ')}`);
        });
      });
  }
}
