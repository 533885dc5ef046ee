/**
 * ScanCore on a simulated rack, with real tools (issue 28): the namespace pacemaker pair
 * (test/support/cluster-lab, prefix `sr`, uplink 35) formed from a manifest by the built agents
 * (formation-rig.ts), each node's ipmi_sim BMC carrying the rack simulator's sensors
 * (test/support/rack-sim: a file-polled fan), `striker serve` (built) deciding for the manifest's
 * pair with short grace periods, and an SMTP sink with AUTH as the alerts' relay. The stand-in
 * servers are ocf:pacemaker:Dummy resources. Scenarios in sequence on one pair:
 *
 * (i) node1's fan fails → after the grace period ScanCore decides a preventative migration
 *     (`/api/scancore/decisions`), the stand-ins move to node2 (crm_mon XML), and a `notice`
 *     e-mail naming the pair reaches the recipient through the sink, beside node1's own `warning`
 *     for its fan (cleared when it is repaired).
 * (ii) power, from two NUT `dummy-ups` UPSes (test/support/rack-sim) named in the manifest with
 *     their upsd port: one UPS on battery → nothing decided, only the UPS's own warning sent; both
 *     on battery past the
 *     grace → load shed (node1 withdraws and powers off through its BMC, node2 keeps the servers,
 *     a warning); hold-up time below the floor → the servers stopped and node2 powered off (a
 *     critical); mains back and charged → the Striker boots both nodes through IPMI, the servers
 *     start again (a notice).
 * (iii) thermal, from the BMCs' console-set CPU temperature: node1 hot → its servers move to node2
 *     and it powers off (a warning); cooled → booted again after the cool-down (a notice); both hot
 *     → load shed (a warning); cooled → node1 boots after the doubled cool-down.
 *
 * The nodes' agents power off through their own BMC (`powerOffCommand`: `ipmitool … chassis power
 * off` to the lab BMC, the lab has no systemd), started in the background a moment after the job
 * ends, as `systemctl poweroff` returns before the host goes down: the `host.poweroff` job reports
 * its success, then the BMC cuts the node (its chassis log says `set power 0`).
 *
 * Pass criteria come from the API, crm_mon XML and the mails received; waits are bounded polls,
 * never timed assertions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredDecision } from '../../cluster/scancore/decisions-store.js';
import { ClusterLab, waitFor } from '../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, nodeOnline, runsOn, type CrmMonFacts } from '../support/cluster-lab/crm-mon-facts.js';
import { startFormationRig, type FormationRig } from '../support/cluster-lab/formation-rig.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BMC_BCN_ADDRESS, BMC_USER } from '../support/cluster-lab/cluster-lab.js';
import { bmcSensors, mainsState, NutUpses, setFan, setTemperature, startSmtpSink, type SmtpSink } from '../support/rack-sim/index.js';

const PAIR = 'sr-anvil-01';
const N1 = 'sr-a01n01';
const N2 = 'sr-a01n02';
const SERVERS = ['srv1', 'srv2'];
const RELAY = { username: 'striker', password: 'relay pass phrase' };
const ADMIN_MAIL = 'admin@rack.example';

let rig: FormationRig;
let lab: ClusterLab;
let sink: SmtpSink;
let upses: NutUpses;

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

async function decisions(): Promise<StoredDecision[]> {
  const { status, json } = await rig.api<{ decisions: StoredDecision[] }>('GET', `/api/scancore/decisions?pair=${PAIR}&limit=100`);
  expect(status).toBe(200);
  return json.decisions;
}

async function waitForDecision(what: string, timeoutMs: number, match: (d: StoredDecision) => boolean): Promise<StoredDecision> {
  try {
    return await waitFor(what, timeoutMs, async () => (await decisions()).find(match) ?? false, 1000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\ndecisions: ${JSON.stringify(await decisions().catch(() => []))}\n${await rig.diagnostics()}`);
  }
}

async function waitForMail(what: string, timeoutMs: number, match: (subject: string, text: string) => boolean) {
  try {
    return await waitFor(what, timeoutMs, async () => sink.received.find((m) => match(m.parsed.subject ?? '', m.parsed.text ?? '')) ?? false, 1000);
  } catch (error) {
    const got = sink.received.map((m) => m.parsed.subject).join('\n');
    const alerts = await rig.api('GET', '/api/alerts?limit=50').catch(() => ({ json: null }));
    throw new Error(`${(error as Error).message}\nmails: ${got}\nalerts: ${JSON.stringify(alerts.json)}`);
  }
}

/** Mails received after the first `mark` ones that match. */
async function waitForNewMail(mark: number, what: string, timeoutMs: number, match: (subject: string, text: string) => boolean) {
  return waitForMail(what, timeoutMs, (subject, text) => sink.received.slice(mark).some((m) => m.parsed.subject === subject && m.parsed.text === text) && match(subject, text));
}

