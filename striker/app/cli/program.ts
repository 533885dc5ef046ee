/**
 * The `striker` command line: the same binary serves, and offers every action as a subcommand
 * with `--json` output. Argv and environment arrive from main.ts; nothing here reads them.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import type { Logger } from 'pino';
import type { Actor } from '../../audit/audit-store.js';
import { roles } from '../../auth/roles.js';
import { createApiToken, createUser } from '../../auth/actions.js';
import { findUserByName, listUsers } from '../../auth/user-store.js';
import { loadConfig } from '../config/load-config.js';
import type { StrikerConfig } from '../config/schema.js';
import type { Database } from '../../db/database.js';
import { migrate, migrationStatus } from '../../db/migrate.js';
import { NotFoundError, StrikerError, ValidationError } from '../../core/errors/index.js';
import { isUuid } from '../../core/validation/uuid.js';
import { cancelJob } from '../../jobs/actions.js';
import { jobStatuses, renderMessage } from '../../jobs/job.js';
import { getJob, jobMessages, listJobs } from '../../jobs/job-store.js';
import { openDatabase } from '../open-database.js';
import type { CliContext, CliIo } from './cli-context.js';
import { printResult, printRows, printTable, type Printer } from './output.js';
import { addRepoCommands } from './repo-commands.js';
import { addMachineCommands } from './machine-commands.js';
import { addKickstartCommands } from './kickstart-commands.js';
import { addHostCommands } from './host-commands.js';
import { addPeerCommands } from './peer-commands.js';
import { addManifestCommands } from './manifest-commands.js';
import { addManifestRunCommands } from './manifest-run-commands.js';
import { addScancoreCommands } from './scancore-commands.js';
import { addServerCommands } from './server-commands.js';
import { addDrCommands } from './dr-commands.js';
import { addFileCommands } from './file-commands.js';
import { addClusterCommands } from './cluster-commands.js';
import { addAlertCommands } from './alert-commands.js';


/** What command groups in other files need from the program. */

