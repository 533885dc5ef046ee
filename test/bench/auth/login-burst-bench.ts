/**
 * Login burst benchmark (run by hand: `node --import tsx test/bench/auth/login-burst-bench.ts`).
 * While 64 wrong-password logins arrive at once, how long does reading a 32 MiB file take? scrypt
 * runs on libuv's thread pool, which file reads share. The same app and database are measured
 * twice in one run: with the hashing bound `striker serve` uses (auth.hashConcurrency 2) and with
 * no bound (every login hashing at once), and the ratio of the file read times is printed. Five
 * rounds each; the median is reported.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoginThrottle } from '../../../striker/auth/login-throttle.js';
import { PasswordHasher } from '../../../striker/auth/password-hasher.js';
import { openPool } from '../../../striker/db/database.js';
import { startEmbeddedPostgres } from '../../../striker/db/embedded-postgres.js';
import { migrate } from '../../../striker/db/migrate.js';
import { addUser, createTestApp, type TestApp } from '../../support/test-app.js';
import { quietLogger, type TestDatabase } from '../../support/test-database.js';

const BURST = 64;
const ROUNDS = 5;
const PASSWORD = 'Quiet-Harbour-Lantern-8871';

const dir = await mkdtemp(join(tmpdir(), 'striker-login-bench-'));
const file = join(dir, 'package.rpm');
await writeFile(file, randomBytes(32 * 1024 * 1024));
const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: 0, logger: quietLogger });
const db = openPool(pg.url, { poolSize: 10, logger: quietLogger });
await migrate(db, quietLogger);
const database: TestDatabase = { db, url: pg.url, name: 'striker', drop: async () => { await db.close(); await pg.stop(); } };

let ip = 0;
/** Median ms of a whole-file read made while a burst of logins is being checked, and the logins' own time. */
async function measure(t: TestApp): Promise<{ readMs: number; burstMs: number; answered: Record<number, number> }> {
  const reads: number[] = [];
  const bursts: number[] = [];
  const answered: Record<number, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    const burstStart = performance.now();
    const logins = Array.from({ length: BURST }, () => {
      ip += 1;
      return t.app.inject({
        method: 'POST', url: '/api/session', remoteAddress: `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`,
        payload: { username: 'bench', password: 'not the password at all' },
      });
    });
    // Let the burst reach the hasher before the read starts.
    await new Promise((resolve) => setImmediate(resolve));
    const readStart = performance.now();
    await readFile(file);
    reads.push(performance.now() - readStart);
    for (const r of await Promise.all(logins)) answered[r.statusCode] = (answered[r.statusCode] ?? 0) + 1;
    bursts.push(performance.now() - burstStart);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { readMs: median(reads), burstMs: median(bursts), answered };
}

async function app(hasher: PasswordHasher): Promise<TestApp> {
  return createTestApp({ hasher, throttle: new LoginThrottle({ attempts: 5, windowMs: 300_000, slowdownAfter: 1_000_000, slowdownMaxMs: 0 }) }, database);
}

try {
  const bounded = await app(new PasswordHasher({ concurrency: 2, queue: BURST }));
  await addUser(bounded, 'bench', 'operator', PASSWORD);
  await readFile(file); // page cache warm for both sides
  const withBound = await measure(bounded);
  await bounded.app.close();
  const unbounded = await app(PasswordHasher.unbounded());
  const withoutBound = await measure(unbounded);
  await unbounded.app.close();
  const row = (name: string, m: Awaited<ReturnType<typeof measure>>) =>
    `  ${name.padEnd(26)} file read ${m.readMs.toFixed(0).padStart(6)} ms   burst answered in ${m.burstMs.toFixed(0).padStart(6)} ms   ${JSON.stringify(m.answered)}`;
  console.log(`${BURST} wrong-password logins at once, a 32 MiB file read during each burst (median of ${ROUNDS}):`);
  console.log(row('bounded (2 hashes at once)', withBound));
  console.log(row('unbounded', withoutBound));
  console.log(`  file read: unbounded / bounded = ${(withoutBound.readMs / withBound.readMs).toFixed(2)}×`);
} finally {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
}
