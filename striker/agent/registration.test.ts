/**
 * Registration as `striker serve` wires it, on a real database: kickstart's route exchanges the
 * host's one-time token for the agent credential the agent area issues, in one transaction. A
 * failure while issuing (forced by a trigger refusing the credential row) answers 500 and writes
 * nothing: the token stays usable, the machine keeps its state, no credential or audit row exists.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kickstartArea, type KickstartArea } from '../../kickstart/index.js';
import { issueToken } from '../../kickstart/registration-token.js';
import { PgTokenStore } from '../../kickstart/token-store.js';
import { loadConfig } from '../app/config/load-config.js';
import { testCatalog } from '../../test/support/test-job-kinds.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { createTestDatabase, quietLogger } from '../../test/support/test-database.js';
import { agentArea } from './agent-area.js';

const mac = '52:54:00:0a:01:05';
const hostId = '52-54-00-0a-01-05';
const nodeIp = '10.201.10.5';

let dir: string;
let t: TestApp;
let kickstart: KickstartArea;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'striker-registration-'));
  const database = await createTestDatabase();
  const config = loadConfig({ env: { STRIKER_DATA_DIR: dir } });
  const agents = agentArea({ db: database.db, logger: quietLogger, inventoryMaxBytes: 65536 });
  kickstart = await kickstartArea({ config, db: database.db, logger: quietLogger, onRegistered: agents.onRegistered, onRegistrationRefused: agents.onRegistrationRefused });
  t = await createTestApp({
    config,
    agentCredentials: agents.credentialCheck,
    plugins: [...kickstart.plugins.map((p) => (app: FastifyInstance) => p(app, testCatalog)), (app) => agents.plugin(app, undefined)],
  }, database);
  await t.t.db.write(`INSERT INTO machines (mac, role, state, hostname) VALUES ($1, 'node', 'installing', 'an-a01n05')`, [mac]);
}, 60_000);

afterAll(async () => {
  await kickstart?.stop();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const register = (token: string) => t.app.inject({ method: 'POST', url: `/ks/${hostId}/register`, remoteAddress: nodeIp, payload: { token } });

async function facts() {
  const one = async (sql: string) => (await t.t.db.query<{ v: unknown }>(sql, [hostId])).rows[0]?.v;
  return {
    tokenUsed: await one(`SELECT t.used_at IS NOT NULL AS v FROM kickstart_tokens t JOIN machines m ON m.id = t.machine_id WHERE m.mac = replace($1, '-', ':')`),
    machineState: await one(`SELECT state AS v FROM machines WHERE mac = replace($1, '-', ':')`),
    credentials: Number(await one(`SELECT count(*) AS v FROM agent_credentials WHERE host_id = $1`)),
    issueAudits: Number(await one(`SELECT count(*) AS v FROM audit_log WHERE action = 'agent.credential.issue' AND target_id = $1`)),
  };
}

describe('registration: the token, the machine state, the credential and its audit row in one transaction', () => {
  it('a failure while issuing the credential answers 500, writes nothing, and leaves the token usable', async () => {
    const { token } = await issueToken(new PgTokenStore(t.t.db), hostId, new Date(), 3600);
    await t.t.db.write(`CREATE FUNCTION refuse_credential() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'credential store refused'; END $$`);
    await t.t.db.write(`CREATE TRIGGER refuse_credential BEFORE INSERT ON agent_credentials FOR EACH ROW EXECUTE FUNCTION refuse_credential()`);
    const failed = await register(token);
    expect(failed.statusCode).toBe(500);
    expect(failed.json().error.requestId).toEqual(expect.any(String));
    expect(failed.body).not.toContain('credential store refused');
    expect(await facts()).toEqual({ tokenUsed: false, machineState: 'installing', credentials: 0, issueAudits: 0 });

    await t.t.db.write(`DROP TRIGGER refuse_credential ON agent_credentials`);
    const ok = await register(token);
    expect(ok.statusCode).toBe(200);
    const issued = ok.json() as { hostId: string; credential: string };
    expect(issued.hostId).toBe(hostId);
    expect(await facts()).toEqual({ tokenUsed: true, machineState: 'installed', credentials: 1, issueAudits: 1 });
    const hello = await t.app.inject({ method: 'POST', url: '/api/agent/hello', headers: { authorization: `Bearer ${issued.credential}` }, payload: { instanceId: 'inst-reg-0001', version: '0.1.0', strikerUrl: 'http://s1' } });
    expect(hello.statusCode).toBe(200);
    expect((await register(token)).statusCode).toBe(403);
  });
});
