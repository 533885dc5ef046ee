/**
 * End to end in network namespaces: two `striker serve` processes on one PostgreSQL (two data
 * directories, `database.urls`), two hosts each in its own namespace running the built agent
 * (dist/striker/app/agent-main.js), registered with one-time tokens as a kickstart's %post does
 * (curl from the host). Scenarios in sequence on one set-up: registration (a replayed token is
 * refused and audited); both agents report; jobs addressed to each host run on that host only,
 * once; stopping the Striker an agent talks to while its job runs makes it fail over to the
 * other, and the job finishes there (one attempt); an agent killed mid-job has its job recovered
 * by the reaper and run again when it is back, never lost.
 *
 * `pcs` on the hosts is a script in the agent's PATH that prints a version after the delay
 * written in its host's `pcs-delay` file: a host tool slow enough to stop a Striker under.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../striker/audit/audit-store.js';
import { enqueueHostJob } from '../../striker/agent/index.js';
import { getJob } from '../../striker/jobs/job-store.js';
import { issueToken } from '../../kickstart/index.js';
import { PgTokenStore } from '../../kickstart/token-store.js';
import { AgentLab, type LabHost } from '../support/netns-agent-lab.js';
import { requireProgram } from '../support/netns-dhcp.js';
import { freePort, requireBuilt, spawnServe, type SpawnedServe } from '../support/striker-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const AGENT_MAIN = fileURLToPath(new URL('../../dist/striker/app/agent-main.js', import.meta.url));

interface Striker {
  name: string;
  url: string;
  serve: SpawnedServe;
}

interface Agent {
  host: LabHost;
  dir: string;
  proc?: ChildProcess;
  stderr: string;
}

let t: TestDatabase;
let lab: AgentLab;
let a: Striker;
let b: Striker;
let n1: Agent;
let n2: Agent;

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nagent n1: ${n1?.stderr.slice(-2000)}\nagent n2: ${n2?.stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startStriker(name: string, host: string): Promise<Striker> {
  const port = await freePort();
  const dir = join(lab.dir, `striker-${name}`);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'striker.yaml');
  writeFileSync(config, [
    `dataDir: ${join(dir, 'var')}`,
    `http: { host: ${host}, port: ${port} }`,
    `database: { urls: ['${t.url}'] }`,
    'jobs: { heartbeatSeconds: 1, staleAfterSeconds: 6, pollSeconds: 0.5, shutdownGraceSeconds: 2 }',
    'log: { level: warn }',
    '',
  ].join('\n'));
  const serve = spawnServe({ STRIKER_CONFIG: config });
  const url = await Promise.race([serve.ready, serve.exited.then(({ code }) => { throw new Error(`striker ${name} exited ${code}: ${serve.stderr()}`); })]);
  return { name, url, serve };
}

async function stopStriker(s: Striker): Promise<void> {
  if (s.serve.child.exitCode !== null) return;
  s.serve.child.kill('SIGTERM');
  await s.serve.exited;
}

function agentDir(host: LabHost, urls: string[]): Agent {
  const dir = join(lab.dir, host.ns);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'agent.json'), JSON.stringify({ strikerUrls: urls, hostId: host.hostId, role: 'node', heartbeatSeconds: 1, inventorySeconds: 5, logLevel: 'info' }));
  writeFileSync(join(dir, 'pcs-delay'), '0');
  writeFileSync(join(dir, 'bin', 'pcs'), `#!/bin/sh\nsleep "$(cat '${join(dir, 'pcs-delay')}')"\necho 0.11.7\n`, { mode: 0o755 });
  return { host, dir, stderr: '' };
}

function startAgent(agent: Agent): void {
  const proc = lab.spawn(agent.host.ns, [process.execPath, AGENT_MAIN, '--config', join(agent.dir, 'agent.json'), '--credentials', join(agent.dir, 'agent-credentials.json')], {
    PATH: `${join(agent.dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  });
  agent.stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (agent.stderr += d.toString()));
  agent.proc = proc;
}

/** Registers as %post does: curl from the host, the answer written with umask 077. */
function register(agent: Agent, striker: Striker, token: string): number | null {
  const body = JSON.stringify({ hostId: agent.host.hostId, token });
  const out = join(agent.dir, 'agent-credentials.json');
  return lab.exec(agent.host.ns, ['sh', '-c', `umask 077; curl -fsS -X POST -H 'Content-Type: application/json' --data '${body}' -o '${out}.new' '${striker.url}/ks/${agent.host.hostId}/register' && mv '${out}.new' '${out}'`]).status;
}

