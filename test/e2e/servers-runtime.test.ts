/**
 * Servers at runtime on the namespace pacemaker pair (test/support/cluster-lab, prefix `sv`) with
 * a libvirtd in each node (libvirt-lab.ts) and the tiny TCG guest as `ocf:striker:server`
 * resources, DRBD in dry-run mode. Scenarios in order, on one lab:
 *
 * 1. two servers start on node1, their preferred node: srv01 (live migration) and srv02 (cold);
 *    start promoted each DRBD resource before its domain ran;
 * 2. `pcs resource move srv01 node2` migrates it live: the guest keeps running (one boot line, its
 *    tick counter keeps rising in order), node2's libvirt reports the completed migration job,
 *    and DRBD was dual-primary for the migration only (target promoted by the qemu hook, source
 *    demoted, allow-two-primaries back to no on both nodes);
 * 3. srv02 (live migration off) moves cold: graceful poweroff on node1, a second boot on node2;
 * 4. node2's corosync killed: node1 fences it through its BMC (the BMC log), srv01 restarts on node1.
 *
 * Pass criteria come from crm_mon XML, virsh, the console files, the dry-run log and the BMC log;
 * waits are bounded polls, never timed assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BMC_BCN_ADDRESS, BMC_USER, ClusterLab, waitFor } from '../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, nodeOnline, runsOn, type CrmMonFacts } from '../support/cluster-lab/crm-mon-facts.js';
import { buildTinyGuest, consoleFacts } from '../support/cluster-lab/libvirt-guest.js';
import { startLibvirtInLab, virsh } from '../support/cluster-lab/libvirt-lab.js';
import { LabServers, type LabServer } from '../support/cluster-lab/libvirt-servers.js';

let lab: ClusterLab;
let dir: string;
let servers: LabServers;
let srv01: LabServer;
let srv02: LabServer;

async function state(index: number): Promise<CrmMonFacts> {
  return crmMonFacts((await lab.exec(index, ['crm_mon', '--output-as=xml'])).stdout);
}

async function waitForState(index: number, what: string, timeoutMs: number, holds: (f: CrmMonFacts) => boolean): Promise<CrmMonFacts> {
  try {
    return await waitFor(what, timeoutMs, async () => {
      const facts = await state(index);
      return holds(facts) ? facts : false;
    }, 1000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await lab.diagnostics()}`);
  }
}

/** The domain's state on a node: `running`, `shut off`, or `absent` when it is not defined there. */
async function domainOn(index: number, name: string): Promise<string> {
  const out = await virsh(lab, index, ['domstate', name], { okExitCodes: [0, 1] });
  return out.exitCode === 0 ? out.stdout.trim() : 'absent';
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sv-servers-'));
  const image = await buildTinyGuest(join(dir, 'guest'));
  servers = new LabServers(dir, image, ['srv01', 'srv02']);
  await servers.writeDrbdConfig();
  lab = await ClusterLab.up({ prefix: 'sv' });
  await startLibvirtInLab(lab);
  await waitForState(1, 'both nodes online with a DC', 150_000, (f) => nodeOnline(f, 'node1') && nodeOnline(f, 'node2') && f.dc !== undefined);
  for (const node of lab.nodes) {
    await lab.exec(1, ['pcs', 'stonith', 'create', `fence-${node.name}`, 'fence_ipmilan', `ip=${BMC_BCN_ADDRESS}`, `ipport=${node.bmcPort}`,
      `username=${BMC_USER.name}`, `password=${BMC_USER.password}`, 'lanplus=1', 'cipher=3', `pcmk_host_list=${node.name}`, 'op', 'monitor', 'interval=60s']);
    await lab.exec(1, ['pcs', 'constraint', 'location', `fence-${node.name}`, 'avoids', node.name]);
  }
  await lab.exec(1, ['pcs', 'property', 'set', 'stonith-enabled=true']);
}, 300_000);

