/**
 * Servers benchmark (run by hand as root: `npm run bench:servers`, or
 * `node --import tsx test/bench/servers/servers-bench.ts [rounds]`).
 *
 * Live migration of the tiny TCG guest between the two nodes of the namespace pacemaker pair
 * (cluster lab prefix `svb`, a libvirtd per node, DRBD in dry-run mode), ROUNDS migrations
 * (default 6, alternating direction) each way of moving it, all in one run on the same guest:
 *
 * 1. `striker servers migrate`'s path: the `servers.migrate` runner the node's agent runs
 *    (cluster/actions/servers-runners.ts, its default timing): `crm_resource --move`, crm_mon polled
 *    until the server runs on the target, `crm_resource --clear`, crm_mon read again. Two figures:
 *    "moved" = until crm_mon (polled here every 50 ms) shows it started on the target; "job" =
 *    until the runner returned (what the job takes);
 * 2. `pcs resource move srv01 <node>`; total = from the command until crm_mon shows the resource
 *    started on the target;
 * 3. plain `virsh migrate` with the agent's flags, the resource unmanaged; total = the command's
 *    wall time.
 * Under pacemaker (1, 2) → ocf:striker:server migrate_to/migrate_from (allow-two-primaries on,
 * `virsh migrate --live --unsafe` over the MN, demote, single-primary again). The agent's own share
 * is read from crm_mon's operation history (exec-time of migrate_to on the source + migrate_from
 * on the target).
 *
 * Guest downtime is libvirt's own figure (`virsh domjobinfo --completed`, Total downtime) on the
 * target. Prints medians, maxima and the ratios pacemaker/virsh. Goals: downtime ≤ 300 ms,
 * total ≤ 5 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultClusterActionTiming, serversRunners } from '../../../cluster/actions/servers-runners.js';
import { ClusterLab, waitFor } from '../../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, nodeOnline, runsOn } from '../../support/cluster-lab/crm-mon-facts.js';
import { buildTinyGuest, consoleFacts } from '../../support/cluster-lab/libvirt-guest.js';
import { requireLibvirtTools, startLibvirtInLab, virsh } from '../../support/cluster-lab/libvirt-lab.js';
import { LabServers } from '../../support/cluster-lab/libvirt-servers.js';
import { requirePeers } from '../require-peers.js';

requirePeers('ip', 'busybox', 'cpio', 'qemu-system-x86_64');
requireLibvirtTools();
const ROUNDS = Number(process.argv[2] ?? 6);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`rounds must be a whole number ≥ 1, got ${process.argv[2]}`);

interface Migration {
  totalMs: number;
  /** striker servers migrate: until its runner returned (the move's constraint cleared, the cluster read again). */
  jobMs?: number;
  downtimeMs: number;
  /** Under pacemaker: the agent's migrate_to (source) + migrate_from (target) exec-time. */
  agentMs?: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const max = (xs: readonly number[]) => Math.max(...xs);

async function downtimeOn(lab: ClusterLab, node: number): Promise<number> {
  const out = (await virsh(lab, node, ['domjobinfo', 'srv01', '--completed', '--keep-completed'])).stdout;
  const m = /Total downtime:\s+(\d+)\s+ms/.exec(out);
  if (m === null) throw new Error(`no Total downtime in virsh domjobinfo --completed on node${node}:\n${out}`);
  return Number(m[1]);
}

/** exec-time (ms) of the last `task` of srv01 on `node`, from crm_mon's operation history; NaN when it shows none. */
async function opExecMs(lab: ClusterLab, node: string, task: string): Promise<number> {
  const xml = (await lab.exec(1, ['crm_mon', '--output-as=xml', '--include=operations'])).stdout;
  const history = new RegExp(`<node name="${node}">([\\s\\S]*?)</node>`).exec(xml)?.[1] ?? '';
  const srv = /<resource_history id="srv01"[\s\S]*?<\/resource_history>/.exec(history)?.[0] ?? '';
  const op = new RegExp(`<operation_history [^>]*task="${task}"[^>]*exec-time="(\\d+)ms"`).exec(srv);
  return op === null ? Number.NaN : Number(op[1]);
}

async function runsOnNode(lab: ClusterLab, node: string): Promise<boolean> {
  const facts = crmMonFacts((await lab.exec(1, ['crm_mon', '--output-as=xml'])).stdout);
  return runsOn(facts, 'srv01').includes(node);
}

