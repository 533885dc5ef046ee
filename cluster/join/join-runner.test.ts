/**
 * The `cluster.join` runner with a fake command runner standing in for crm_mon, cibadmin, pcs and
 * the start command, and corosync's files in a temporary directory: the first run writes the files,
 * starts the stack, waits for both nodes and (node1) pushes the fencing plan once; a second run of
 * the same plan changes nothing and says so; a plan for another job, a running corosync with
 * another authkey and a peer that never comes are refused with the reason.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandOptions, CommandResult, CommandRunner } from '../../striker/core/command/run-command.js';
import { CommandError } from '../../striker/core/command/command-error.js';
import { planCib, type CibPlan } from '../cib-plan.js';
import { planCorosync, renderCorosyncConf } from '../corosync-plan.js';
import { lookupSecret, pairInput } from '../../test/interop/cluster/pair-fixtures.js';
import { parseJoinConfig } from './join-config.js';
import type { JoinPlan } from './join-plan-schema.js';
import { clusterJoinRunner, type JoinJobContext } from './join-runner.js';

const nodes = ['an-a01n01', 'an-a01n02'] as const;
const authkey = Buffer.alloc(256, 7);
const cib = planCib(pairInput(), lookupSecret);

function planFor(role: 'node1' | 'node2', over: Partial<JoinPlan> = {}): JoinPlan {
  return {
    anvilName: 'an-anvil-01',
    role,
    nodeName: role === 'node1' ? nodes[0] : nodes[1],
    pairNodes: [...nodes],
    corosyncConf: renderCorosyncConf(planCorosync(pairInput())),
    authkey: authkey.toString('base64'),
    ...(role === 'node1' ? { cib } : {}),
    ...over,
  };
}

/** crm_mon's XML with the given nodes online. */
function crmMon(online: readonly string[], dc = 'an-a01n02'): string {
  const node = (name: string, id: number) =>
    `<node name="${name}" id="${id}" online="${online.includes(name)}" standby="false" standby_onfail="false" maintenance="false" pending="false" unclean="false" shutdown="false" expected_up="true" is_dc="${name === dc}" resources_running="0" type="member"/>`;
  return `<pacemaker-result api-version="2.25" request="crm_mon --output-as=xml">
  <summary><stack type="corosync"/><current_dc present="true" name="${dc}" id="2" with_quorum="true"/>
    <cluster_options stonith-enabled="true" maintenance-mode="false"/></summary>
  <nodes>${nodes.map((n, i) => node(n, i + 1)).join('')}</nodes>
  <resources/>
  <status code="0" message="OK"/>
</pacemaker-result>`;
}

