/**
 * The embedded PostgreSQL after crashes, on a real cluster: what a dead striker left running is
 * stopped, what nobody can vouch for is refused, a stale postmaster.pid is left to PostgreSQL,
 * interrupted initialisations and missing databases are recovered, and a failed start says why.
 * One cluster is initialised for the file and started and stopped in sequence.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StrikerError } from '../core/errors/index.js';
import { quietLogger } from '../../test/support/test-database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
import { isAlive } from '../core/process-probe.js';
import { parsePostmasterPid } from './stale-postmaster.js';

let dataDir: string;
const pgDir = () => join(dataDir, 'postgres');
const pidFile = () => join(pgDir(), 'postmaster.pid');
const started: EmbeddedDatabase[] = [];

function deadPid(): number {
  return spawnSync('true').pid!;
}

async function start(options: { staleLock?: { pid: number; purpose: string }; database?: string; port?: number } = {}): Promise<EmbeddedDatabase> {
  const db = await startEmbeddedPostgres({ dataDir, port: options.port ?? 0, logger: quietLogger, ...options });
  started.push(db);
  return db;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
  await client.end();
  return rows[0]?.one === 1;
}

async function startError(options: Parameters<typeof start>[0] = {}): Promise<StrikerError> {
  let caught: unknown;
  await start(options).then(
    () => undefined,
    (e: unknown) => (caught = e),
  );
  expect(caught).toBeInstanceOf(StrikerError);
  return caught as StrikerError;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'striker-embedded-'));
  const first = await start();
  await first.stop();
});
afterAll(async () => {
  for (const db of started) if (isAlive(db.pid)) await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL after a crash', () => {
  it('stops the PostgreSQL a dead striker left running, then starts its own', async () => {
    const orphan = await start();
    const next = await start({ staleLock: { pid: deadPid(), purpose: 'striker serve' } });
    expect(next.pid).not.toBe(orphan.pid);
    expect(isAlive(orphan.pid)).toBe(false);
    expect(parsePostmasterPid(readFileSync(pidFile(), 'utf8'))?.pid).toBe(next.pid);
    expect(await answers(next.url)).toBe(true);
    await next.stop();
    expect(existsSync(pidFile())).toBe(false);
  });

  it('refuses, and leaves it running, when its PostgreSQL runs but no dead striker held the lock', async () => {
    const running = await start();
    const error = await startError();
    expect(error.code).toBe('DATABASE_UNAVAILABLE');
    expect(error.message).toContain(`PostgreSQL pid ${running.pid} is already running on ${pgDir()}, but no striker held the data directory`);
    expect(await answers(running.url)).toBe(true);
    await running.stop();
  });

  it('leaves a postmaster.pid whose process is gone to PostgreSQL, which starts', async () => {
    const before = await start();
    const leftover = readFileSync(pidFile(), 'utf8');
    await before.stop();
    writeFileSync(pidFile(), leftover);
    expect(isAlive(before.pid)).toBe(false);
    const after = await start();
    expect(parsePostmasterPid(readFileSync(pidFile(), 'utf8'))?.pid).toBe(after.pid);
    expect(await answers(after.url)).toBe(true);
    await after.stop();
  });

  it("refuses when postmaster.pid names another program or another directory's PostgreSQL, even after a crash", async () => {
    const staleLock = { pid: deadPid(), purpose: 'striker serve' };
    const template = (pid: number) => `${pid}\n${pgDir()}\n1796537276\n5432\n\n127.0.0.1\n  1    2\nready   \n`;
    writeFileSync(pidFile(), template(process.pid));
    const notPostgres = await startError({ staleLock });
    expect(notPostgres.message).toMatch(new RegExp(`pid ${process.pid} now runs '[^']+', not PostgreSQL`));
    // The test run's own cluster: a live PostgreSQL of another directory.
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const { rows } = await admin.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
    await admin.end();
    const otherDir = rows[0]!.setting;
    const otherPid = parsePostmasterPid(readFileSync(join(otherDir, 'postmaster.pid'), 'utf8'))!.pid;
    writeFileSync(pidFile(), template(otherPid));
    const other = await startError({ staleLock });
    expect(other.message).toContain(`PostgreSQL pid ${otherPid} serves ${otherDir}, not this directory`);
    expect(isAlive(otherPid)).toBe(true);
    rmSync(pidFile());
  });

  it('says why PostgreSQL did not start, with its own FATAL line, instead of hanging', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const error = await startError({ port });
      expect(error.message).toContain(`embedded PostgreSQL under ${pgDir()} did not start: the postgres process exited: `);
      expect(error.message).toMatch(/FATAL: +could not create any TCP\/IP sockets/);
    } finally {
      taken.close();
    }
    expect(existsSync(pidFile())).toBe(false);
  });

  it('creates the database when it is missing (a start killed before it was created)', async () => {
    const db = await start({ database: 'created_later' });
    expect(await answers(db.url)).toBe(true);
    await db.stop();
  });

  it('removes the scratch cluster of an initialisation whose striker died', async () => {
    const scratch = join(dataDir, `postgres.init-${deadPid()}`);
    mkdirSync(join(scratch, 'base'), { recursive: true });
    writeFileSync(join(scratch, 'base', 'half-written'), 'x');
    const db = await start();
    expect(existsSync(scratch)).toBe(false);
    await db.stop();
  });

  it('refuses a postgres directory that initdb never finished, naming it', async () => {
    const other = mkdtempSync(join(tmpdir(), 'striker-embedded-half-'));
    try {
      mkdirSync(join(other, 'postgres', 'global'), { recursive: true });
      let caught: unknown;
      await startEmbeddedPostgres({ dataDir: other, port: 0, logger: quietLogger }).catch((e: unknown) => (caught = e));
      expect((caught as StrikerError).message).toBe(`${join(other, 'postgres')} is not empty but holds no PostgreSQL cluster (no PG_VERSION): an initialisation was interrupted. Move it away (or delete it if nothing in it is needed) and start again`);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
