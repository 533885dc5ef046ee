/**
 * Cluster formation benchmark on the namespace pacemaker pair (run by hand, as root:
 * `npm run bench:cluster`; needs `npm run build` first). Lab prefix `cjb`, uplink 32.
 *
 * 1. Formation: from `POST /api/manifests/:id/run` on two booted nodes whose agents are up and
 *    whose cluster is not configured, until crm_mon on node1 shows both nodes online, quorate, and
 *    every planned stonith device started. Goal ≤ 90 s (pacemaker's daemons alone take 20–35 s to
 *    elect a DC here). Also printed: when the two join jobs ended.
 * 2. Failover: a stand-in resource (ocf:pacemaker:Dummy) on node2, node2's corosync SIGKILLed, until
 *    crm_mon on node1 shows the resource started there. Goal ≤ 20 s. node2 is the one killed because
 *    the plan delays the shot at the preferred node (node1) by `pcmk_delay_base` (15 s, cib-plan.ts:
 *    who survives a split) — killing node1 adds that delay, printed as a second figure when asked
 *    (`BENCH_KILL_PREFERRED=1`).
 *
 * Figures come from polling crm_mon every 250 ms, so each is at most that much late. Printed, never
 * asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openPool } from '../../../striker/db/database.js';
import { startEmbeddedPostgres } from '../../../striker/db/embedded-postgres.js';
import { migrate } from '../../../striker/db/migrate.js';
import { ClusterLab } from '../../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, nodeOnline, runsOn, type CrmMonFacts } from '../../support/cluster-lab/crm-mon-facts.js';
import { startFormationRig, type FormationRig } from '../../support/cluster-lab/formation-rig.js';

const POLL_MS = 250;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function facts(lab: ClusterLab, index: number): Promise<CrmMonFacts | undefined> {
  try {
    return crmMonFacts((await lab.exec(index, ['crm_mon', '--output-as=xml'])).stdout);
  } catch {
    return undefined;
  }
}

/** Milliseconds from `since` until `holds` is true of crm_mon on node `index`. */
async function until(rig: FormationRig, index: number, since: number, what: string, timeoutMs: number, holds: (f: CrmMonFacts) => boolean): Promise<number> {
  for (;;) {
    const f = await facts(rig.lab, index);
    if (f !== undefined && holds(f)) return Date.now() - since;
    if (Date.now() - since > timeoutMs) throw new Error(`${what}: not after ${seconds(timeoutMs)}\n${await rig.diagnostics()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function main(): Promise<void> {
  // Striker's database: an embedded PostgreSQL of the bench's own (no vitest here).
  const quiet = pino({ level: 'silent' });
  const dir = mkdtempSync(join(tmpdir(), 'cjb-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: 0, logger: quiet, database: 'striker', replication: { maxSlotWalKeepSizeMb: 1024, walRetrieveRetryMs: 200 } });
  const rig = await startFormationRig({
    prefix: 'cjb',
    uplink: 32,
    database: async () => {
      const db = openPool(pg.url, { poolSize: 10, logger: quiet });
      await migrate(db, quiet);
      return { db, url: pg.url, name: 'striker', drop: async () => db.close() };
    },
  }).catch(async (error: unknown) => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const [n1, n2] = rig.names.nodes;
  const lab = rig.lab;
  try {
    const devices = [`fence-${n1}-ipmi`, `fence-${n1}-delay`, `fence-${n2}-ipmi`, `fence-${n2}-delay`];
    const started = Date.now();
    const run = await rig.runManifest();
    if (run.status !== 201) throw new Error(`running the manifest answered ${run.status}: ${JSON.stringify(run.json)}`);
    let joinsAt: number | undefined;
    const joins = rig.joinsEnded(run.json.runId, 600_000).then(() => (joinsAt = Date.now() - started));
    const formed = await until(rig, 1, started, 'both nodes online with stonith configured', 600_000, (f) =>
      f.quorate && nodeOnline(f, n1) && nodeOnline(f, n2) && devices.every((d) => runsOn(f, d).length === 1));
    await joins;

    // Created stopped, placed, then started: it starts where it is placed, on node2.
    await lab.exec(1, ['pcs', 'resource', 'create', 'dummy', 'ocf:pacemaker:Dummy', 'meta', 'resource-stickiness=100', 'op', 'monitor', 'interval=5s', '--disabled']);
    await lab.exec(1, ['pcs', 'constraint', 'location', 'dummy', 'prefers', `${n2}=50`]);
    await lab.exec(1, ['pcs', 'resource', 'enable', 'dummy']);
    await until(rig, 1, Date.now(), 'dummy started on node2', 120_000, (f) => runsOn(f, 'dummy').includes(n2));
    const killed = Date.now();
    await lab.killCorosync(2);
    const failover = await until(rig, 1, killed, 'dummy started on node1 after node2 died', 300_000, (f) => runsOn(f, 'dummy').includes(n1));

    let preferred: number | undefined;
    if (process.env['BENCH_KILL_PREFERRED'] === '1') {
      await until(rig, 1, Date.now(), 'node2 back', 300_000, (f) => nodeOnline(f, n1) && nodeOnline(f, n2));
      const at = Date.now();
      await lab.killCorosync(1);
      preferred = await until(rig, 2, at, 'dummy started on node2 after node1 died', 300_000, (f) => runsOn(f, 'dummy').includes(n2));
    }

    const goal = (ms: number, limit: number) => `${seconds(ms)} (goal ≤ ${limit} s: ${ms <= limit * 1000 ? 'met' : 'missed'})`;
    console.log([
      'cluster formation benchmark (namespace pacemaker pair, lab cjb)',
      `  manifest run → both nodes online, quorate, ${devices.length} stonith devices started: ${goal(formed, 90)}`,
      `  manifest run → both cluster.join jobs succeeded: ${joinsAt === undefined ? '-' : seconds(joinsAt)}`,
      `  node2's corosync killed → dummy started on node1: ${goal(failover, 20)}`,
      ...(preferred === undefined ? [] : [`  node1 (preferred, 15 s split-brain delay) killed → dummy started on node2: ${seconds(preferred)}`]),
      `  load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}; figures polled every ${POLL_MS} ms`,
    ].join('\n'));
  } finally {
    await rig.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