async function agentRow(hostId: string): Promise<{ striker_url: string; version: string; inventory: { nics: { name: string; mac: string | null }[] } | null } | undefined> {
  return (await t.db.query<{ striker_url: string; version: string; inventory: { nics: { name: string; mac: string | null }[] } | null }>(`SELECT striker_url, version, inventory FROM host_agents WHERE host_id = $1`, [hostId])).rows[0];
}

/** Every worker that ever held the job (from its history rows). */
async function workersOf(jobId: string): Promise<string[]> {
  const { rows } = await t.db.query<{ worker_id: string }>(`SELECT DISTINCT worker_id FROM history.jobs WHERE id = $1 AND worker_id IS NOT NULL`, [jobId]);
  return rows.map((r) => r.worker_id);
}

async function finished(jobId: string) {
  return waitFor(`job ${jobId} to finish`, async () => {
    const job = await getJob(t.db, jobId);
    return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
  });
}

beforeAll(async () => {
  requireBuilt();
  requireProgram('ip');
  requireProgram('curl');
  statSync(AGENT_MAIN);
  t = await createTestDatabase();
  lab = new AgentLab(Math.random().toString(16).slice(2, 6));
  const h1 = lab.host('n1', 71, '52:54:00:77:00:11');
  const h2 = lab.host('n2', 72, '52:54:00:77:00:12');
  // Striker A listens on host 1's link, B on host 2's: each host's first Striker is the near one.
  [a, b] = await Promise.all([startStriker('a', h1.gateway), startStriker('b', h2.gateway)]);
  n1 = agentDir(h1, [a.url, b.url]);
  n2 = agentDir(h2, [b.url, a.url]);
  for (const h of [h1, h2]) await t.db.write(`INSERT INTO machines (mac, role, state) VALUES ($1, 'node', 'installing')`, [h.mac]);
}, 180_000);

afterAll(async () => {
  for (const s of [a, b]) if (s) await stopStriker(s).catch(() => undefined);
  await lab?.destroy();
  await t?.drop();
});

