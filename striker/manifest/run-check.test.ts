/**
 * `manifest.check` against real peers: OpenIPMI's `ipmi_sim` BMCs on 127.0.0.1 (ports 6241-6249,
 * as LAB.md §IPMI runs them) asked by the real `ipmitool`, the real `upsc` against a UPS that is
 * not there, and agents' heartbeats. The job runs on Striker's real job runner; afterwards the
 * jobs, their messages, the history tables and the log are searched for every secret in clear.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueCredentialAtRegistration } from '../agent/index.js';
import { recordAgentStart } from '../agent/host-agent-store.js';
import { systemActor } from '../audit/audit-store.js';
import { runCommand } from '../core/command/run-command.js';
import { siteKeys } from '../core/secrets/index.js';
import { catalogOf } from '../jobs/job-kind.js';
import { JobRunner } from '../jobs/job-runner.js';
import { getJob, jobMessages } from '../jobs/job-store.js';
import type { Job } from '../jobs/job.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { createManifest, openManifestSecrets, type ManifestDeps } from './actions.js';
import type { ManifestInput } from './manifest-schema.js';
import { runManifest } from './manifest-run-actions.js';
import { manifestCheckJobKind } from './run-check-kind.js';
import { hostIdOfMachine } from './run-manifest.js';
import { sampleMachines, sampleManifest } from './sample-manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'striker-manifest-check-'));
/** ipmi_sim's chassis_control hook (`<statedir> get power|boot …` / `set power 0|1 …`): power kept in a file. */
const CHASSIS_HOOK = join(dir, 'chassis-control.sh');
writeFileSync(CHASSIS_HOOK, [
  '#!/bin/sh',
  'd=$1; op=$2; shift 2; mkdir -p "$d"; [ -f "$d/power" ] || echo 1 > "$d/power"',
  'case $op in',
  '  get) for p in "$@"; do case $p in power) echo "power:$(cat "$d/power")";; boot) echo "boot:default";; esac; done;;',
  '  set) while [ $# -ge 2 ]; do [ "$1" = power ] && echo "$2" > "$d/power"; shift 2; done;;',
  'esac',
  'exit 0',
  '',
].join('\n'), { mode: 0o755 });
const BMC_PASSWORDS = ['bmc-pw-n01', 'bmc-pw-n02'];
const PDU_PASSWORD = 'pdu-pw-1';
const OTHER_SECRETS = ['ups-secret', 'cluster-secret', PDU_PASSWORD];

let t: TestDatabase;
let deps: ManifestDeps;
let runner: JobRunner | undefined;
const logLines: string[] = [];
const sims: ChildProcess[] = [];

