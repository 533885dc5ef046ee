/**
 * The agent runtime against the real agent API on loopback: it validates each claimed job's
 * payload again before running anything, and power actions are dry runs unless allowed.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-store.js';
import type { CommandRunner } from '../core/command/run-command.js';
import { JobEvents } from '../events/job-events.js';
import { getJob, insertJob, jobMessages } from '../jobs/job-store.js';
import { renderMessage } from '../jobs/job.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { enqueueHostJob, rotateCredential, type IssuedCredential } from './actions.js';
import { agentArea } from './agent-area.js';
import { agentConfigSchema } from './agent-config.js';
import { AgentRuntime } from './agent-runtime.js';
import type { Inventory } from './inventory-schema.js';

const hostId = '52-54-00-00-0b-01';
let t: TestApp;
let events: JobEvents;
let url: string;
const ran: (readonly string[])[] = [];
const scanReports: { hostId: string; body: unknown }[] = [];

const inventory: Inventory = { systemUuid: null, hostName: 'h', cpu: { model: 'x', count: 1 }, memoryBytes: 1, disks: [], nics: [] };
const run: CommandRunner = async (argv) => {
  ran.push(argv);
  return { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
};

/** The credentials file as the agent would read it again. */
let credentialsFile: IssuedCredential;

async function runtime(allowPowerActions: boolean, powerOffCommand?: string[]): Promise<AgentRuntime> {
  const area = agentArea({ db: t.t.db, logger: quietLogger, inventoryMaxBytes: 65536 });
  const issued = await t.t.db.tx((tx) => area.onRegistered(tx, hostId, '127.0.0.1'));
  credentialsFile = issued;
  const config = agentConfigSchema.parse({ strikerUrls: [url], hostId, allowPowerActions, heartbeatSeconds: 1, ...(powerOffCommand === undefined ? {} : { powerOffCommand }) });
  const r = new AgentRuntime({
    config, credentials: issued, version: 'test', logger: quietLogger, run, collectInventory: async () => inventory,
    reloadCredentials: async () => credentialsFile,
  });
  await r.start();
  return r;
}

async function settled(id: string) {
  for (;;) {
    const job = await getJob(t.t.db, id);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const database = await createTestDatabase();
  events = new JobEvents(database.db, quietLogger);
  await events.start();
  const area = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 65536 });
  // A stand-in for ScanCore's route (a later area): records what the agent's scan loop sends.
  const scanRoute = (app: FastifyInstance) => {
    app.post('/api/agent/scan', { config: { access: 'agent' as const } }, async (request) => {
      scanReports.push({ hostId: request.agent!.hostId, body: request.body });
      return {};
    });
  };
  t = await createTestApp({ agentCredentials: area.credentialCheck, events, plugins: [(app) => area.plugin(app, events), scanRoute] }, database);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await events.close();
  await t.close();
});

