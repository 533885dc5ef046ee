/**
 * An alerts setup on a fresh test database: site keys in a temporary data directory, a stepping
 * clock, and helpers to add relays and recipients and to run the queued delivery jobs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columnContext, siteKeys } from '../../../striker/core/secrets/index.js';
import { listJobs } from '../../../striker/jobs/job-store.js';
import { deliver, DELIVER_KIND, type DeliveryResult } from '../../../cluster/scancore/alerts/alert-delivery.js';
import { insertMailServer, insertRecipient, replaceOverrides, type RecipientRow } from '../../../cluster/scancore/alerts/alert-store.js';
import type { AlertsDeps } from '../../../cluster/scancore/alerts/alerts-deps.js';
import { renderer } from '../../../cluster/scancore/alerts/render-message.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../support/test-database.js';

export interface AlertsFixture {
  t: TestDatabase;
  deps: AlertsDeps;
  /** Moves the clock forward. */
  advance(seconds: number): void;
  addRelay(port: number, position: number, over?: { username?: string | null; password?: string | null }): Promise<string>;
  addRecipient(r: Omit<RecipientRow, 'id' | 'overrides'> & { overrides?: RecipientRow['overrides'] }): Promise<string>;
  /** Runs every queued delivery job once (as the job runner would), oldest first. */
  runDeliveryJobs(): Promise<DeliveryResult[]>;
  close(): Promise<void>;
}

export const RELAY_USER = 'striker';
export const RELAY_PASSWORD = 'relay pass phrase';

export async function alertsFixture(settings: { holdSeconds: number }): Promise<AlertsFixture> {
  const t = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'striker-alerts-'));
  let now = Date.parse('2026-03-01T10:00:00Z');
  const keys = siteKeys(dataDir);
  const deps: AlertsDeps = { db: t.db, keys, clock: () => new Date(now), settings: { holdSeconds: settings.holdSeconds, smtpTimeoutSeconds: 5 }, renderer: renderer(), logger: quietLogger };
  const ran = new Set<string>();
  return {
    t,
    deps,
    advance: (s) => {
      now += s * 1000;
    },
    addRelay: (port, position, over = {}) =>
      insertMailServer(t.db, {
        host: '127.0.0.1',
        port,
        security: 'none',
        username: over.username === undefined ? RELAY_USER : over.username,
        password: over.password === null ? null : keys.encrypt(over.password ?? RELAY_PASSWORD, columnContext('alert_mail_servers', 'password')),
        sender: 'striker@an-striker01.example.lan',
        position,
      }),
    async addRecipient(r) {
      const id = await insertRecipient(t.db, r);
      if (r.overrides) await replaceOverrides(t.db, id, r.overrides);
      return id;
    },
    async runDeliveryJobs() {
      const jobs = (await listJobs(t.db, { kind: DELIVER_KIND, limit: 1000 })).filter((j) => !ran.has(j.id)).reverse();
      const results: DeliveryResult[] = [];
      for (const j of jobs) {
        ran.add(j.id);
        results.push(...(await deliver(deps, (j.payload as { deliveries: string[] }).deliveries)));
      }
      return results;
    },
    async close() {
      await t.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