/** A decision not among `before` (the ids of the decisions already made) that matches. */
async function waitForNewDecision(before: readonly StoredDecision[], what: string, timeoutMs: number, match: (d: StoredDecision) => boolean): Promise<StoredDecision> {
  const seen = new Set(before.map((d) => d.id));
  // An acted decision is recorded first, its jobs a moment later: wait for them.
  return waitForDecision(what, timeoutMs, (d) => !seen.has(d.id) && (d.outcome !== 'acted' || d.jobIds.length > 0) && match(d));
}

interface HostReading { agent: string; subject: string; metric: string; value: unknown; status: string; at: string }

/** The Striker's latest reading of a UPS (stored under the pair's first node). */
async function upsStatus(name: string): Promise<HostReading | undefined> {
  const { json } = await rig.api<{ hosts: { hostId: string; readings: HostReading[] }[] }>('GET', '/api/scancore/hosts');
  return json.hosts.find((h) => h.hostId === rig.hostIds[0])?.readings.find((r) => r.agent === 'ups' && r.subject === name && r.metric === 'ups.status');
}

/** Waits until `rounds` decision rounds have read every named UPS in the given state (each round reads the UPSes, then decides). */
async function roundsSaw(names: readonly string[], status: string, rounds: number): Promise<void> {
  const seen = new Set<string>();
  await waitFor(`${rounds} decision rounds reading ${names.join(', ')} as ${status}`, 120_000, async () => {
    const readings = await Promise.all(names.map(upsStatus));
    if (readings.every((r) => r?.value === status)) seen.add(readings.map((r) => r!.at).sort().at(-1)!);
    return seen.size >= rounds;
  }, 1000);
}

/** A node's chassis-control calls after the first `mark` (`<epoch> set power 0`). */
async function bmcCallsSince(index: number, mark: number): Promise<string[]> {
  return (await lab.bmcCalls(index)).slice(mark);
}

async function chassisPower(index: number): Promise<string> {
  return (await lab.ipmitool(index, ['chassis', 'power', 'status'])).stdout.trim();
}

async function jobStatus(id: string): Promise<{ kind: string; status: string; lastError: string | null }> {
  const { json } = await rig.api<{ job: { kind: string; status: string; lastError: string | null } }>('GET', `/api/jobs/${id}`);
  return json.job;
}

/** Waits until every job of a decision ended, and returns them. */
async function decisionJobsEnded(d: StoredDecision, timeoutMs: number): Promise<{ kind: string; status: string; lastError: string | null }[]> {
  return waitFor(`the jobs of the ${d.kind} decision ended`, timeoutMs, async () => {
    const jobs = await Promise.all(d.jobIds.map(jobStatus));
    return jobs.every((j) => ['succeeded', 'failed', 'cancelled'].includes(j.status)) ? jobs : false;
  }, 1000).catch(async (error: Error) => {
    throw new Error(`${error.message}
${JSON.stringify(await Promise.all(d.jobIds.map(jobStatus)))}
${await rig.diagnostics()}`);
  });
}