/** A CIB that holds exactly `plan`'s fencing (as `cibadmin --query` prints one). */
function cibHolding(plan: CibPlan | undefined, epoch: number): string {
  const nv = (id: string, k: string, v: string) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`;
  const props = Object.entries(plan?.properties ?? {}).map(([k, v]) => nv('opts', k, v)).join('');
  const devices = (plan?.devices ?? []).map((d) => `<primitive id="${d.id}" class="stonith" type="${d.agent}"><instance_attributes id="${d.id}-ia">${Object.entries(d.params).map(([k, v]) => nv(d.id, k, v)).join('')}</instance_attributes></primitive>`).join('');
  const avoids = (plan?.avoids ?? []).map((a) => `<rsc_location id="loc-${a.device}" rsc="${a.device}" node="${a.node}" score="-INFINITY"/>`).join('');
  const levels = (plan?.levels ?? []).map((l) => `<fencing-level id="fl-${l.target}-${l.index}" index="${l.index}" target="${l.target}" devices="${l.devices.join(',')}"/>`).join('');
  return `<cib epoch="${epoch}" num_updates="0" admin_epoch="0"><configuration><crm_config><cluster_property_set id="cib-bootstrap-options">${props}</cluster_property_set></crm_config>
<nodes>${nodes.map((n, i) => `<node id="${i + 1}" uname="${n}"/>`).join('')}</nodes><resources>${devices}</resources><constraints>${avoids}</constraints>${levels === '' ? '' : `<fencing-topology>${levels}</fencing-topology>`}</configuration><status/></cib>`;
}

/** The host as the fake runner sees it: whether the stack runs, who is online, what the CIB holds. */
interface FakeHost {
  running: boolean;
  /** Looks at crm_mon (after the start) that still see the peer offline. */
  peerLate: number;
  peerNeverComes?: boolean;
  cib: CibPlan | undefined;
  epoch: number;
  ran: string[];
}

function fakeRunner(host: FakeHost): CommandRunner {
  return async (argv: readonly string[], _options: CommandOptions): Promise<CommandResult> => {
    const line = argv.join(' ');
    host.ran.push(line);
    const ok = (stdout = ''): CommandResult => ({ argv, exitCode: 0, stdout, stderr: '', durationMs: 1 });
    if (argv[0] === 'crm_mon') {
      if (!host.running) throw new CommandError({ argv, exitCode: 102, stderr: 'crm_mon: Connection to cluster failed: Transport endpoint is not connected', stdout: '', failure: 'exit', reason: 'exited with code 102' });
      if (host.peerNeverComes || host.peerLate > 0) {
        host.peerLate--;
        return ok(crmMon([nodes[0]], nodes[0]));
      }
      return ok(crmMon(nodes));
    }
    if (line === 'start-stack') {
      host.running = true;
      return ok();
    }
    if (line === 'corosync-cfgtool -R') return ok();
    if (argv[0] === 'cibadmin') return ok(cibHolding(host.cib, host.epoch));
    if (argv[0] === 'pcs' && argv[1] === '-f') return ok();
    if (argv[0] === 'pcs' && argv[1] === 'cluster' && argv[2] === 'cib-push') {
      host.cib = cib;
      host.epoch++;
      return ok();
    }
    throw new Error(`the fake host does not know ${line}`);
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'join-runner-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const config = () => parseJoinConfig({ startCommand: ['start-stack'], corosyncDir: dir, onlineTimeoutSeconds: 10, pollSeconds: 1 });

/** Runs the job as the agent would, recording its progress and notes. */
async function runJob(host: FakeHost, plan: JoinPlan, subnode: 'node1' | 'node2' = plan.role) {
  const said: string[] = [];
  const render = (m: string, v: Record<string, unknown> = {}) => m.replace(/\{(\w+)\}/g, (_, k: string) => String(v[k]));
  const ctx: JoinJobContext = {
    jobId: '7d1f8a52-2b7a-4c36-9c55-2f5f1c2b7a10',
    payload: { anvilName: 'an-anvil-01', hostName: subnode === 'node1' ? nodes[0] : nodes[1], subnode },
    signal: new AbortController().signal,
    progress: async (_p, m, v) => void said.push(render(m, v)),
    note: async (m, v) => void said.push(render(m, v)),
    api: async <T,>(method: string, path: string): Promise<T> => {
      expect([method, path]).toEqual(['GET', `cluster/join-plan/${ctx.jobId}`]);
      return structuredClone(plan) as T;
    },
  };
  const runner = clusterJoinRunner({ run: fakeRunner(host), config: config(), sleep: async () => {} });
  const result = await runner(ctx);
  return { result, said };
}

const freshHost = (): FakeHost => ({ running: false, peerLate: 2, cib: undefined, epoch: 1, ran: [] });

describe('cluster.join on node1', () => {
  it('writes corosync.conf and the authkey (0400), starts the stack, waits for the peer, pushes the fencing plan once', async () => {
    const host = freshHost();
    const { result, said } = await runJob(host, planFor('node1'));
    expect(readFileSync(join(dir, 'corosync.conf'), 'utf8')).toBe(planFor('node1').corosyncConf);
    expect(readFileSync(join(dir, 'authkey')).equals(authkey)).toBe(true);
    expect(statSync(join(dir, 'authkey')).mode & 0o777).toBe(0o400);
    expect(statSync(join(dir, 'corosync.conf')).mode & 0o777).toBe(0o644);
    expect(host.ran.filter((l) => l === 'start-stack')).toHaveLength(1);
    // The CIB is changed only after both nodes were seen online, on a copy, and pushed once.
    const firstPcs = host.ran.findIndex((l) => l.startsWith('pcs -f'));
    const lastLook = host.ran.map((l) => l.startsWith('crm_mon')).lastIndexOf(true);
    expect(lastLook).toBeLessThan(firstPcs);
    expect(host.ran.filter((l) => l.startsWith('pcs -f'))).toHaveLength(cib.devices.length + cib.levels.length + cib.avoids.length + 1);
    expect(host.ran.filter((l) => l.includes('cib-push'))).toHaveLength(1);
    expect(said).toEqual([
      'Fetching the join plan of an-anvil-01 from Striker',
      `Writing ${dir}/corosync.conf and ${dir}/authkey where they differ from the plan`,
      `Wrote ${dir}/corosync.conf, ${dir}/authkey`,
      'Starting corosync and pacemaker: start-stack',
      'Waiting for an-a01n01 and an-a01n02 to be online (crm_mon)',
      'an-a01n01 and an-a01n02 are online; the DC is an-a01n02',
      `Comparing the CIB with the fencing plan (${cib.devices.length} stonith devices, ${cib.levels.length} levels)`,
      expect.stringMatching(/^Pushed \d+ changes to the CIB in one cib-push: property set stonith-enabled=true; stonith create fence-an-a01n01-ipmi fence_ipmilan .*password=\*\*\*/),
    ]);
    expect(said.join('\n')).not.toMatch(/bmc-secret|pdu-community/);
    expect(result).toEqual({ message: expect.stringMatching(/^an-a01n01 joined an-anvil-01 \(an-a01n01 and an-a01n02 online\): wrote .*corosync.conf, wrote .*authkey, started the cluster stack, \d+ CIB changes$/) });
  });

  it('a second run of the same plan changes nothing and says so: no write, no start, no push', async () => {
    const host = freshHost();
    await runJob(host, planFor('node1'));
    const written = statSync(join(dir, 'authkey')).mtimeMs;
    host.ran.length = 0;
    const epoch = host.epoch;
    const { result, said } = await runJob(host, planFor('node1'));
    expect(result).toEqual({ noChange: 'an-a01n01 is already a member of an-anvil-01: corosync.conf, the authkey and the fencing configuration match the manifest' });
    expect(host.ran.some((l) => l === 'start-stack' || l.startsWith('pcs'))).toBe(false);
    expect(host.epoch).toBe(epoch);
    expect(statSync(join(dir, 'authkey')).mtimeMs).toBe(written);
    expect(said).toContain('corosync and pacemaker already run on an-a01n01');
    expect(said).toContain('The CIB already holds the fencing plan: nothing pushed');
  });

  it('changes only what differs: a corosync.conf edited by hand is rewritten and corosync reloads it', async () => {
    const host = freshHost();
    await runJob(host, planFor('node1'));
    writeFileSync(join(dir, 'corosync.conf'), 'totem { }\n');
    host.ran.length = 0;
    const { result } = await runJob(host, planFor('node1'));
    expect(readFileSync(join(dir, 'corosync.conf'), 'utf8')).toBe(planFor('node1').corosyncConf);
    expect(host.ran).toContain('corosync-cfgtool -R');
    expect(host.ran.some((l) => l.startsWith('pcs'))).toBe(false);
    expect(result).toEqual({ message: expect.stringContaining('wrote') });
  });
});

describe('cluster.join on node2', () => {
  it('writes the files, starts the stack and waits for both nodes; it never touches the CIB', async () => {
    const host = freshHost();
    const { result } = await runJob(host, planFor('node2'));
    expect(readFileSync(join(dir, 'authkey')).equals(authkey)).toBe(true);
    expect(host.ran.some((l) => l.startsWith('pcs') || l.startsWith('cibadmin'))).toBe(false);
    expect(result).toEqual({ message: expect.stringContaining('an-a01n02 joined an-anvil-01') });
    host.ran.length = 0;
    expect((await runJob(host, planFor('node2'))).result).toEqual({ noChange: 'an-a01n02 is already a member of an-anvil-01: corosync.conf, the authkey match the manifest' });
  });
});

describe('cluster.join refuses', () => {
  it("a plan that is not this job's, before writing anything", async () => {
    const host = freshHost();
    await expect(runJob(host, planFor('node2'), 'node1')).rejects.toThrow('Striker answered a join plan for node2 of an-anvil-01, but this job is node1 of an-anvil-01');
    expect(host.ran).toEqual([]);
    expect(() => statSync(join(dir, 'authkey'))).toThrow();
  });

  it('a plan that fails its schema, naming the field', async () => {
    await expect(runJob(freshHost(), planFor('node1', { authkey: 'c2hvcnQ=' }))).rejects.toThrow(/authkey/);
  });

  it('a running corosync with another authkey (a new key needs both nodes stopped)', async () => {
    writeFileSync(join(dir, 'authkey'), Buffer.alloc(256, 1), { mode: 0o400 });
    const host = { ...freshHost(), running: true };
    await expect(runJob(host, planFor('node1'))).rejects.toThrow(/corosync runs on an-a01n01 with another authkey than an-anvil-01's: stop the cluster on both nodes/);
    expect(readFileSync(join(dir, 'authkey')).equals(Buffer.alloc(256, 1))).toBe(true);
  });

  it('to wait for ever: a peer that never comes fails the job, saying who was online', async () => {
    const host = { ...freshHost(), peerNeverComes: true };
    await expect(runJob(host, planFor('node1'))).rejects.toThrow('an-a01n01 and an-a01n02 were not both online with a DC after 10 s (online: an-a01n01; DC: an-a01n01)');
    expect(host.ran.some((l) => l.startsWith('pcs'))).toBe(false);
  });
});