afterAll(async () => {
  await lab?.down();
  if (dir !== undefined && process.env['KEEP_CLUSTER_LAB'] !== '1') await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('servers under pacemaker with a libvirtd per node', () => {
  it('starts both servers on node1, DRBD promoted before the domain', async () => {
    srv01 = await servers.create(lab, 1, 'srv01', { liveMigration: true, preferred: 'node1' });
    srv02 = await servers.create(lab, 1, 'srv02', { liveMigration: false, preferred: 'node1' });
    const facts = await waitForState(1, 'srv01 and srv02 started on node1', 180_000, (f) =>
      runsOn(f, 'srv01').includes('node1') && runsOn(f, 'srv02').includes('node1'));
    expect(facts.resources.find((r) => r.id === 'srv01')?.agent).toBe('ocf:striker:server');
    for (const s of [srv01, srv02]) {
      expect(await domainOn(1, s.name)).toBe('running');
      expect(await domainOn(2, s.name)).not.toBe('running');
      await waitFor(`${s.name} ticks on its console`, 90_000, async () => (await consoleFacts(s.console)).lastTick >= 2);
      expect(await servers.drbdCommands(s.name)).toEqual([`node1 start: drbdsetup primary ${s.name}`]);
    }
  }, 300_000);

  it('migrates srv01 live to node2: the guest keeps running, dual-primary only for the migration', async () => {
    const before = await consoleFacts(srv01.console);
    expect(before.boots).toBe(1);
    await lab.exec(1, ['pcs', 'resource', 'move', 'srv01', 'node2'], { timeoutMs: 240_000 });
    await waitForState(1, 'srv01 started on node2', 180_000, (f) => runsOn(f, 'srv01').includes('node2'));
    expect(await domainOn(2, 'srv01')).toBe('running');
    expect(await domainOn(1, 'srv01')).toBe('absent');
    const job = (await virsh(lab, 2, ['domjobinfo', 'srv01', '--completed'])).stdout;
    expect(job).toMatch(/Total downtime:\s+\d+\s+ms/);
    const after = await waitFor('srv01 ticks on after the migration', 60_000, async () => {
      const f = await consoleFacts(srv01.console);
      return f.lastTick >= before.lastTick + 3 ? f : false;
    });
    expect(after.boots).toBe(1);
    expect(after.ticksInOrder).toBe(true);
    // After migrate_from pacemaker stops the resource on the source: the domain is gone there, and
    // the demote is repeated (idempotent). Its log line is the last of the migration.
    const drbd = await waitFor("pacemaker's stop of srv01 on node1 after the migration", 60_000, async () => {
      const lines = (await servers.drbdCommands('srv01')).slice(1);
      return lines.at(-1) === 'node1 stop: drbdsetup secondary srv01' ? lines : false;
    });
    const peer = (node: string) => `--_name=${node === 'node1' ? 'node2' : 'node1'} --fencing=resource-and-stonith --protocol=C`;
    expect(drbd).toEqual([
      `node1 migrate-to: drbdsetup net-options srv01 1 ${peer('node1')} --allow-two-primaries=yes`,
      `node2 migrate-prepare: drbdsetup net-options srv01 0 ${peer('node2')} --allow-two-primaries=yes`,
      'node2 migrate-prepare: drbdsetup primary srv01',
      // The source's qemu ends when the guest has left: the hook demotes and restores single-primary,
      // then migrate_to does the same (both are idempotent).
      'node1 release: drbdsetup secondary srv01',
      `node1 release: drbdsetup net-options srv01 1 ${peer('node1')} --allow-two-primaries=no`,
      'node1 migrate-to: drbdsetup secondary srv01',
      `node1 migrate-to: drbdsetup net-options srv01 1 ${peer('node1')} --allow-two-primaries=no`,
      `node2 migrate-from: drbdsetup net-options srv01 0 ${peer('node2')} --allow-two-primaries=no`,
      'node1 stop: drbdsetup secondary srv01',
    ]);
  }, 400_000);

  it('moves srv02 cold (live migration off): graceful poweroff on node1, a fresh boot on node2', async () => {
    await lab.exec(1, ['pcs', 'resource', 'move', 'srv02', 'node2'], { timeoutMs: 240_000 });
    await waitForState(1, 'srv02 started on node2', 180_000, (f) => runsOn(f, 'srv02').includes('node2'));
    expect(await domainOn(2, 'srv02')).toBe('running');
    expect(await domainOn(1, 'srv02')).not.toBe('running');
    const after = await waitFor('srv02 booted again', 90_000, async () => {
      const f = await consoleFacts(srv02.console);
      return f.boots === 2 && f.lastTick >= 1 ? f : false;
    });
    expect(after.poweredOff).toBe(true);
    const drbd = await servers.drbdCommands('srv02');
    expect(drbd).toContain('node1 stop: drbdsetup secondary srv02');
    expect(drbd).toContain('node2 migrate-from: drbdsetup primary srv02');
    expect(drbd.some((l) => l.includes('allow-two-primaries=yes'))).toBe(false);
    // Out of the way of the failover scenario: one guest is enough there.
    await lab.exec(1, ['pcs', 'resource', 'disable', 'srv02', '--wait=120'], { timeoutMs: 180_000 });
  }, 400_000);

  it("restarts srv01 on node1 after node2's corosync dies and node2 is fenced through its BMC", async () => {
    const bootsBefore = (await consoleFacts(srv01.console)).boots;
    const callsBefore = (await lab.bmcCalls(2)).length;
    await lab.killCorosync(2);
    await waitForState(1, 'srv01 started on node1', 240_000, (f) => runsOn(f, 'srv01').includes('node1'));
    expect((await lab.bmcCalls(2)).slice(callsBefore).some((c) => / set power 0$/.test(c))).toBe(true);
    expect(await domainOn(1, 'srv01')).toBe('running');
    const after = await waitFor('srv01 booted on node1', 90_000, async () => {
      const f = await consoleFacts(srv01.console);
      return f.boots === bootsBefore + 1 && f.lastTick >= 2 ? f : false;
    });
    expect(after.ticksInOrder).toBe(true);
    expect(await servers.drbdCommands('srv01')).toContain('node1 start: drbdsetup primary srv01');
  }, 400_000);
});