beforeAll(async () => {
  sink = await startSmtpSink(RELAY);
  upses = await NutUpses.start(['ups1', 'ups2']);
  rig = await startFormationRig({
    prefix: 'sr',
    uplink: 35,
    bmc: bmcSensors,
    strikerConfig: [
      'scancore:',
      '  roundSeconds: 5',
      '  scan: { intervalSeconds: 5 }',
      '  readings: { staleAfterSeconds: 60 }',
      '  migration: { graceSeconds: 15 }',
      '  power: { loadShedGraceSeconds: 15, holdUpFloorSeconds: 600, safeBootChargePct: 35 }',
      '  thermal: { lastNodeHotSeconds: 300, coolDownBaseSeconds: 20, coolDownFactor: 2 }',
      '  alerts: { holdSeconds: 2 }',
    ],
    // Each node powers itself off through its own BMC (on the BCN, as fence_ipmilan reaches it), and
    // leaves the cluster as `pcs cluster stop` would without systemd: pacemakerd is asked to shut
    // down (SIGTERM: its resources stop or move first), then corosync, each awaited.
    agentConfig: (node, agentDir, l) => {
      const passwordFile = join(agentDir, 'bmc-password');
      writeFileSync(passwordFile, BMC_USER.password, { mode: 0o600 });
      const stopScript = join(agentDir, 'cluster-stop.sh');
      writeFileSync(stopScript, [
        '#!/bin/sh',
        `d=${node.dir}`,
        'for p in pacemakerd corosync; do',
        '  pid=$(cat $d/$p.pid 2>/dev/null) || continue',
        '  kill -TERM "$pid" 2>/dev/null || continue',
        '  for i in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done',
        'done',
        'exit 0',
        '',
      ].join('\n'), { mode: 0o755 });
      const ipmitool = ['ipmitool', '-I', 'lanplus', '-C', '3', '-H', BMC_BCN_ADDRESS, '-p', String(node.bmcPort), '-U', BMC_USER.name, '-f', passwordFile, 'chassis', 'power', 'off'];
      return {
        scancore: { scan: { intervalSeconds: 5 } },
        cluster: { startCommand: l.clusterStartCommand(node.index), stopCommand: [stopScript], pollSeconds: 0.5 },
        allowPowerActions: true,
        powerOffCommand: ['sh', '-c', `(sleep 2; exec ${ipmitool.join(' ')}) </dev/null >>${join(agentDir, 'poweroff.log')} 2>&1 &`],
      };
    },
    upses: [
      { name: 'ups1', source: 'nut', address: '127.0.0.1', port: upses.port, upsName: 'ups1', powers: ['node1', 'node2'] },
      { name: 'ups2', source: 'nut', address: '127.0.0.1', port: upses.port, upsName: 'ups2', powers: ['node1', 'node2'] },
    ],
  });
  lab = rig.lab;
}, 600_000);

afterAll(async () => {
  await rig?.stop();
  await upses?.stop();
  await sink?.close();
}, 120_000);

