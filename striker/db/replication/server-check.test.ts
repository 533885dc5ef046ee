/**
 * A PostgreSQL not set up for logical replication (as a system PostgreSQL may be) is refused at
 * start with every wrong setting named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../../../test/support/test-database.js';
import { openPool, type Database } from '../database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../embedded-postgres.js';
import { migrate } from '../migrate.js';
import { checkServerSettings, prepareReplication } from './replication.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-plain-pg-'));
let pg: EmbeddedDatabase;
let db: Database;

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger: quietLogger });
  db = openPool(pg.url, { poolSize: 2, logger: quietLogger });
  await migrate(db, quietLogger);
});
afterAll(async () => {
  await db?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a PostgreSQL without the replication settings', () => {
  it('is refused at start, naming each setting, what it must be and what it is', async () => {
    expect((await checkServerSettings(db)).map((p) => p.setting)).toEqual(['wal_level', 'track_commit_timestamp', 'max_slot_wal_keep_size']);
    const refused = prepareReplication(db, { logger: quietLogger });
    await expect(refused).rejects.toMatchObject({ code: 'REPLICATION_NOT_READY' });
    await expect(refused).rejects.toThrow(/wal_level must be logical — got 'replica'.*track_commit_timestamp must be on.*got 'off'.*max_slot_wal_keep_size must be a limit in MB.*got '-1'/);
  });

  it('is prepared all the same when the caller turns the check off', async () => {
    await expect(prepareReplication(db, { logger: quietLogger, checkSettings: false })).resolves.toMatchObject({ unclassified: [] });
  });
});
