/**
 * Real embedded PostgreSQL instances replicating as Strikers do, for replication tests and the
 * benchmark: each peer is its own cluster on a loopback port, migrated and prepared
 * (`prepareReplication`), then joined in a full mesh where only the first peer seeds the others.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { openPool, type Database } from '../../striker/db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../striker/db/embedded-postgres.js';
import { migrate, readMigrations, type Migration } from '../../striker/db/migrate.js';
import { prepareReplication, subscribeToPeer, tableClasses, type TableClass } from '../../striker/db/replication/index.js';
import { isAlive } from '../../striker/core/process-probe.js';

export const replicationLogger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Peer {
  readonly name: string;
  readonly dir: string;
  port: number;
  url: string;
  db: Database;
  /** Stops PostgreSQL cleanly (the data directory is kept). */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster, then waits until every one of its processes is gone. */
  kill(): Promise<void>;
  /** Starts PostgreSQL again on the same directory and port. */
  start(): Promise<void>;
  /** Applies `migrations` (default: the project's) and runs the start-up sequence. */
  prepare(migrations?: Migration[], classes?: Readonly<Record<string, TableClass>>): Promise<void>;
  remove(): Promise<void>;
}

export async function startPeer(name: string, options: { prepare?: boolean; migrations?: Migration[] } = {}): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), `striker-repl-${name}-`));
  let pg: EmbeddedDatabase | undefined;
  const launch = async (port: number) => {
    pg = await startEmbeddedPostgres({
      dataDir: dir,
      port,
      logger: replicationLogger,
      replication: { maxSlotWalKeepSizeMb: 1024, walRetrieveRetryMs: 200 },
    });
    return pg;
  };
  const first = await launch(0);
  const port = Number(new URL(first.url).port);
  const peer: Peer = {
    name,
    dir,
    port,
    url: first.url,
    db: openPool(first.url, { poolSize: 8, logger: replicationLogger }),
    async stop() {
      await peer.db.close();
      await pg?.stop();
      pg = undefined;
    },
    async kill() {
      const postmaster = pg!.pid;
      const children = childrenOf(postmaster);
      process.kill(postmaster, 'SIGKILL');
      pg = undefined;
      await peer.db.close().catch(() => undefined);
      for (const pid of [postmaster, ...children]) await waitUntil(() => !isAlive(pid), 20_000, `process ${pid} of ${name}'s PostgreSQL to exit`);
    },
    async start() {
      const started = await launch(peer.port);
      peer.url = started.url;
      peer.db = openPool(started.url, { poolSize: 8, logger: replicationLogger });
    },
    async prepare(migrations = readMigrations(), classes = tableClasses) {
      await migrate(peer.db, replicationLogger, migrations);
      await prepareReplication(peer.db, { logger: replicationLogger, nodeName: name, classes });
    },
    async remove() {
      if (pg) await peer.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.prepare !== false) await peer.prepare(options.migrations);
  return peer;
}

/**
 * Full mesh: every peer subscribes to every other. Only the first peer seeds: each other peer
 * copies from it (copy_data = true) and from no one else.
 */
export async function joinMesh(peers: readonly Peer[]): Promise<void> {
  for (const [i, p] of peers.entries()) {
    for (const [j, q] of peers.entries()) {
      if (i === j) continue;
      await subscribeToPeer(p.db, { name: q.name, connectionString: q.url, copyData: j === 0 && i !== 0 });
    }
  }
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The rows of `sql` on every peer once they are equal (and `until` holds on them), else throws showing each. */
export async function converged<R>(peers: readonly Peer[], read: (db: Database) => Promise<R>, timeoutMs = 20_000, until: (value: R) => boolean = () => true): Promise<R> {
  let last: R[] = [];
  try {
    await waitUntil(async () => {
      last = await Promise.all(peers.map((p) => read(p.db)));
      return last.every((v) => JSON.stringify(v) === JSON.stringify(last[0])) && until(last[0]!);
    }, timeoutMs, 'peers to converge');
  } catch {
    const show = (v: unknown) => (Array.isArray(v) && v.length > 10 ? `${v.length} rows` : JSON.stringify(v));
    throw new Error(`peers did not converge: ${peers.map((p, i) => `${p.name}=${show(last[i])}`).join(' ')}`);
  }
  return last[0]!;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}