describe('ScanCore on a simulated rack', () => {
  it('forms the pair; the alerts relay and recipient are set; the stand-in servers run on node1', async () => {
    const run = await rig.runManifest();
    expect(run.status, JSON.stringify(run.json)).toBe(201);
    await rig.joinsEnded(run.json.runId, 600_000);
    await waitForState(1, 'both nodes online', 180_000, (f) => f.quorate && nodeOnline(f, N1) && nodeOnline(f, N2));

    const relay = await rig.api('POST', '/api/alerts/mail-servers', { host: '127.0.0.1', port: sink.port, security: 'none', ...RELAY, sender: 'striker@rack.example' });
    expect(relay.status, JSON.stringify(relay.json)).toBe(201);
    const recipient = await rig.api('POST', '/api/alerts/recipients', { name: 'Rack admin', email: ADMIN_MAIL, level: 'notice' });
    expect(recipient.status, JSON.stringify(recipient.json)).toBe(201);

    // Created stopped, placed on node1, then started (else pacemaker spreads them over the pair).
    for (const id of SERVERS) {
      await lab.exec(1, ['pcs', 'resource', 'create', id, 'ocf:pacemaker:Dummy', '--disabled', 'meta', 'resource-stickiness=100', 'op', 'monitor', 'interval=5s']);
      await lab.exec(1, ['pcs', 'constraint', 'location', id, 'prefers', `${N1}=50`]);
    }
    for (const id of SERVERS) await lab.exec(1, ['pcs', 'resource', 'enable', id]);
    await waitForState(1, 'the stand-ins running on node1', 120_000, (f) => SERVERS.every((id) => runsOn(f, id).join() === N1));
    // ScanCore sees both nodes healthy: both scored, and nothing decided for the pair.
    await waitFor('both hosts scored with fresh BMC readings', 180_000, async () => {
      const { json } = await rig.api<{ hosts: { hostId: string; score: number | null }[] }>('GET', '/api/scancore/hosts');
      return rig.hostIds.every((h) => json.hosts.some((x) => x.hostId === h && x.score === 0));
    }, 2000).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify((await rig.api('GET', '/api/scancore/hosts')).json).slice(0, 4000)}`);
    });
    expect(await decisions()).toEqual([]);
  }, 1_200_000);

  it('(i) node1 loses its fan: after the grace period the servers move to node2, a notice e-mail names the pair', async () => {
    await setFan(lab.node(1), 300);

    const decided = await waitForDecision('a preventative migration off node1', 300_000, (d) => d.kind === 'migrate-servers');
    expect(decided.decision).toMatchObject({ kind: 'migrate-servers', cause: 'health', from: N1, to: N2, servers: SERVERS });
    expect(decided.outcome).toBe('acted');
    expect(decided.reasons.join('\n')).toMatch(/fan/i);

    const moved = await waitForState(2, 'the stand-ins running on node2', 300_000, (f) => SERVERS.every((id) => runsOn(f, id).join() === N2));
    expect(nodeOnline(moved, N1) && nodeOnline(moved, N2)).toBe(true);

    // The subject names the level as the catalogue spells it (`[Notice] <pair>: <message>`).
    const mail = await waitForMail('the notice e-mail', 300_000, (subject) => subject.startsWith(`[Notice] ${PAIR}:`));
    expect(mail.envelopeTo).toEqual([ADMIN_MAIL]);
    expect(mail.user).toBe(RELAY.username);
    expect(mail.parsed.subject).toContain(`Moving servers from ${N1} to ${N2}`);
    expect(mail.parsed.text).toContain(`Moving servers from ${N1} to ${N2}`);
    expect(mail.parsed.text).toMatch(/fan failed: FAN1/);
    expect(mail.parsed.text).toMatch(new RegExp(`^Host: ${PAIR}$`, 'm'));
    expect(mail.parsed.text).toMatch(/^Level: Notice$/m);
    // The failed fan itself is told too, as node1's own condition (a warning).
    const fanMail = await waitForMail('the fan warning', 120_000, (subject) => subject.startsWith(`[Warning] ${N1}: Fan FAN1 on ${N1} has failed`));
    expect(fanMail.envelopeTo).toEqual([ADMIN_MAIL]);
    expect(fanMail.parsed.text).toMatch(new RegExp(`^Fan FAN1 on ${N1} has failed: FAN1 reads 300 RPM \\(l?cr\\)\\.$`, 'm'));
    expect(fanMail.parsed.text).toMatch(/^Level: Warning$/m);
    const { json } = await rig.api<{ alerts: { source: string; key: string; level: string; host: string }[] }>('GET', '/api/alerts?limit=50');
    expect(json.alerts).toContainEqual(expect.objectContaining({ source: 'scancore', key: 'health:migrate-servers', level: 'notice', host: PAIR }));
    expect(json.alerts).toContainEqual(expect.objectContaining({ source: 'scancore.condition', key: 'fan-failed:FAN1', level: 'warning', host: N1 }));
    // Only this one decision: the servers are where the healthier node is.
    expect((await decisions()).map((d) => d.kind)).toEqual(['migrate-servers']);
  }, 900_000);

  it('(ii) power: one UPS on battery does nothing; both on battery shed load; hold-up below the floor shuts down; mains back boots both through IPMI', async () => {
    // node1's fan is repaired first: the pair is balanced again, and the health alert is cleared.
    const cleared = sink.received.length;
    await setFan(lab.node(1), 6000);
    await waitForNewMail(cleared, 'the health alert cleared', 300_000, (subject) => subject.startsWith(`[Cleared] ${PAIR}:`) && subject.includes('equally healthy again'));
    await waitForNewMail(cleared, 'the fan condition cleared', 120_000, (subject) => subject.startsWith(`[Cleared] ${N1}: FAN1 on ${N1} is back to normal: FAN1 is 6000 RPM.`));

    // One UPS on battery: ScanCore reads it and decides nothing (no decision recorded); the admin
    // is told of the UPS itself, one warning for the pair and nothing else.
    const before1 = await decisions();
    const mails1 = sink.received.length;
    const alerts1 = (await rig.api<{ alerts: { id: string }[] }>('GET', '/api/alerts?limit=200')).json.alerts.map((a) => a.id);
    await upses.set('ups1', { status: 'OB DISCHRG', chargePct: 90, runtimeS: 1800 });
    await roundsSaw(['ups1'], 'OB DISCHRG', 4);
    expect(await decisions()).toEqual(before1);
    const upsMail = await waitForNewMail(mails1, 'the UPS on battery warning', 120_000, (subject) => subject.startsWith(`[Warning] ${PAIR}: UPS ups1 is running on battery`));
    expect(upsMail.envelopeTo).toEqual([ADMIN_MAIL]);
    expect(upsMail.parsed.text).toContain('UPS ups1 is running on battery (90% charged, 1800 s left).');
    expect(sink.received.slice(mails1).map((m) => m.parsed.subject).filter((subject) => subject?.includes(`] ${PAIR}:`))).toEqual([upsMail.parsed.subject]);
    const newAlerts = (await rig.api<{ alerts: { id: string; source: string; key: string; level: string; host: string }[] }>('GET', '/api/alerts?limit=200')).json.alerts.filter((a) => !alerts1.includes(a.id));
    expect(newAlerts.map((a) => [a.source, a.host, a.key, a.level])).toEqual([['scancore.condition', PAIR, 'ups1:on_battery', 'warning']]);
    expect((await upsStatus('ups1'))?.status).toBe('warning');

    // Both on battery past the grace: load shed. node2 runs the servers, so node1 withdraws and powers off.
    const before2 = await decisions();
    const mails2 = sink.received.length;
    const bmc1 = (await lab.bmcCalls(1)).length;
    await upses.set('ups2', { status: 'OB DISCHRG', chargePct: 85, runtimeS: 1700 });
    const shed = await waitForNewDecision(before2, 'a load shed', 300_000, (d) => d.kind === 'withdraw-node');
    expect(shed.decision).toMatchObject({ kind: 'withdraw-node', cause: 'power', node: N1, to: N2, servers: [] });
    expect(shed.outcome).toBe('acted');
    expect(shed.reasons[0]).toMatch(new RegExp(`^every UPS feeding ${PAIR} has been on battery for \\d+ s \\(ups1 1800 s left, ups2 1700 s left\\): shedding load$`));
    expect(shed.reasons[1]).toBe(`${N2} stays: it already runs 2 of the servers, so only 0 must move`);
    const shedJobs = await decisionJobsEnded(shed, 300_000);
    expect(shedJobs.map((j) => [j.kind, j.status])).toEqual([['node.withdraw', 'succeeded'], ['host.poweroff', 'succeeded']]);
    await waitFor('node1 cut by its BMC', 60_000, async () => (await bmcCallsSince(1, bmc1)).some((l) => / set power 0$/.test(l)), 500);
    expect(await chassisPower(1)).toBe('Chassis Power is off');
    const shedState = await waitForState(2, 'node1 gone, the servers on node2', 120_000, (f) => !nodeOnline(f, N1) && SERVERS.every((id) => runsOn(f, id).join() === N2));
    expect(nodeOnline(shedState, N2)).toBe(true);
    const shedMail = await waitForNewMail(mails2, 'the load shed warning', 120_000, (subject) => subject.startsWith(`[Warning] ${PAIR}: Shedding load`));
    expect(shedMail.envelopeTo).toEqual([ADMIN_MAIL]);
    expect(shedMail.parsed.subject).toContain(`Shedding load: ${N1} withdraws and powers off; ${N2} keeps the servers. every UPS feeding ${PAIR} has been on battery for `);
    expect(shedMail.parsed.text).toContain(`${N2} stays: it already runs 2 of the servers, so only 0 must move`);
    expect(shedMail.parsed.text).toMatch(/^Level: Warning$/m);

    // Hold-up time below the floor (600 s): the servers stop gracefully, then node2 powers off.
    const before3 = await decisions();
    const mails3 = sink.received.length;
    const bmc2 = (await lab.bmcCalls(2)).length;
    await upses.set('ups1', { status: 'OB DISCHRG LB', chargePct: 12, runtimeS: 240 });
    await upses.set('ups2', { status: 'OB DISCHRG', chargePct: 15, runtimeS: 300 });
    const down = await waitForNewDecision(before3, 'a shutdown', 300_000, (d) => d.kind === 'shutdown');
    expect(down.decision).toMatchObject({ kind: 'shutdown', cause: 'power', nodes: [N2], servers: SERVERS });
    expect(down.reasons).toEqual([`every UPS feeding ${PAIR} is on battery (ups1 240 s left, ups2 300 s left)`, 'best hold-up time 300 s is below the floor of 600 s']);
    const downJobs = await decisionJobsEnded(down, 300_000);
    expect(downJobs.map((j) => [j.kind, j.status])).toEqual([['servers.stop', 'succeeded'], ['host.poweroff', 'succeeded']]);
    await waitFor('node2 cut by its BMC', 60_000, async () => (await bmcCallsSince(2, bmc2)).some((l) => / set power 0$/.test(l)), 500);
    expect([await chassisPower(1), await chassisPower(2)]).toEqual(['Chassis Power is off', 'Chassis Power is off']);
    const downMail = await waitForNewMail(mails3, 'the shutdown critical', 120_000, (subject) => subject.startsWith(`[Critical] ${PAIR}: Shutting down`));
    expect(downMail.envelopeTo).toEqual([ADMIN_MAIL]);
    expect(downMail.parsed.text).toContain(`Shutting down the servers and powering off ${N2}: every UPS feeding ${PAIR} is on battery`);
    expect(downMail.parsed.text).toMatch(/^Level: Critical$/m);
    const lowMail = await waitForNewMail(mails3, 'the low battery critical', 120_000, (subject) => subject.startsWith(`[Critical] ${PAIR}: UPS ups1 is low on battery`));
    expect(lowMail.parsed.text).toContain('UPS ups1 is low on battery (12% charged, 240 s left).');

    // Mains back and the best UPS charged past the safe level (35 %): the Striker boots both nodes
    // through their BMCs and the servers it stopped start again.
    const before4 = await decisions();
    const mails4 = sink.received.length;
    const marks = [(await lab.bmcCalls(1)).length, (await lab.bmcCalls(2)).length];
    await upses.set('ups1', { status: 'OL CHRG', chargePct: 30, runtimeS: 600 });
    await upses.set('ups2', { status: 'OL CHRG', chargePct: 60, runtimeS: 1500 });
    const boot = await waitForNewDecision(before4, 'the nodes booted', 300_000, (d) => d.kind === 'boot-nodes');
    expect(boot.decision).toMatchObject({ kind: 'boot-nodes', cause: 'power', nodes: [N1, N2], servers: SERVERS });
    expect(boot.reasons).toEqual([`mains power is back on every UPS feeding ${PAIR}`, 'best UPS charge 60 % reached the safe level of 35 %']);
    for (const i of [1, 2]) {
      await waitFor(`node${i} powered on by its BMC`, 120_000, async () => (await bmcCallsSince(i, marks[i - 1]!)).some((l) => / set power 1$/.test(l)), 500);
    }
    const bootJobs = await decisionJobsEnded(boot, 600_000);
    expect(bootJobs.map((j) => [j.kind, j.status])).toEqual([['scancore.ipmi-boot', 'succeeded'], ['scancore.ipmi-boot', 'succeeded'], ['servers.start', 'succeeded']]);
    await waitForState(1, 'both nodes back, the servers running', 300_000, (f) => f.quorate && nodeOnline(f, N1) && nodeOnline(f, N2) && SERVERS.every((id) => runsOn(f, id).length === 1));
    const bootMail = await waitForNewMail(mails4, 'the boot notice', 120_000, (subject) => subject.startsWith(`[Notice] ${PAIR}: Booting`));
    expect(bootMail.parsed.subject).toContain(`Booting ${N1} and ${N2} again: mains power is back on every UPS feeding ${PAIR}`);
    expect(bootMail.envelopeTo).toEqual([ADMIN_MAIL]);
    // The pair whole again: the power alerts are cleared.
    await waitForNewMail(mails4, 'the power alerts cleared', 300_000, (subject) => subject.startsWith(`[Cleared] ${PAIR}: Mains power is back for ${PAIR}`));
    // Each UPS's own alerts clear with one message each (ups1's on battery and low battery together).
    for (const ups of ['ups1', 'ups2']) await waitForNewMail(mails4, `${ups} back on mains`, 120_000, (subject) => subject === `[Cleared] ${PAIR}: UPS ${ups} is back on mains power.`);
    // One clear for the cause: load shed, shutdown and boot are all closed, one clear e-mail sent.
    const { json: history } = await rig.api<{ alerts: { key: string; state: string; deliveries: { kind: string }[] }[] }>('GET', `/api/alerts?host=${PAIR}&limit=50`);
    const powerAlerts = history.alerts.filter((a) => a.key.startsWith('power:'));
    expect(powerAlerts.map((a) => [a.key, a.state]).sort()).toEqual([['power:boot-nodes', 'cleared'], ['power:shutdown', 'cleared'], ['power:withdraw-node', 'cleared']]);
    expect(powerAlerts.flatMap((a) => a.deliveries.filter((d) => d.kind === 'clear'))).toHaveLength(1);
    expect((await decisions()).slice(0, 3).map((d) => d.kind)).toEqual(['boot-nodes', 'shutdown', 'withdraw-node']);
  }, 1_800_000);

  it('(iii) thermal: one node hot is withdrawn and booted after its cool-down; both hot shed load', async () => {
    const consoleAt = lab.bmcUplinkAddress(1);
    const started = await waitForState(1, 'the servers running', 120_000, (f) => SERVERS.every((id) => runsOn(f, id).length === 1));
    // Those the hot node1 hands over (they prefer node1 when they start).
    const onNode1 = SERVERS.filter((id) => runsOn(started, id).join() === N1);

    // node1 over its critical temperature (CPU Temp 90 °C; critical from 85): its servers go to node2, it powers off.
    const before1 = await decisions();
    const mails1 = sink.received.length;
    const bmc1 = (await lab.bmcCalls(1)).length;
    await setTemperature(consoleAt, lab.node(1), 90);
    const hot = await waitForNewDecision(before1, 'node1 withdrawn for heat', 300_000, (d) => d.kind === 'withdraw-node');
    expect(hot.decision).toMatchObject({ kind: 'withdraw-node', cause: 'thermal', node: N1, to: N2, servers: onNode1 });
    expect(hot.reasons).toEqual([`${N1} is over its critical temperature; ${N2} is not`, `moving its servers to ${N2} and powering it off before damage`]);
    const hotJobs = await decisionJobsEnded(hot, 300_000);
    expect(hotJobs.every((j) => j.status === 'succeeded'), JSON.stringify(hotJobs)).toBe(true);
    await waitFor('node1 cut by its BMC', 60_000, async () => (await bmcCallsSince(1, bmc1)).some((l) => / set power 0$/.test(l)), 500);
    await waitForState(2, 'node1 gone, the servers on node2', 120_000, (f) => !nodeOnline(f, N1) && SERVERS.every((id) => runsOn(f, id).join() === N2));
    const hotMail = await waitForNewMail(mails1, 'the thermal warning', 120_000, (subject) => subject.startsWith(`[Warning] ${PAIR}: Withdrawing ${N1}`));
    expect(hotMail.envelopeTo).toEqual([ADMIN_MAIL]);
    expect(hotMail.parsed.text).toContain(`Withdrawing ${N1}: its servers move to ${N2}, then it powers off. ${N1} is over its critical temperature`);

    // Cooled: booted again once the cool-down (20 s for the first thermal shutdown) has passed.
    const before2 = await decisions();
    const mails2 = sink.received.length;
    const bmc1b = (await lab.bmcCalls(1)).length;
    await setTemperature(consoleAt, lab.node(1), 45);
    const back = await waitForNewDecision(before2, 'node1 booted after its cool-down', 300_000, (d) => d.kind === 'boot-nodes');
    expect(back.decision).toMatchObject({ kind: 'boot-nodes', cause: 'thermal', nodes: [N1], servers: [] });
    expect(back.reasons).toEqual([`${N1}'s temperatures are back to normal and its cool-down of 20 s (1 thermal shutdown(s) in 24 h) has passed`]);
    await waitFor('node1 powered on by its BMC', 120_000, async () => (await bmcCallsSince(1, bmc1b)).some((l) => / set power 1$/.test(l)), 500);
    await waitForState(2, 'node1 back in the cluster', 300_000, (f) => f.quorate && nodeOnline(f, N1) && nodeOnline(f, N2));
    const backMail = await waitForNewMail(mails2, 'the boot notice', 120_000, (subject) => subject.startsWith(`[Notice] ${PAIR}: Booting ${N1} again`));
    expect(backMail.envelopeTo).toEqual([ADMIN_MAIL]);
    await decisionJobsEnded(back, 300_000);
    // The pair whole again and nothing hot: the thermal alerts are cleared (a new heat event is then
    // a new alert, not a repeat of the open one).
    await waitForNewMail(mails2, 'the thermal alerts cleared', 300_000, (subject) => subject.startsWith(`[Cleared] ${PAIR}: Temperatures of ${PAIR} are normal again`));

    // Both hot (the room lost its cooling): shed load — node2 keeps the servers, node1 powers off.
    const before3 = await decisions();
    const mails3 = sink.received.length;
    const bmc1c = (await lab.bmcCalls(1)).length;
    await setTemperature(consoleAt, lab.node(2), 92);
    await setTemperature(consoleAt, lab.node(1), 91);
    const shed = await waitForNewDecision(before3, 'a thermal load shed', 300_000, (d) => d.kind === 'withdraw-node');
    expect(shed.decision).toMatchObject({ kind: 'withdraw-node', cause: 'thermal', node: N1, to: N2, servers: [] });
    expect(shed.reasons).toEqual([`both ${N1} and ${N2} are over their critical temperature (environmental): shedding load to cut heat`, `${N2} stays: it already runs 2 of the servers, so only 0 must move`]);
    await decisionJobsEnded(shed, 300_000);
    await waitFor('node1 cut by its BMC', 60_000, async () => (await bmcCallsSince(1, bmc1c)).some((l) => / set power 0$/.test(l)), 500);
    await waitForState(2, 'node1 gone, the servers on node2', 120_000, (f) => !nodeOnline(f, N1) && SERVERS.every((id) => runsOn(f, id).join() === N2));
    const shedMail = await waitForNewMail(mails3, 'the thermal load shed warning', 120_000, (subject) => subject.startsWith(`[Warning] ${PAIR}: Shedding load`));
    expect(shedMail.parsed.text).toContain(`both ${N1} and ${N2} are over their critical temperature (environmental)`);
    expect(shedMail.envelopeTo).toEqual([ADMIN_MAIL]);

    // Cooled again: node1 boots after a cool-down that doubled (the second thermal shutdown today).
    const before4 = await decisions();
    const mails4 = sink.received.length;
    const bmc1d = (await lab.bmcCalls(1)).length;
    await setTemperature(consoleAt, lab.node(2), 45);
    await setTemperature(consoleAt, lab.node(1), 45);
    const again = await waitForNewDecision(before4, 'node1 booted after the longer cool-down', 300_000, (d) => d.kind === 'boot-nodes');
    expect(again.decision).toMatchObject({ kind: 'boot-nodes', cause: 'thermal', nodes: [N1], servers: [] });
    expect(again.reasons).toEqual([`${N1}'s temperatures are back to normal and its cool-down of 40 s (2 thermal shutdown(s) in 24 h) has passed`]);
    await waitFor('node1 powered on by its BMC', 120_000, async () => (await bmcCallsSince(1, bmc1d)).some((l) => / set power 1$/.test(l)), 500);
    await waitForState(2, 'node1 back in the cluster', 300_000, (f) => f.quorate && nodeOnline(f, N1) && nodeOnline(f, N2));
    const againMail = await waitForNewMail(mails4, 'the second boot notice', 120_000, (subject) => subject.startsWith(`[Notice] ${PAIR}: Booting ${N1} again`));
    expect(againMail.envelopeTo).toEqual([ADMIN_MAIL]);
    expect(againMail.parsed.text).toContain('cool-down of 40 s (2 thermal shutdown(s) in 24 h)');
  }, 1_800_000);
});
