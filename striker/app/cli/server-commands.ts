/**
 * `striker servers list|show|create|migrate|start|stop|settle-definition`: the servers on the
 * pairs, through the same actions as the API (cluster/servers/actions.ts, definition-actions.ts).
 * `show` gives the definition version in force and any conflict between two nodes' changes;
 * `settle-definition` settles one by choosing a side. `create` allocates and stores the server
 * and enqueues its provisioning job for `striker serve` to run (it drives the nodes' agents);
 * `--wait` follows it to its end.
 */
import type { Command } from 'commander';
import {
  createServer, definitionView, getServer, listServers, serverAction, serverCreateJobKind, serverMigrations, settleDefinitionConflict,
} from '../../../cluster/servers/index.js';
import { ValidationError } from '../../core/errors/index.js';
import { buildJobCatalog } from '../job-catalog.js';
import { printResult } from './output.js';
import type { CliContext } from './cli-context.js';
import { followJob } from './wait-for-job.js';

const wholeNumber = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new ValidationError([{ path: flag, message: `must be a whole number — got '${text}'` }], 'arguments');
  return n;
};

export function addServerCommands(program: Command, c: CliContext): void {
  const servers = program.command('servers').description('servers on the node pairs: list, show, create, migrate, start, stop');

  servers
    .command('list')
    .description('every server, its pair, state, where it runs and its provisioning step')
    .option('--anvil <name>', 'only this pair')
    .action(async (o: { anvil?: string }) => {
      const list = await c.withDb((db) => listServers(db, o.anvil === undefined ? {} : { anvil: o.anvil }));
      const p = c.printer();
      printResult(p, { servers: list }, () => {
        if (list.length === 0) p.out('no servers');
        for (const s of list) p.out(`${s.name}  ${s.anvil}  ${s.state}  on ${s.runningOn ?? '-'}  step ${s.provisionStep}  ${s.vcpus} vCPU ${s.memoryMiB} MiB ${s.diskGiB} GiB  minor ${s.drbdMinor} port ${s.drbdPort}`);
      });
    });

  servers
    .command('show <name>')
    .description('one server with its newest migrations, its definition version and any definition conflict')
    .action(async (name: string) => {
      const result = await c.withDb(async (db) => ({ server: await getServer(db, name), migrations: await serverMigrations(db, name), definition: await definitionView(db, name) }));
      const p = c.printer();
      printResult(p, result, () => {
        const s = result.server;
        p.out(`${s.name} (${s.anvil}): ${s.state}, on ${s.runningOn ?? '-'}, preferred ${s.preferredNode}, live migration ${s.liveMigration ? 'on' : 'off'}`);
        p.out(`  ${s.vcpus} vCPU, ${s.memoryMiB} MiB, ${s.diskGiB} GiB; DRBD minor ${s.drbdMinor}, port ${s.drbdPort}; networks ${s.networks.map((n) => n.network).join(', ') || '-'}`);
        p.out(`  provisioning: ${s.provisionStep}${s.provisionJob ? ` (job ${s.provisionJob})` : ''}${s.provisionError ? ` — ${s.provisionError}` : ''}`);
        for (const m of result.migrations) p.out(`  ${m.startedAt.toISOString()}  ${m.kind} ${m.fromNode} → ${m.toNode}  ${m.outcome}  ${m.durationMs} ms${m.downtimeMs === null ? '' : ` (downtime ${m.downtimeMs} ms)`}`);
        const d = result.definition;
        if (d === null) p.out('  definition: none yet');
        else p.out(`  definition: version ${d.version} (${d.source}${d.reportedBy ? ` by ${d.reportedBy}` : ''}, ${d.createdAt.toISOString()}), sha256 ${d.hash.slice(0, 12)}`);
        for (const x of d?.conflicts.filter((k) => k.state === 'open') ?? []) {
          p.out(`  CONFLICT ${x.id}: from version ${x.baseVersion}, ${x.keptBy ?? 'Striker'} made version ${x.keptVersion} (kept, in force) and ${x.otherBy} made another change (not applied)`);
          p.out(`    settle: striker servers settle-definition ${s.name} ${x.id} --choose kept|other`);
        }
      });
    });

  servers
    .command('settle-definition <name> <conflict>')
    .description("settle a conflict between two nodes' definition changes: the side chosen is defined on both nodes")
    .requiredOption('--choose <side>', 'kept (the version in force) or other (the change reported second)')
    .action(async (name: string, conflict: string, o: { choose: string }) => {
      const result = await c.withDb((db) => settleDefinitionConflict(db, c.cliActor(), name, conflict, { choose: o.choose }));
      const p = c.printer();
      printResult(p, result, () => p.out(`${name}: version ${result.definition.version} (${result.conflict.chosen} chosen) is being defined on both nodes: jobs ${result.jobIds.join(', ')}`));
    });

  servers
    .command('create <name>')
    .description('provision a server on a pair (a job: volume, DRBD resource, domain, pacemaker resource on both nodes)')
    .requiredOption('--anvil <name>', 'the pair, like an-anvil-01')
    .requiredOption('--vcpus <n>', 'vCPUs')
    .requiredOption('--memory <MiB>', 'RAM in MiB')
    .requiredOption('--disk <GiB>', 'disk size in GiB')
    .option('--iso <file>', 'install ISO: an uploaded ISO (its name or id, see striker files list), or a path on the nodes')
    .option('--driver-iso <file>', 'driver ISO: an uploaded ISO (its name or id), or a path on the nodes')
    .option('--os-variant <id>', 'OS variant, like rhel9.4', 'generic')
    .option('--network <key...>', 'networks to attach (ifn1, bcn1…)')
    .option('--preferred-node <node>', 'node1 or node2', 'node1')
    .option('--no-live-migration', 'migrate this server cold (shut down, start on the peer)')
    .option('--wait', 'follow the provisioning job to its end (striker serve runs it)')
    .action(async (name: string, o: { anvil: string; vcpus: string; memory: string; disk: string; iso?: string; driverIso?: string; osVariant: string; network?: string[]; preferredNode: string; liveMigration: boolean; wait?: boolean }) => {
      const input = {
        name, anvil: o.anvil, vcpus: wholeNumber('--vcpus', o.vcpus), memoryMiB: wholeNumber('--memory', o.memory), diskGiB: wholeNumber('--disk', o.disk),
        ...(o.iso === undefined ? {} : { installIso: o.iso }), ...(o.driverIso === undefined ? {} : { driverIso: o.driverIso }),
        osVariant: o.osVariant, networks: (o.network ?? []).map((network) => ({ network })), preferredNode: o.preferredNode, liveMigration: o.liveMigration,
      };
      const result = await c.withDb(async (db) => {
        const catalog = buildJobCatalog(db, [serverCreateJobKind({ db, config: c.config().servers })]);
        const created = await createServer(db, catalog, c.cliActor(), input, { files: c.config().files });
        const job = o.wait === true ? await followJob(db, created.job.id, (line) => (c.printer().json ? undefined : c.printer().out(line))) : created.job;
        return { server: created.server, job };
      });
      const p = c.printer();
      printResult(p, result, () => p.out(`${result.server.name}: minor ${result.server.drbdMinor}, port ${result.server.drbdPort}; provisioning job ${result.job.id} ${result.job.status}`));
    });

  const act = (action: 'migrate' | 'start' | 'stop', description: string) => {
    const cmd = servers.command(`${action} <name>`).description(description).option('--reason <text>', 'why (kept with the job)');
    if (action === 'migrate') cmd.option('--to <node>', 'the node to move to (default: the peer)');
    cmd.action(async (name: string, o: { reason?: string; to?: string }) => {
      const input = { action, ...(o.to === undefined ? {} : { to: o.to }), ...(o.reason === undefined ? {} : { reason: o.reason }) };
      const result = await c.withDb((db) => serverAction(db, c.cliActor(), name, input));
      const p = c.printer();
      printResult(p, { server: result.server, jobId: result.job.id }, () => p.out(`${name}: ${result.server.state}; job ${result.job.id} (${result.job.kind})`));
    });
  };
  act('migrate', 'move a running server to the peer node (live when allowed, else cold)');
  act('start', 'start a server through pacemaker');
  act('stop', 'shut a server down gracefully through pacemaker');
}
