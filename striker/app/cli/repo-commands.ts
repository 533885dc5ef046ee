/**
 * `striker repo add|list|sync|import|remove`: thin callers of repo-sync's actions. Sync and import
 * are jobs: with a running `striker serve` the CLI enqueues and follows them; without one it runs
 * them itself (run-job.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runCommand } from '../../core/command/run-command.js';
import { ValidationError } from '../../core/errors/index.js';
import type { Database } from '../../db/database.js';
import { addRepo, listRepos, removeRepo, repoJobKinds, startIsoImport, startRepoSync } from '../../../repo-sync/index.js';
import { printResult, printTable } from './output.js';
import type { CliContext } from './cli-context.js';
import { runJobFromCli } from './run-job.js';

export function addRepoCommands(program: Command, c: CliContext): void {
  const repo = program.command('repo').description('mirrored RPM repos and OS media');

  repo
    .command('add <name>')
    .description('add a repo to mirror from an HTTP(S) baseurl or a local directory')
    .option('--url <baseurl>', 'upstream baseurl (http or https)')
    .option('--dir <path>', 'a local directory holding a repo')
    .option('--ca-cert <file>', 'PEM certificate of the private CA that signed an https upstream')
    .option('--gpg-key <file>', 'ASCII-armored public key the upstream signs with')
    .option('--require-signatures', 'refuse unsigned metadata and packages (needs --gpg-key)')
    .option('--every <minutes>', 'sync on a schedule, every N minutes')
    .option('--cron <expression>', "sync on a cron schedule, e.g. '0 3 * * *'")
    .option('--keep <versions>', 'keep N versions of each package instead of mirroring deletions')
    .action(async (name: string, o: { url?: string; dir?: string; caCert?: string; gpgKey?: string; requireSignatures?: boolean; every?: string; cron?: string; keep?: string }) => {
      if ((o.url === undefined) === (o.dir === undefined)) throw new ValidationError([{ path: 'source', message: 'give exactly one of --url or --dir' }], 'repo');
      const input: Record<string, unknown> = {
        name,
        source: o.url !== undefined
          ? { kind: 'http', url: o.url, ...(o.caCert !== undefined ? { caCertificate: readFileSync(o.caCert, 'utf8') } : {}) }
          : { kind: 'directory', path: resolve(o.dir!) },
      };
      if (o.gpgKey !== undefined) input.gpgKey = readFileSync(o.gpgKey, 'utf8');
      if (o.requireSignatures) Object.assign(input, { requireRepoSignature: true, requirePackageSignatures: true });
      if (o.every !== undefined) input.schedule = { kind: 'interval', everyMinutes: Number(o.every) };
      if (o.cron !== undefined) input.schedule = { kind: 'cron', expression: o.cron };
      if (o.keep !== undefined) input.retain = { mode: 'keep', versions: Number(o.keep) };
      const added = await c.withDb((db) => addRepo(db, c.cliActor(), input));
      const p = c.printer();
      printResult(p, added, () => p.out(`added repo ${added.name}`));
    });

  repo
    .command('list')
    .description('repos with their last sync')
    .action(async () => {
      const repos = await c.withDb((db) => listRepos(db));
      const p = c.printer();
      printResult(p, repos, () =>
        printTable(
          p,
          repos.map((r) => ({
            name: r.name,
            source: r.config.source.kind === 'http' ? r.config.source.url : r.config.source.path,
            packages: r.lastResult?.packageCount ?? '-',
            lastSync: r.lastSyncedAt,
            error: r.lastError ?? '',
          })),
          ['name', 'source', 'packages', 'lastSync', 'error'],
        ),
      );
    });

  repo
    .command('remove <name>')
    .description('stop mirroring a repo (its published files stay until pruned)')
    .action(async (name: string) => {
      await c.withDb((db) => removeRepo(db, c.cliActor(), name));
      const p = c.printer();
      printResult(p, { removed: name }, () => p.out(`removed repo ${name}`));
    });

  const kinds = (db: Database) => repoJobKinds({ db, dataDir: resolve(c.config().dataDir), runner: runCommand });

  repo
    .command('sync <name>')
    .description('mirror a repo now (a job), following its progress')
    .option('--no-wait', 'only enqueue the job (when striker serve runs)')
    .action(async (name: string, o: { wait: boolean }) => {
      const job = await runJobFromCli(c, kinds, (db, catalog) => startRepoSync(db, catalog, c.cliActor(), name), { wait: o.wait });
      const p = c.printer();
      printResult(p, job, () => p.out(`${job.id} ${job.status}`));
    });

  repo
    .command('import <iso>')
    .description('import OS installation media (an ISO file) as an installation tree')
    .option('--name <name>', 'tree name (default from .treeinfo)')
    .option('--no-wait', 'only enqueue the job (when striker serve runs)')
    .action(async (iso: string, o: { name?: string; wait: boolean }) => {
      const input = { path: resolve(iso), ...(o.name ? { name: o.name } : {}) };
      const job = await runJobFromCli(c, kinds, (db, catalog) => startIsoImport(db, catalog, c.cliActor(), input), { wait: o.wait });
      const p = c.printer();
      printResult(p, job, () => p.out(`${job.id} ${job.status}`));
    });
}
