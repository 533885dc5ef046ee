/**
 * `striker cluster status [anvil]` and `striker cluster node <action> <node> [--force]`: the pairs'
 * state as their nodes last reported it (with its age; stale state says so) and the node actions,
 * through the same checked, audited action as `POST /api/anvils/:name/nodes/:node/actions`.
 */
import type { Command } from 'commander';
import { anvilSummary, anvilView, bmcFromScancorePairs, clusterReports, loadAnvil, nodePowerJobKind, requestNodeAction } from '../../../cluster/ops/index.js';
import { watchedPairs } from '../../../cluster/scancore/index.js';
import { siteKeys } from '../../core/secrets/index.js';
import { runCommand } from '../../core/command/run-command.js';
import { ValidationError } from '../../core/errors/index.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';

/** The one pair whose reports name this node. */
async function anvilOf(db: Parameters<typeof clusterReports>[0], node: string): Promise<string> {
  const names = [...new Set((await clusterReports(db)).filter((r) => r.nodeName === node).map((r) => r.anvilName))];
  if (names.length === 1) return names[0]!;
  throw new ValidationError([{ path: '--anvil', message: names.length === 0 ? `no pair has reported a node named ${node}; name the pair with --anvil` : `${node} is a node of ${names.join(' and ')}; name the pair with --anvil` }], 'arguments');
}

export function addClusterCommands(program: Command, c: CliContext): void {
  const cluster = program.command('cluster').description('node pairs: their state and node actions');
  const deps = (db: Parameters<Parameters<CliContext['withDb']>[0]>[0], logger: Parameters<Parameters<CliContext['withDb']>[0]>[1]) => {
    const config = c.config();
    const pairs = watchedPairs({ db, keys: siteKeys(config.dataDir), logger, configured: config.scancore.pairs, fromManifests: config.scancore.pairsFromManifests });
    const bmcOf = bmcFromScancorePairs(pairs);
    const power = nodePowerJobKind({ bmcOf, run: runCommand, timeoutMs: config.scancore.scan.commandTimeoutMs });
    return { db, catalog: () => new Map([[power.kind, power]]), bmcOf, now: () => Date.now(), staleAfterMs: config.scancore.readings.staleAfterSeconds * 1000 };
  };
  const age = (a: { ageSeconds: number; stale: boolean } | undefined) => (a === undefined ? 'no state' : `${a.ageSeconds} s old${a.stale ? ' (STALE)' : ''}`);

  cluster
    .command('status [anvil]')
    .description('every pair (or one, in detail): nodes, links, fence devices, resources, failed actions, fence history')
    .action(async (anvil: string | undefined) => {
      const p = c.printer();
      if (anvil === undefined) {
        const anvils = await c.withDb(async (db, logger) => {
          const d = deps(db, logger);
          const reports = await clusterReports(db);
          return [...new Set(reports.map((r) => r.anvilName))].map((n) => anvilSummary(anvilView(n, reports.filter((r) => r.anvilName === n), d.now(), d.staleAfterMs)));
        });
        printResult(p, { anvils }, () => {
          if (anvils.length === 0) p.out('no node has reported its cluster yet');
          for (const a of anvils) {
            p.out(`${a.name}  ${a.quorate === undefined ? 'quorum unknown' : a.quorate ? 'quorate' : 'NOT QUORATE'}  servers ${a.servers.running}/${a.servers.total} running  failed actions ${a.failedActions}  (${age(a.source)})`);
            for (const n of a.nodes) p.out(`    ${n.name}  ${n.status}`);
          }
        });
        return;
      }
      const view = await c.withDb((db, logger) => loadAnvil(deps(db, logger), anvil));
      printResult(p, view, () => {
        p.out(`${view.name}  ${view.quorate ? 'quorate' : 'not quorate or unknown'}  DC ${view.dc ?? '-'}  (${age(view.source)}${view.source ? ` from ${view.source.node}` : ''})`);
        if (view.stateError !== undefined) p.out(`  no cluster state: ${view.stateError}`);
        for (const n of view.nodes) {
          p.out(`  node ${n.name}  ${n.status}  report ${age(n.report)}`);
          for (const l of n.links ?? []) p.out(`      link ${l.linkId} ${l.address}  ${l.peers.map((x) => `${x.node} ${x.status}`).join(', ')}`);
          if (n.linksError !== undefined) p.out(`      links unknown: ${n.linksError}`);
        }
        for (const d of view.fenceDevices) p.out(`  fence ${d.id} (${d.agent}) for ${d.target ?? '?'} level ${d.level ?? '-'}  last test ${d.lastTest === undefined ? 'none' : `${d.lastTest.ok ? 'ok' : `FAILED (${d.lastTest.rcText})`} ${d.lastTest.at}`}`);
        for (const r of view.resources) p.out(`  resource ${r.id} (${r.agent})  ${r.nodes.length === 0 ? 'stopped' : `on ${r.nodes.join(', ')}`}${r.failed ? '  FAILED' : ''}`);
        for (const f of view.failedActions) p.out(`  failed ${f.opKey} on ${f.node}: ${f.exitStatus} ${f.exitReason}`);
        for (const e of view.fenceHistory) p.out(`  fenced ${e.target} (${e.action}) ${e.status} by ${e.delegate ?? '?'} ${e.completed ?? ''}${e.exitReason ? ` — ${e.exitReason}` : ''}`);
      });
    });

  cluster
    .command('node <action> <node>')
    .description('standby | unstandby | withdraw | join | poweroff | boot a node; refuses to stop the servers\' last healthy node unless --force')
    .option('--anvil <name>', 'the pair the node belongs to (found from the node\'s reports when absent)')
    .option('--force', 'act even when the safety check refuses', false)
    .option('--reason <text>', 'why (kept with the job and the audit row)')
    .action(async (action: string, node: string, o: { anvil?: string; force: boolean; reason?: string }) => {
      const result = await c.withDb(async (db, logger) => requestNodeAction(deps(db, logger), c.cliActor(), { name: o.anvil ?? (await anvilOf(db, node)), node }, { action, force: o.force, ...(o.reason === undefined ? {} : { reason: o.reason }) }, { targetPrefix: '', prefix: '' }));
      const p = c.printer();
      printResult(p, { jobId: result.job.id, kind: result.job.kind, action: result.action, forced: result.forced, warning: result.warning }, () => {
        if (result.warning !== undefined) p.out(`warning: ${result.warning}`);
        p.out(`queued ${result.job.kind} job ${result.job.id}`);
      });
    });
}