const dir = await mkdtemp(join(tmpdir(), 'svb-bench-'));
const lab = await ClusterLab.up({ prefix: 'svb' });
try {
  const image = await buildTinyGuest(join(dir, 'guest'));
  const servers = new LabServers(dir, image, ['srv01']);
  await servers.writeDrbdConfig();
  await startLibvirtInLab(lab);
  await waitFor('both nodes online', 150_000, async () => {
    const f = crmMonFacts((await lab.exec(1, ['crm_mon', '--output-as=xml'])).stdout);
    return nodeOnline(f, 'node1') && nodeOnline(f, 'node2') && f.dc !== undefined;
  }, 1000);
  // Fencing is not what this measures; without devices pacemaker starts resources only with stonith off.
  await lab.exec(1, ['pcs', 'property', 'set', 'stonith-enabled=false']);
  const srv = await servers.create(lab, 1, 'srv01', { liveMigration: true, preferred: 'node1' });
  await waitFor('srv01 started on node1', 180_000, () => runsOnNode(lab, 'node1'), 1000);
  await waitFor('the guest ticks', 90_000, async () => (await consoleFacts(srv.console)).lastTick >= 3, 500);

  // `striker servers migrate`: the runner the agent runs for the servers.migrate host job, here run against node1.
  const runners = serversRunners({ run: (argv, options) => lab.exec(1, argv, options), ...defaultClusterActionTiming });
  const quiet = { signal: new AbortController().signal, progress: async () => undefined, note: async () => undefined };
  const striker: Migration[] = [];
  let at = 1;
  for (let i = 0; i < ROUNDS; i++) {
    const to = at === 1 ? 2 : 1;
    const started = performance.now();
    let movedMs = Number.NaN;
    const job = runners['servers.migrate']({ ...quiet, payload: { servers: ['srv01'], to: `node${to}` } });
    const moved = waitFor(`srv01 started on node${to}`, 180_000, () => runsOnNode(lab, `node${to}`), 50).then(() => { movedMs = performance.now() - started; });
    await Promise.all([job, moved]);
    const jobMs = performance.now() - started;
    const agentMs = (await opExecMs(lab, `node${at}`, 'migrate_to')) + (await opExecMs(lab, `node${to}`, 'migrate_from'));
    striker.push({ totalMs: movedMs, jobMs, downtimeMs: await downtimeOn(lab, to), agentMs });
    at = to;
  }

  const underPacemaker: Migration[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const to = at === 1 ? 2 : 1;
    const started = performance.now();
    await lab.exec(1, ['pcs', 'resource', 'move', 'srv01', `node${to}`], { timeoutMs: 240_000 });
    await waitFor(`srv01 started on node${to}`, 180_000, () => runsOnNode(lab, `node${to}`), 50);
    const totalMs = performance.now() - started;
    const agentMs = (await opExecMs(lab, `node${at}`, 'migrate_to')) + (await opExecMs(lab, `node${to}`, 'migrate_from'));
    underPacemaker.push({ totalMs, downtimeMs: await downtimeOn(lab, to), agentMs });
    at = to;
  }

  await lab.exec(1, ['pcs', 'resource', 'unmanage', 'srv01']);
  const plain: Migration[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const to = at === 1 ? 2 : 1;
    const address = lab.node(to).addresses.mn;
    const started = performance.now();
    await virsh(lab, at, ['migrate', '--live', '--unsafe', '--persistent', '--undefinesource', 'srv01', `qemu+tcp://${address}/system`, `tcp://${address}`], { timeoutMs: 240_000 });
    plain.push({ totalMs: performance.now() - started, downtimeMs: await downtimeOn(lab, to) });
    at = to;
  }
  const guest = await consoleFacts(srv.console);

  const row = (name: string, ms: readonly Migration[]) => {
    const t = ms.map((m) => m.totalMs);
    const d = ms.map((m) => m.downtimeMs);
    return `${name.padEnd(26)} total median ${(median(t) / 1000).toFixed(2)} s, max ${(max(t) / 1000).toFixed(2)} s;  downtime median ${median(d)} ms, max ${max(d)} ms`;
  };
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`live migration of the tiny TCG guest (128 MiB), ${ROUNDS} rounds each, alternating node1 ↔ node2 over the MN`);
  console.log(row('striker servers migrate', striker));
  const jobs = striker.map((m) => m.jobMs ?? Number.NaN);
  console.log(`${'  the job until done'.padEnd(26)} median ${s(median(jobs))}, max ${s(max(jobs))} (the move's constraint cleared and the cluster read again; crm_mon polled every ${defaultClusterActionTiming.pollMs} ms)`);
  console.log(row('pcs resource move', underPacemaker));
  console.log(row('plain virsh migrate', plain));
  for (const [name, ms] of [['striker', striker], ['pcs', underPacemaker]] as const) {
    const agent = ms.map((m) => m.agentMs ?? Number.NaN);
    console.log(`${`  ${name}: the agent`.padEnd(26)} migrate_to + migrate_from exec-time median ${s(median(agent))}, max ${s(max(agent))}; the rest (the tool, scheduling) median ${s(median(ms.map((m) => m.totalMs - (m.agentMs ?? 0))))}`);
  }
  const ratio = (ms: readonly Migration[], f: (m: Migration) => number) => (median(ms.map(f)) / median(plain.map(f))).toFixed(2);
  console.log(`ratio / virsh: striker total ${ratio(striker, (m) => m.totalMs)}×, downtime ${ratio(striker, (m) => m.downtimeMs)}×; pcs total ${ratio(underPacemaker, (m) => m.totalMs)}×, downtime ${ratio(underPacemaker, (m) => m.downtimeMs)}×`);
  console.log(`goals (striker servers migrate): downtime ≤ 300 ms (${max(striker.map((m) => m.downtimeMs)) <= 300 ? 'met' : 'missed'}, max), total ≤ 5 s (${median(striker.map((m) => m.totalMs)) <= 5000 ? 'met' : 'missed'}, median)`);
  console.log(`guest: ${guest.boots} boot(s), last tick ${guest.lastTick}, ticks in order: ${guest.ticksInOrder}`);
  console.log('per round (ms, moved/job/downtime/agent for striker, total/downtime/agent for pcs, total/downtime for virsh):');
  console.log(`  striker ${striker.map((m) => `${m.totalMs.toFixed(0)}/${m.jobMs?.toFixed(0)}/${m.downtimeMs}/${m.agentMs}`).join(' ')}`);
  console.log(`  pcs     ${underPacemaker.map((m) => `${m.totalMs.toFixed(0)}/${m.downtimeMs}/${m.agentMs}`).join(' ')}`);
  console.log(`  virsh   ${plain.map((m) => `${m.totalMs.toFixed(0)}/${m.downtimeMs}`).join(' ')}`);
} finally {
  await lab.down();
  if (process.env['KEEP_CLUSTER_LAB'] !== '1') await rm(dir, { recursive: true, force: true });
}