describe('agents on two hosts, two Strikers on one PostgreSQL', () => {
  it('registers each host with its one-time token; a replayed token is refused and audited', async () => {
    const store = new PgTokenStore(t.db);
    const tok1 = await issueToken(store, n1.host.hostId, new Date(), 3600);
    const tok2 = await issueToken(store, n2.host.hostId, new Date(), 3600);
    expect(register(n1, a, tok1.token)).toBe(0);
    expect(register(n2, b, tok2.token)).toBe(0);
    for (const agent of [n1, n2]) {
      const path = join(agent.dir, 'agent-credentials.json');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ hostId: agent.host.hostId, credential: expect.stringMatching(/^sta_/) });
    }
    expect(register(n1, b, tok1.token)).toBe(22); // curl -f: HTTP 403
    const refused = await t.db.query(`SELECT target_id FROM audit_log WHERE action = 'agent.registration.refused'`);
    expect(refused.rows).toEqual([{ target_id: n1.host.hostId }]);
    const machines = await t.db.query<{ state: string }>(`SELECT state FROM machines ORDER BY mac`);
    expect(machines.rows.map((r) => r.state)).toEqual(['installed', 'installed']);
  });

  it('starts both agents: each says hello to its first Striker and sends its own namespace\'s inventory', async () => {
    startAgent(n1);
    startAgent(n2);
    for (const [agent, striker] of [[n1, a], [n2, b]] as const) {
      const row = await waitFor(`${agent.host.ns} inventory`, async () => {
        const r = await agentRow(agent.host.hostId);
        return r?.inventory ? r : undefined;
      });
      expect(row.striker_url).toBe(striker.url);
      expect(row.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(row.inventory!.nics).toContainEqual(expect.objectContaining({ name: 'eth0', mac: agent.host.mac }));
    }
  });

  it('runs jobs addressed to each host on that host only, each once', async () => {
    const jobs = [];
    for (let i = 0; i < 3; i++) {
      for (const agent of [n1, n2]) jobs.push({ agent, job: await enqueueHostJob(t.db, systemActor, { hostId: agent.host.hostId, kind: 'host.inventory', payload: {} }) });
    }
    for (const { agent, job } of jobs) {
      const done = await finished(job.id);
      expect([done.status, done.attempts]).toEqual(['succeeded', 1]);
      const workers = await workersOf(job.id);
      expect(workers).toHaveLength(1);
      expect(workers[0]).toMatch(new RegExp(`^agent:${agent.host.hostId}:`));
    }
  });

  it('fails over to the other Striker when the one it talks to stops, and the running job finishes there once', async () => {
    writeFileSync(join(n1.dir, 'pcs-delay'), '5');
    const job = await enqueueHostJob(t.db, systemActor, { hostId: n1.host.hostId, kind: 'host.run-checks', payload: {} });
    await waitFor('the checks job to run', async () => (await getJob(t.db, job.id)).status === 'running');
    expect((await agentRow(n1.host.hostId))!.striker_url).toBe(a.url);
    const stoppedAt = Date.now();
    await stopStriker(a);
    await waitFor('host 1 to talk to Striker B', async () => (await agentRow(n1.host.hostId))!.striker_url === b.url, 30_000);
    const failoverMs = Date.now() - stoppedAt;
    const done = await finished(job.id);
    expect([done.status, done.attempts]).toEqual(['succeeded', 1]);
    expect(await workersOf(job.id)).toHaveLength(1);
    const notes = await t.db.query<{ vars: { list?: string } }>(`SELECT vars FROM job_messages WHERE job_id = $1 AND message LIKE 'Found%'`, [job.id]);
    // One note, naming the host's pcs (the script above, first on the agent's PATH); the machine's own
    // cluster tools (drbdadm, ipmitool, …), when installed, follow it in the list.
    expect(notes.rows).toHaveLength(1);
    expect(notes.rows[0]!.vars.list).toMatch(/^pcs 0\.11\.7(, |$)/);
    process.stdout.write(`agent failover: host 1 reported Striker B ${failoverMs} ms after Striker A was told to stop\n`);
    // A new job for host 1 runs through B.
    writeFileSync(join(n1.dir, 'pcs-delay'), '0');
    const next = await enqueueHostJob(t.db, systemActor, { hostId: n1.host.hostId, kind: 'host.inventory', payload: {} });
    expect((await finished(next.id)).status).toBe('succeeded');
  });

  it('recovers the job of an agent killed mid-run: reaped, run again when the agent is back, never lost', async () => {
    writeFileSync(join(n2.dir, 'pcs-delay'), '60');
    const job = await enqueueHostJob(t.db, systemActor, { hostId: n2.host.hostId, kind: 'host.run-checks', payload: {} });
    await waitFor('the checks job to run on host 2', async () => (await getJob(t.db, job.id)).status === 'running');
    n2.proc!.kill('SIGKILL');
    await waitFor('the job to be reaped and queued again', async () => {
      const j = await getJob(t.db, job.id);
      return j.status === 'queued' && j.lastError?.includes('stopped sending heartbeats') ? j : undefined;
    });
    writeFileSync(join(n2.dir, 'pcs-delay'), '0');
    startAgent(n2);
    const done = await finished(job.id);
    expect([done.status, done.attempts]).toEqual(['succeeded', 2]);
    const workers = await workersOf(job.id);
    expect(workers).toHaveLength(2);
    for (const w of workers) expect(w).toMatch(new RegExp(`^agent:${n2.host.hostId}:`));
  });
});