export type { CliContext, CliIo } from './cli-context.js';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('striker')
    .description('Striker: offline provisioning and dashboard appliance for Anvil!-style HA clusters')
    .option('-c, --config <file>', 'YAML configuration file (default: $STRIKER_CONFIG, else ./striker.yaml if present)')
    .option('--json', 'print machine-readable JSON')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    .showHelpAfterError();

  const config = (): Readonly<StrikerConfig> => {
    const opts = program.opts<{ config?: string }>();
    return loadConfig({ file: opts.config ?? io.env.STRIKER_CONFIG ?? defaultConfigFile(), env: io.env });
  };
  const printer = (): Printer => ({ json: Boolean(program.opts<{ json?: boolean }>().json), out: (t) => io.stdout(`${t}\n`) });
  const cliActor = (): Actor => ({ userId: null, name: `cli:${userInfo().username}`, role: 'admin', via: 'system' });
  const withDb = async <T>(fn: (db: Database, logger: Logger, opened: { startedHere: boolean }) => Promise<T>): Promise<T> => {
    const cfg = config();
    const logger = io.makeLogger({ ...cfg, log: { ...cfg.log, level: cfg.log.level === 'info' ? 'warn' : cfg.log.level } });
    const opened = await openDatabase(cfg, logger, 'cli');
    try {
      await migrate(opened.db, logger);
      return await fn(opened.db, logger, { startedHere: opened.lock !== undefined });
    } finally {
      await opened.close();
    }
  };

  const context: CliContext = { io, config, printer, cliActor, withDb };
  addRepoCommands(program, context);
  addMachineCommands(program, context);
  addKickstartCommands(program, context);
  addHostCommands(program, context);
  addPeerCommands(program, context);
  addManifestCommands(program, context);
  addScancoreCommands(program, context);
  addServerCommands(program, context);
  addDrCommands(program, context);
  addFileCommands(program, context);
  addClusterCommands(program, context);
  // After addManifestCommands: adds `run` to its `manifest` group.
  addManifestRunCommands(program, context, setExit);
  addAlertCommands(program, context);

  program
    .command('serve')
    .description('run Striker: database, job runner, API and web UI (what `npm start` runs)')
    .action(async () => {
      const cfg = config();
      setExit(await io.runServe(cfg, io.makeLogger(cfg)));
    });

  program
    .command('agent')
    .description("run the host agent (what the striker-agent service runs): jobs addressed to this host, inventory, heartbeats")
    .option('--agent-config <file>', 'the agent configuration', '/etc/striker/agent.json')
    .option('--credentials <file>', "the host's agent credentials (mode 0600)", '/etc/striker/agent-credentials.json')
    .action(async (o: { agentConfig: string; credentials: string }) => {
      setExit(await io.runAgent({ configPath: o.agentConfig, credentialsPath: o.credentials }));
    });

  const user = program.command('user').description('manage users');
  user
    .command('add <username>')
    .description('add a user; the password is read from standard input')
    .addOption(new Option('-r, --role <role>', 'role').choices(roles).default('viewer'))
    .option('-n, --name <display name>', 'display name', '')
    .action(async (username: string, opts: { role: string; name: string }) => {
      const password = (await io.readStdin()).replace(/\r?\n$/, '');
      const created = await withDb((db) => createUser(db, cliActor(), { username, displayName: opts.name, password, role: opts.role }));
      const p = printer();
      printResult(p, created, () => p.out(`added ${created.username} (${created.role}) ${created.id}`));
    });
  user
    .command('list')
    .description('list users')
    .action(async () => {
      const users = await withDb((db) => listUsers(db));
      printRows(printer(), users, ['username', 'role', 'disabled', 'createdAt', 'id']);
    });

  program
    .command('token')
    .description('API tokens')
    .command('create <username>')
    .description('create an API token for a user (for the CLI elsewhere, or an agent); printed once')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--days <n>', 'days until it expires', '365')
    .action(async (username: string, opts: { name: string; days: string }) => {
      const result = await withDb(async (db) => {
        const u = await findUserByName(db, username);
        if (!u) throw new NotFoundError('user', username);
        return createApiToken(db, cliActor(), u.id, { name: opts.name, days: Number(opts.days) });
      });
      const p = printer();
      printResult(p, result, () => p.out(result.token));
    });

  const jobs = program.command('jobs').description('see and cancel jobs');
  jobs
    .command('list')
    .description('list recent jobs')
    .addOption(new Option('--status <status>', 'only jobs with this status').choices(jobStatuses))
    .option('--limit <n>', 'how many', '50')
    .action(async (opts: { status?: (typeof jobStatuses)[number]; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError([{ path: 'limit', message: `must be 1 to 1000 — got '${opts.limit}'` }]);
      const list = await withDb((db) => listJobs(db, { status: opts.status, limit }));
      const p = printer();
      printResult(p, list, () =>
        printTable(p, list.map((j) => ({ ...j, target: j.targetHost ?? 'striker', text: renderMessage(j.message, j.messageVars) })), ['id', 'kind', 'target', 'status', 'progress', 'text', 'createdAt']),
      );
    });
  jobs
    .command('show <id>')
    .description('a job and its message history')
    .action(async (id: string) => {
      const result = await withDb(async (db) => {
        requireUuid(id, 'job');
        return { job: await getJob(db, id), messages: await jobMessages(db, id) };
      });
      const p = printer();
      printResult(p, result, () => {
        const j = result.job;
        p.out(`${j.id}  ${j.kind}  on ${j.targetHost ?? 'striker'}  ${j.status}  ${j.progress}%  attempts ${j.attempts}/${j.maxAttempts}`);
        if (j.lastError) p.out(`last error: ${j.lastError}`);
        for (const m of result.messages) p.out(`${m.at.toISOString()}  ${String(m.progress).padStart(3)}%  ${m.level.padEnd(5)}  ${renderMessage(m.message, m.vars)}`);
      });
    });
  jobs
    .command('cancel <id>')
    .description('cancel a queued job, or ask a running one to stop')
    .action(async (id: string) => {
      const job = await withDb((db) => cancelJob(db, cliActor(), id));
      const p = printer();
      printResult(p, job, () => p.out(`${job.id} ${job.status === 'cancelled' ? 'cancelled' : 'cancelling'}`));
    });

  const db = program.command('db').description('database schema');
  db.command('migrate')
    .description('apply pending migrations')
    .action(async () => {
      const status = await withDb((d) => migrationStatus(d));
      const p = printer();
      printResult(p, status, () => p.out(`schema at version ${status.filter((s) => s.appliedAt).length} of ${status.length}`));
    });
  db.command('status')
    .description('list migrations and when they were applied')
    .action(async () => {
      const cfg = config();
      const logger = io.makeLogger({ ...cfg, log: { ...cfg.log, level: 'warn' } });
      const opened = await openDatabase(cfg, logger, 'cli');
      try {
        const status = await migrationStatus(opened.db);
        printRows(printer(), status, ['version', 'name', 'appliedAt']);
      } finally {
        await opened.close();
      }
    });
  return program;
}

function requireUuid(id: string, what: string): void {
  if (!isUuid(id)) throw new NotFoundError(what, id);
}

function defaultConfigFile(): string | undefined {
  return existsSync('striker.yaml') ? 'striker.yaml' : undefined;
}

export { CommanderError, StrikerError };
