/**
 * Starts one embedded PostgreSQL for the whole test run; each test file creates its own database
 * on it (test/support/test-database.ts). Real PostgreSQL, never a mock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../striker/db/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the `postgres` maintenance database on the test cluster. */
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'striker-test-pg-'));
  const db = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger: pino({ level: 'warn' }), database: 'striker_template', replication: { maxSlotWalKeepSizeMb: 1024, walRetrieveRetryMs: 200 } });
  project.provide('pgAdminUrl', db.url.replace(/\/striker_template$/, '/postgres'));
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