/** Starts a simulated BMC on `address`:`port` (a loopback address) with user admin and `password`; resolves once ipmitool gets an answer. */
async function startBmc(address: string, port: number, password: string): Promise<void> {
  const d = join(dir, `bmc${port}`);
  rmSync(d, { recursive: true, force: true });
  const state = join(d, 'state');
  const lan = join(d, 'lan.conf');
  const emu = join(d, 'bmc.emu');
  mkdirSync(join(state, `bmc${port}`), { recursive: true });
  writeFileSync(lan, [
    `name "bmc${port}"`,
    'set_working_mc 0x20',
    '  startlan 1',
    `    addr ${address} ${port}`,
    '    priv_limit admin',
    '    allowed_auths_callback none md2 md5 straight',
    '    allowed_auths_user none md2 md5 straight',
    '    allowed_auths_operator none md2 md5 straight',
    '    allowed_auths_admin none md2 md5 straight',
    `    guid a123456789abcdefa123456789ab${port}`,
    '  endlan',
    `  chassis_control "${CHASSIS_HOOK} ${join(d, 'chassis')}"`,
    `  user 2 true  "admin" "${password}" admin 10 none md2 md5 straight`,
    '',
  ].join('\n'));
  writeFileSync(emu, ['mc_setbmc 0x20', 'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr', 'sel_enable 0x20 1000 0x0a', 'mc_enable 0x20', ''].join('\n'));
  const child = spawn('ipmi_sim', ['-c', lan, '-f', emu, '-s', state, '-n'], { stdio: 'ignore' });
  sims.push(child);
  for (let i = 0; i < 100; i++) {
    const ok = await runCommand(['ipmitool', '-I', 'lanplus', '-C', '3', '-H', address, '-p', String(port), '-U', 'admin', '-E', 'mc', 'info'], {
      timeoutMs: 5000,
      env: { IPMI_PASSWORD: password },
    }).then(() => true, () => false);
    if (ok) return;
    if (child.exitCode !== null) throw new Error(`ipmi_sim on port ${port} exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ipmi_sim on port ${port} did not answer`);
}

function manifestWith(over: { node2Port: number; ups: boolean }): ManifestInput {
  const m = sampleManifest();
  const ipmi = (address: string, port: number, password: string) => ({ address, username: 'admin', password, parameters: { lanplus: true, cipher: 3, ipport: port } });
  const { pduOutlets: _a, ...bareNode1 } = m.hosts.node1;
  // node1's second fence method: a "PDU" driven by its fence agent (here fence_ipmilan against a third BMC).
  const node1 = { ...bareNode1, pduOutlets: { pdu1: '1' } };
  const { pduOutlets: _b, ...node2 } = m.hosts.node2;
  return {
    ...m,
    hosts: { ...m.hosts, node1: { ...node1, ipmi: ipmi('127.0.0.1', 6241, BMC_PASSWORDS[0]!) }, node2: { ...node2, ipmi: ipmi('127.0.0.2', over.node2Port, BMC_PASSWORDS[1]!) } },
    fenceDevices: [{ name: 'pdu1', agent: 'fence_ipmilan', parameters: { ip: '127.0.0.4', ipport: 6243, lanplus: true, cipher: 3, username: 'admin' }, password: PDU_PASSWORD }],
    // Nothing answers NUT on 127.0.0.3:3493 here.
    upses: over.ups ? [{ name: 'ups1', source: 'nut', address: '127.0.0.3', upsName: 'ups1', username: 'monuser', password: 'ups-secret', powers: ['node1', 'node2', 'dr'] }] : [],
  };
}

async function finished(id: string): Promise<Job> {
  for (;;) {
    const job = await getJob(t.db, id);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runCheck(input: ManifestInput, alive: readonly ('node1' | 'node2' | 'dr')[]): Promise<Job> {
  const row = await createManifest(deps, systemActor, input);
  for (const host of alive) {
    await recordAgentStart(t.db, { hostId: hostIdOfMachine(row.document.hosts[host]!.machine), instanceId: 'i', version: 'test', strikerUrl: 'http://127.0.0.1' });
  }
  const run = await runManifest({ db: t.db }, systemActor, row.id);
  const check = run.jobs.find((j) => j.kind === 'manifest.check')!;
  return finished(check.jobId);
}

beforeAll(async () => {
  t = await createTestDatabase();
  deps = { db: t.db, keys: siteKeys(join(dir, 'keys')), machines: async () => sampleMachines };
  for (const m of sampleMachines) await t.db.tx((tx) => issueCredentialAtRegistration(tx, hostIdOfMachine(m.mac), '127.0.0.1'));
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, cb) => void (logLines.push(String(chunk)), cb()) }));
  const kind = manifestCheckJobKind({ db: t.db, openSecrets: (id) => openManifestSecrets(deps, id), run: runCommand, agentStaleSeconds: 60, probeTimeoutMs: 15_000 });
  runner = new JobRunner({ db: t.db, catalog: catalogOf([kind]), logger, host: 'test', workers: 1, pollSeconds: 0.05, heartbeatSeconds: 0.5, staleAfterSeconds: 60 });
  await runner.start();
  await startBmc('127.0.0.1', 6241, BMC_PASSWORDS[0]!);
  await startBmc('127.0.0.2', 6242, BMC_PASSWORDS[1]!);
  await startBmc('127.0.0.4', 6243, PDU_PASSWORD);
}, 60_000);