describe('AgentRuntime', () => {
  it('runs the injected scan loop on its interval, one scan at a time, and POSTs each report with its credential until stopped', async () => {
    const area = agentArea({ db: t.t.db, logger: quietLogger, inventoryMaxBytes: 65536 });
    const issued = await t.t.db.tx((tx) => area.onRegistered(tx, hostId, '127.0.0.1'));
    const config = agentConfigSchema.parse({ strikerUrls: [url], hostId, heartbeatSeconds: 1 });
    let scans = 0;
    let inFlight = 0;
    let overlapped = false;
    const agent = new AgentRuntime({
      config, credentials: issued, version: 'test', logger: quietLogger, run, collectInventory: async () => inventory,
      scanLoop: {
        intervalSeconds: 1,
        scan: async () => {
          overlapped ||= inFlight > 0;
          inFlight++;
          scans++;
          await new Promise((r) => setTimeout(r, 20));
          inFlight--;
          return { readings: [{ n: scans }] };
        },
      },
    });
    scanReports.length = 0;
    await agent.start();
    while (agent.scanReportsSent < 2) await new Promise((r) => setTimeout(r, 50));
    await agent.stop(1000);
    const sent = scanReports.length;
    expect(scanReports.slice(0, 2)).toEqual([{ hostId, body: { readings: [{ n: 1 }] } }, { hostId, body: { readings: [{ n: 2 }] } }]);
    expect(overlapped).toBe(false);
    await new Promise((r) => setTimeout(r, 1200));
    expect(scanReports.length).toBe(sent);
  });

  it('refuses a claimed job whose payload fails the kind\'s schema: failed, not retried, nothing run', async () => {
    const agent = await runtime(false);
    try {
      const job = await insertJob(t.t.db, { kind: 'host.reboot', payload: { reason: 7, now: true }, targetHost: hostId, maxAttempts: 3, retryOnStale: true });
      const done = await settled(job.id);
      expect(done.status).toBe('failed');
      expect(done.attempts).toBe(1);
      expect(done.lastError).toContain('payload is invalid');
      expect(done.lastError).toContain('payload.reason');
      expect(done.lastError).toContain('payload.now: is not a known setting');
      expect(ran.filter((a) => a[0] === 'systemctl')).toEqual([]);

      const reboot = await enqueueHostJob(t.t.db, systemActor, { hostId, kind: 'host.reboot', payload: { reason: 'test' } });
      // With power actions off the job succeeds without changing anything, and says so: not "Finished".
      const rebooted = await settled(reboot.id);
      expect(rebooted.status).toBe('succeeded');
      expect(rebooted.noChange).toBe('not run: power actions are off');
      expect(renderMessage(rebooted.message, rebooted.messageVars)).toBe('Nothing changed: not run: power actions are off');
      const messages = await jobMessages(t.t.db, reboot.id);
      const lines = messages.map((m) => renderMessage(m.message, m.vars));
      expect(lines).toContain('Planned, not applied (power actions are off): run systemctl reboot; set allowPowerActions to true in agent.json to act');
      expect(lines.join('\n')).not.toMatch(/[Ww]ould |Dry run/);
      expect(ran.filter((a) => a[0] === 'systemctl')).toEqual([]);
    } finally {
      await agent.stop(2000);
    }
  });

  it('runs the power action through the command adapter when allowed', async () => {
    const agent = await runtime(true);
    try {
      const job = await enqueueHostJob(t.t.db, systemActor, { hostId, kind: 'host.poweroff', payload: {} });
      const done = await settled(job.id);
      expect(done.status).toBe('succeeded');
      expect(done.noChange).toBeNull();
      expect(done.message).toBe('Ran systemctl poweroff');
      expect(ran.filter((a) => a[0] === 'systemctl')).toEqual([['systemctl', 'poweroff']]);
    } finally {
      await agent.stop(2000);
    }
  });

  it('runs the configured power-off command instead of systemctl', async () => {
    const argv = ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-U', 'admin', '-f', '/run/bmc-password', 'chassis', 'power', 'off'];
    const agent = await runtime(true, argv);
    try {
      const before = ran.length;
      const job = await enqueueHostJob(t.t.db, systemActor, { hostId, kind: 'host.poweroff', payload: { reason: 'load shed' } });
      expect((await settled(job.id)).status).toBe('succeeded');
      expect(ran.slice(before).filter((a) => a[0] === 'ipmitool' || a[0] === 'systemctl')).toEqual([argv]);
    } finally {
      await agent.stop(2000);
    }
  });

  it('never starts an attempt it already started when the same claim comes again (a second Striker before replication): it reports the outcome it has', async () => {
    const agent = await runtime(true);
    try {
      const job = await enqueueHostJob(t.t.db, systemActor, { hostId, kind: 'host.poweroff', payload: {} });
      expect((await settled(job.id)).status).toBe('succeeded');
      const poweroffs = ran.filter((a) => a[1] === 'poweroff').length;
      // The row as a peer's database still holds it: the attempt not yet counted, progress 0. Written
      // the way an apply worker writes (ordinary triggers off), then queued so Striker wakes the agent.
      await t.t.db.tx(async (tx) => {
        await tx.write("SET LOCAL session_replication_role = replica");
        await tx.write("UPDATE jobs SET status = 'running', attempts = attempts - 1, progress = 0, finished_at = NULL, worker_id = NULL WHERE id = $1", [job.id]);
      });
      await t.t.db.write("UPDATE jobs SET status = 'queued' WHERE id = $1", [job.id]);
      const again = await settled(job.id);
      expect(again.status).toBe('succeeded');
      expect(again.attempts).toBe(1);
      expect(ran.filter((a) => a[1] === 'poweroff').length).toBe(poweroffs);
      expect(agent.state().counts.replayed).toBe(1);
    } finally {
      await agent.stop(2000);
    }
  });

  it('carries on with the replaced credentials file after an admin rotated the credential', async () => {
    const agent = await runtime(false);
    try {
      credentialsFile = await rotateCredential(t.t.db, systemActor, hostId);
      const job = await enqueueHostJob(t.t.db, systemActor, { hostId, kind: 'host.inventory', payload: {} });
      expect((await settled(job.id)).status).toBe('succeeded');
    } finally {
      await agent.stop(2000);
    }
  });
});
