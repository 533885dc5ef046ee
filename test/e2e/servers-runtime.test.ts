/**
 * Servers end to end through Striker's API on the namespace pacemaker pair (test/support/cluster-lab,
 * prefix `sv`, uplink 34): the pair formed from its manifest by the built agents (formation-rig.ts,
 * with a storage network for the DRBD resources), a libvirtd in each node (libvirt-lab.ts, the
 * agents still their nodes' services), `striker serve` (built) with DRBD in dry-run mode and the
 * tiny TCG guest's kernel boot. Scenarios in sequence, on one lab:
 *
 * 1. `POST /api/servers` provisions srv01: the `server.provision` host jobs on both nodes (their
 *    DRBD dry-run commands asserted), the pacemaker resource created disabled, constrained to
 *    node1 and enabled; the guest runs there, and `GET /api/servers` shows it running on node1
 *    (from the nodes' crm_mon reports);
 * 2. the definition edited on node1 (`virsh define` of its edited inactive XML, as `virsh edit`
 *    does) flows back: node1's agent reports it with its next scan, the API shows version 2 from
 *    node1, and `server.define` makes it node2's definition too;
 * 2b. two different changes while node2's agent is cut off from Striker (a firewall rule in node2's
 *    namespace; the cluster untouched): node1's becomes version 3, node2's, reported once it is
 *    back, is a conflict against version 2 and version 3 is not defined over it; the server's page
 *    (Chromium) shows both XMLs, an operator chooses node2's change there, and both nodes converge
 *    on version 4;
 * 3. `striker servers migrate srv01` (the CLI) moves it live to node2: the guest keeps running (one
 *    boot, its tick counter rising in order), the API shows it on node2, and the migration's
 *    duration and downtime are recorded (`GET /api/servers/srv01`);
 * 4. node2's corosync killed: node1 fences it through its BMC, srv01 restarts on node1, and the
 *    API shows it there.
 *
 * Pass criteria come from the API, crm_mon XML, the job messages, the console file and the BMC
 * log; waits are bounded polls, never timed assertions.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drbdDryRunNote, type Server, type ServerResponse } from '../../cluster/servers/index.js';
import { jobMessages, getJob } from '../../striker/jobs/job-store.js';
import { waitFor, type ClusterLab } from '../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, nodeOnline, runsOn, type CrmMonFacts } from '../support/cluster-lab/crm-mon-facts.js';
import { startFormationRig, type FormationRig } from '../support/cluster-lab/formation-rig.js';
import { buildTinyGuest, consoleFacts } from '../support/cluster-lab/libvirt-guest.js';
import { requireLibvirtTools, startLibvirtInLab, virsh } from '../support/cluster-lab/libvirt-lab.js';
import { runStriker } from '../support/striker-process.js';
import { launchUi, logIn, open } from '../support/ui-browser.js';

const N1 = 'sv-a01n01';
const N2 = 'sv-a01n02';
let rig: FormationRig;
let lab: ClusterLab;
let dir: string;
let consoleFile: string;

async function state(index: number): Promise<CrmMonFacts> {
  return crmMonFacts((await lab.exec(index, ['crm_mon', '--output-as=xml'])).stdout);
}

async function waitForState(index: number, what: string, timeoutMs: number, holds: (f: CrmMonFacts) => boolean): Promise<CrmMonFacts> {
  try {
    return await waitFor(what, timeoutMs, async () => {
      const f = await state(index);
      return holds(f) ? f : false;
    }, 1000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await rig.diagnostics()}`);
  }
}

async function server(): Promise<ServerResponse> {
  const { status, json } = await rig.api<ServerResponse>('GET', '/api/servers/srv01');
  expect(status).toBe(200);
  return json;
}

/** Polls the API until srv01 is `state` on `node`. */
async function waitForApi(what: string, timeoutMs: number, holds: (s: Server) => boolean): Promise<Server> {
  try {
    return await waitFor(what, timeoutMs, async () => {
      const { json } = await rig.api<{ servers: Server[] }>('GET', '/api/servers');
      const s = json.servers.find((x) => x.name === 'srv01');
      return s !== undefined && holds(s) ? s : false;
    }, 1000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${JSON.stringify((await rig.api('GET', '/api/servers/srv01')).json)}\n${await rig.diagnostics()}`);
  }
}

async function domainOn(index: number, name: string): Promise<string> {
  const out = await virsh(lab, index, ['domstate', name], { okExitCodes: [0, 1] });
  return out.exitCode === 0 ? out.stdout.trim() : 'absent';
}

async function jobDone(id: string, timeoutMs: number): Promise<void> {
  const job = await waitFor(`job ${id}`, timeoutMs, async () => {
    const j = await getJob(rig.t.db, id);
    return j.status === 'succeeded' || j.status === 'failed' || j.status === 'cancelled' ? j : false;
  }, 500).catch(async (error: Error) => { throw new Error(`${error.message}\n${await rig.diagnostics()}`); });
  if (job.status !== 'succeeded') {
    const messages = (await jobMessages(rig.t.db, id)).map((m) => `${m.level} ${m.message} ${JSON.stringify(m.vars)}`).join('\n');
    throw new Error(`job ${id} (${job.kind}) ${job.status}: ${job.lastError ?? ''}\n${messages}\n${await rig.diagnostics()}`);
  }
}

beforeAll(async () => {
  requireLibvirtTools();
  dir = await mkdtemp(join(tmpdir(), 'sv-servers-'));
  const image = await buildTinyGuest(join(dir, 'guest'));
  for (const sub of ['volumes', 'consoles']) await mkdir(join(dir, sub));
  consoleFile = join(dir, 'consoles', 'srv01.console');
  rig = await startFormationRig({
    prefix: 'sv',
    uplink: 34,
    sn: true,
    strikerConfig: [
      'servers:',
      '  drbdDryRun: true',
      '  hypervisor: qemu',
      '  machine: pc',
      `  volumeDirectory: ${join(dir, 'volumes')}`,
      `  consoleLogDirectory: ${join(dir, 'consoles')}`,
      `  directBoot: { kernel: ${image.kernel}, initrd: ${image.initrd}, cmdline: 'console=ttyS0 quiet panic=-1' }`,
      '  pollSeconds: 0.5',
    ],
    // Each scan report carries the node's crm_mon and its migration records.
    agentConfig: { scancore: { scan: { intervalSeconds: 5 } } },
  });
  lab = rig.lab;
  const run = await rig.runManifest();
  if (run.status !== 201) throw new Error(`running the manifest answered ${run.status}: ${JSON.stringify(run.json)}`);
  await rig.joinsEnded(run.json.runId, 600_000);
  await waitForState(1, 'both nodes online with a DC', 180_000, (f) => f.quorate && nodeOnline(f, N1) && nodeOnline(f, N2) && f.dc !== undefined);
  // libvirtd in each node, the agent still its service (a fenced node boots both).
  await startLibvirtInLab(lab, (n) => [rig.agentService(n)]);
}, 900_000);

afterAll(async () => {
  await rig?.stop();
  if (dir !== undefined && process.env['KEEP_CLUSTER_LAB'] !== '1') await rm(dir, { recursive: true, force: true });
}, 120_000);

describe('servers through the API on the pacemaker pair', () => {
  it('POST /api/servers provisions srv01 on both nodes (DRBD dry run) and it runs under pacemaker on node1', async () => {
    const created = await rig.api<{ server: Server; jobId: string }>('POST', '/api/servers', {
      name: 'srv01', anvil: 'sv-anvil-01', vcpus: 1, memoryMiB: 128, diskGiB: 1, osVariant: 'generic', preferredNode: 'node1', liveMigration: true,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    await jobDone(created.json.jobId, 300_000);
    const s = await getServerRow();
    expect(s.provisionStep).toBe('done');
    const hostJobs = s.provisionHostJobs!;
    const dryRuns = async (id: string) => (await jobMessages(rig.t.db, id)).filter((m) => m.message === drbdDryRunNote).map((m) => m.vars as { args: string; commands: string });
    const volume = join(dir, 'volumes', 'srv01.img');
    const node2 = await dryRuns(hostJobs.node2);
    expect(node2.map((d) => d.args)).toEqual(['create-md --force --max-peers=2 srv01', 'adjust srv01']);
    expect(node2[0]!.commands).toBe(`drbdmeta 0 v09 ${volume} internal create-md 2 --force`);
    expect(node2[1]!.commands).toContain(`drbdsetup new-peer srv01 0 --_name=${N1} --protocol=C --fencing=resource-and-stonith`);
    expect(node2[1]!.commands).toContain('drbdsetup new-path srv01 0 ipv4:198.18.3.2:7788 ipv4:198.18.3.1:7788');
    const node1 = await dryRuns(hostJobs.node1);
    expect(node1.map((d) => d.args)).toEqual(['create-md --force --max-peers=2 srv01', 'adjust srv01', 'primary --force srv01', 'secondary srv01']);
    expect(node1[2]!.commands).toBe('drbdsetup primary srv01 --force');
    // The resource as provisioning made it: the MN addresses, stickiness, the placement.
    const config = (await lab.exec(1, ['cibadmin', '--query', '--xpath', "//primitive[@id='srv01']"])).stdout;
    expect(config).toContain('value="sv-a01n01=198.18.2.1 sv-a01n02=198.18.2.2"');
    expect(config).toMatch(/name="resource-stickiness" value="100"/);
    const constraints = (await lab.exec(1, ['cibadmin', '--query', '--scope', 'constraints'])).stdout;
    expect(constraints).toMatch(new RegExp(`rsc="srv01"[^>]*node="${N1}"[^>]*score="50"|rsc="srv01"[^>]*score="50"[^>]*node="${N1}"|node="${N1}"[^>]*rsc="srv01"[^>]*score="50"`));

    const facts = await waitForState(1, 'srv01 started on node1', 180_000, (f) => runsOn(f, 'srv01').join() === N1);
    expect(facts.resources.find((r) => r.id === 'srv01')?.agent).toBe('ocf:striker:server');
    expect(await domainOn(1, 'srv01')).toBe('running');
    await waitFor('srv01 ticks on its console', 90_000, async () => (await consoleFacts(consoleFile)).lastTick >= 2);
    await waitForApi('the API shows srv01 running on node1', 120_000, (x) => x.state === 'running' && x.runningOn === N1);
  }, 600_000);

  it('the definition edited on node1 flows back: version 2 from node1 in the API, defined on node2', async () => {
    expect((await server()).definition).toMatchObject({ version: 1, source: 'rendered' });
    const xml = (await virsh(lab, 1, ['dumpxml', '--inactive', 'srv01'])).stdout;
    expect(xml).toContain('<name>srv01</name>');
    const edited = xml.replace('<name>srv01</name>', '<name>srv01</name>\n  <title>edited on node1</title>');
    const editedFile = join(dir, 'srv01-edited.xml');
    await writeFile(editedFile, edited);
    await virsh(lab, 1, ['define', editedFile]);
    const definition = await waitFor('version 2 reported by node1', 90_000, async () => {
      const d = (await server()).definition;
      return d !== null && d.version === 2 ? d : false;
    }, 1000).catch(async (error: Error) => { throw new Error(`${error.message}\n${JSON.stringify((await server()).definition)}\n${await rig.diagnostics()}`); });
    expect(definition).toMatchObject({ source: 'node', reportedBy: N1, conflicts: [] });
    await waitFor('node2 defines version 2', 90_000, async () => (await virsh(lab, 2, ['dumpxml', '--inactive', 'srv01'])).stdout.includes('<title>edited on node1</title>'), 1000)
      .catch(async (error: Error) => { throw new Error(`${error.message}\n${await rig.diagnostics()}`); });
    expect(await domainOn(1, 'srv01')).toBe('running');
  }, 240_000);

  it('two different changes made while node2 is cut off from Striker are a conflict, shown on the page, settled there, and both nodes converge', async () => {
    const port = new URL(await rig.serve.ready).port;
    // node2's agent cut off from Striker (its way in: the hub's forward on the BCN); the cluster is untouched.
    const cut = ['-p', 'tcp', '-d', '198.18.1.254', '--dport', port, '-j', 'REJECT', '--reject-with', 'tcp-reset'];
    const editOn = async (index: number, edit: (xml: string) => string) => {
      const xml = (await virsh(lab, index, ['dumpxml', '--inactive', 'srv01'])).stdout;
      const file = join(dir, `srv01-node${index}.xml`);
      await writeFile(file, edit(xml));
      await virsh(lab, index, ['define', file]);
    };
    const node1Change = (x: string) => x.replace('<title>edited on node1</title>', '<title>edited again on node1</title>');
    const node2Change = (x: string) => x.replace('<title>edited on node1</title>', '<title>edited on node1</title>\n  <description>changed on node2</description>');
    await lab.execInNetwork(2, ['iptables', '-I', 'OUTPUT', ...cut]);
    try {
      await editOn(2, node2Change);
      await editOn(1, node1Change);
      await waitFor('version 3 reported by node1', 90_000, async () => (await server()).definition?.version === 3, 1000)
        .catch(async (error: Error) => { throw new Error(`${error.message}\n${JSON.stringify((await server()).definition)}\n${await rig.diagnostics()}`); });
    } finally {
      await lab.execInNetwork(2, ['iptables', '-D', 'OUTPUT', ...cut]);
    }
    // node2, back: its change is reported against version 2 (a conflict), and version 3 is not defined over it.
    const conflict = await waitFor('the conflict recorded', 90_000, async () => (await server()).definition?.conflicts.find((c) => c.state === 'open') ?? false, 1000)
      .catch(async (error: Error) => { throw new Error(`${error.message}\n${JSON.stringify((await server()).definition)}\n${await rig.diagnostics()}`); });
    expect(conflict).toMatchObject({ baseVersion: 2, keptVersion: 3, keptBy: N1, otherBy: N2 });
    expect(conflict.keptXml).toContain('<title>edited again on node1</title>');
    expect(conflict.otherXml).toContain('<description>changed on node2</description>');
    expect((await server()).definition).toMatchObject({ version: 3, source: 'node', reportedBy: N1 });
    const refused = await waitFor('node2 refuses to define version 3 over its change', 60_000, async () => {
      const { rows } = await rig.t.db.query<{ last_error: string | null }>(
        `SELECT last_error FROM jobs WHERE kind = 'server.define' AND target_host = $1 AND (payload->>'version')::int = 3`, [rig.hostIds[1]]);
      return rows[0]?.last_error ?? false;
    }, 1000);
    expect(refused).toMatch(/Striker has not seen that change; it is not overwritten with version 3/);
    const node2Xml = (await virsh(lab, 2, ['dumpxml', '--inactive', 'srv01'])).stdout;
    expect(node2Xml).toContain('<description>changed on node2</description>');
    expect(node2Xml).not.toContain('edited again on node1');

    // The server's page shows both sides; an operator settles it there with node2's change.
    const env = { STRIKER_CONFIG: join(lab.dir, 'striker', 'striker.yaml') };
    const password = 'an operator password for the page';
    const added = await runStriker(['user', 'add', 'oper', '--role', 'operator'], env, `${password}\n`);
    expect(added.code, added.stderr).toBe(0);
    const ui = await launchUi();
    try {
      const base = await rig.serve.ready;
      await logIn(ui.page, base, 'oper', password);
      await open(ui.page, `${base}/servers/srv01`);
      const shown = ui.page.getByTestId('definition-conflict');
      await shown.waitFor();
      expect(await shown.innerText()).toContain(`Two different changes from version 2.`);
      expect(await ui.page.getByTestId('definition-kept-xml').innerText()).toContain('<title>edited again on node1</title>');
      expect(await ui.page.getByTestId('definition-other-xml').innerText()).toContain('<description>changed on node2</description>');
      expect(await ui.page.getByTestId('definition-version').innerText()).toMatch(/^Version 3, changed on sv-a01n01/);
      await ui.page.getByTestId('definition-choose-other').click();
      expect(await ui.page.getByTestId('definition-settled').innerText()).toMatch(/^Version 4 is being defined on both nodes/);
      await ui.page.getByTestId('definition-past-conflict').waitFor();
      expect(await ui.page.getByTestId('definition-conflict').count()).toBe(0);
      expect(await ui.page.getByTestId('definition-version').innerText()).toMatch(/^Version 4, chosen by oper settling a conflict/);
      expect(ui.pageErrors).toEqual([]);
    } finally {
      await ui.close();
    }

    // Both nodes get node2's change; neither reports anything new after it.
    for (const index of [1, 2]) {
      await waitFor(`node${index} defines version 4`, 60_000, async () => {
        const xml = (await virsh(lab, index, ['dumpxml', '--inactive', 'srv01'])).stdout;
        return xml.includes('<description>changed on node2</description>') && !xml.includes('edited again on node1');
      }, 1000).catch(async (error: Error) => { throw new Error(`${error.message}\n${await rig.diagnostics()}`); });
    }
    const settled = (await server()).definition!;
    expect(settled).toMatchObject({ version: 4, source: 'settled', reportedBy: 'oper' });
    expect(settled.conflicts[0]).toMatchObject({ id: conflict.id, state: 'settled', chosen: 'other', settledVersion: 4 });
    expect(await domainOn(1, 'srv01')).toBe('running');
  }, 300_000);

  it('`striker servers migrate srv01` moves it live to node2: the guest keeps running, the API follows, the duration is recorded', async () => {
    const before = await consoleFacts(consoleFile);
    expect(before.boots).toBe(1);
    const cli = await runStriker(['servers', 'migrate', 'srv01', '--reason', 'e2e'], { STRIKER_CONFIG: join(lab.dir, 'striker', 'striker.yaml') });
    expect(cli.code, cli.stderr).toBe(0);
    const jobId = /job ([0-9a-f-]{36}) \(servers\.migrate\)/.exec(cli.stdout)?.[1];
    expect(jobId, cli.stdout).toBeDefined();
    await jobDone(jobId!, 300_000);
    await waitForState(1, 'srv01 started on node2', 60_000, (f) => runsOn(f, 'srv01').join() === N2);
    expect(await domainOn(2, 'srv01')).toBe('running');
    expect(await domainOn(1, 'srv01')).toBe('absent');
    const after = await waitFor('srv01 ticks on after the migration', 60_000, async () => {
      const f = await consoleFacts(consoleFile);
      return f.lastTick >= before.lastTick + 3 ? f : false;
    });
    expect(after.boots).toBe(1);
    expect(after.ticksInOrder).toBe(true);
    await waitForApi('the API shows srv01 running on node2', 120_000, (x) => x.state === 'running' && x.runningOn === N2);
    const migration = await waitFor('the migration recorded', 120_000, async () => (await server()).migrations[0] ?? false, 1000);
    expect(migration).toMatchObject({ serverName: 'srv01', fromNode: N1, toNode: N2, kind: 'live', outcome: 'succeeded' });
    expect(migration.durationMs).toBeGreaterThan(0);
    const agentLog = async () => (await readFile(join(lab.node(1).dir, 'log-pacemaker', 'pacemaker.log'), 'utf8').catch(() => '')).split('\n').filter((l) => l.includes('srv01:')).slice(-20).join('\n');
    expect(migration.downtimeMs, await agentLog()).not.toBeNull();
  }, 600_000);

  it("node2's corosync dies: node1 fences it through its BMC, srv01 restarts on node1 and the API shows it there", async () => {
    const bootsBefore = (await consoleFacts(consoleFile)).boots;
    const callsBefore = (await lab.bmcCalls(2)).length;
    await lab.killCorosync(2);
    await waitForState(1, 'srv01 started on node1', 300_000, (f) => runsOn(f, 'srv01').includes(N1));
    expect((await lab.bmcCalls(2)).slice(callsBefore).some((c) => / set power 0$/.test(c))).toBe(true);
    expect(await domainOn(1, 'srv01')).toBe('running');
    const after = await waitFor('srv01 booted on node1', 90_000, async () => {
      const f = await consoleFacts(consoleFile);
      return f.boots === bootsBefore + 1 && f.lastTick >= 2 ? f : false;
    });
    expect(after.ticksInOrder).toBe(true);
    await waitForApi('the API shows srv01 running on node1', 120_000, (x) => x.state === 'running' && x.runningOn === N1);
  }, 600_000);
});

async function getServerRow(): Promise<Server> {
  return (await server()).server;
}