afterEach(async () => {
  await t.db.query('DELETE FROM manifests');
  await t.db.query('DELETE FROM host_agents');
});

afterAll(async () => {
  await runner?.stop(2000);
  for (const child of sims) if (child.exitCode === null) child.kill('SIGTERM');
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('manifest.check', () => {
  it('succeeds when every BMC answers ipmitool, the PDU answers its fence agent and every agent is alive', async () => {
    const job = await runCheck(manifestWith({ node2Port: 6242, ups: false }), ['node1', 'node2', 'dr']);
    expect(job.lastError).toBeNull();
    expect(job.status).toBe('succeeded');
    const texts = (await jobMessages(t.db, job.id)).map((m) => `${m.message} ${JSON.stringify(m.vars)}`);
    expect(texts.filter((s) => s.startsWith('{what} answers'))).toHaveLength(3);
    expect(texts.some((s) => s.includes('PDU pdu1 outlet 1 of an-a01n01'))).toBe(true);
    expect(texts.some((s) => s.includes('BMC of an-a01n02 (127.0.0.2)'))).toBe(true);
  }, 60_000);

  it('fails listing each problem: a dead BMC port names its host, a UPS that does not answer, an agent that never reported', async () => {
    const job = await runCheck(manifestWith({ node2Port: 6249, ups: true }), ['node1', 'node2']);
    expect(job.status).toBe('failed');
    const lines = job.lastError!.split('\n');
    expect(lines[0]).toBe('3 of 7 checks found a problem:');
    expect(lines[1]).toMatch(/^- BMC of an-a01n02 \(127\.0\.0\.2\) does not answer: ipmitool /);
    expect(lines[2]).toMatch(/^- UPS ups1 \(ups1@127\.0\.0\.3\) does not answer: upsc /);
    expect(lines[3]).toBe('- agent of an-a01dr01 (52-54-00-a1-00-03) has never reported');
    const errors = (await jobMessages(t.db, job.id)).filter((m) => m.level === 'error' && m.message === '{problem}');
    expect(errors).toHaveLength(3);
    // The held cluster jobs end with it, saying why: nothing pretends to have joined.
    const { rows } = await t.db.query<{ kind: string; status: string; last_error: string }>(`SELECT kind, status, last_error FROM jobs WHERE $1 = ANY (waits_for)`, [job.id]);
    expect(rows.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect(rows.every((r) => r.last_error === `because job manifest.check ${job.id} failed`)).toBe(true);
  }, 60_000);

  it('leaves no secret in clear in the jobs, their messages, the history tables, the runs or the log', async () => {
    await runCheck(manifestWith({ node2Port: 6249, ups: true }), ['node1']);
    const { rows } = await t.db.query<{ text: string }>(
      `SELECT concat_ws(' ', (SELECT string_agg(x::text, ' ') FROM jobs x), (SELECT string_agg(x::text, ' ') FROM job_messages x),
                             (SELECT string_agg(x::text, ' ') FROM history.jobs x), (SELECT string_agg(x::text, ' ') FROM history.job_messages x),
                             (SELECT string_agg(x::text, ' ') FROM manifest_runs x), (SELECT string_agg(x::text, ' ') FROM history.manifest_runs x),
                             (SELECT string_agg(x::text, ' ') FROM history.manifests x), (SELECT string_agg(x::text, ' ') FROM audit_log x)) AS text`,
    );
    const stored = rows[0]!.text;
    const log = logLines.join('');
    expect(stored).toContain('an-a01n02');
    expect(log).toContain('manifest.check');
    for (const secret of [...BMC_PASSWORDS, ...OTHER_SECRETS]) {
      expect(stored).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  }, 60_000);
});
