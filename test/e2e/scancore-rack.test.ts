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
 *     e-mail naming the pair reaches the recipient through the sink.
 *
 * Pass criteria come from the API, crm_mon XML and the mails received; waits are bounded polls,
 * never timed assertions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredDecision } from '../../cluster/scancore/decisions-store.js';
import { ClusterLab, waitFor } from '../support/cluster-lab/cluster-lab.js';
import { crmMonFacts, nodeOnline, runsOn, type CrmMonFacts } from '../support/cluster-lab/crm-mon-facts.js';
import { startFormationRig, type FormationRig } from '../support/cluster-lab/formation-rig.js';
import { bmcSensors, setFan, startSmtpSink, type SmtpSink } from '../support/rack-sim/index.js';

const PAIR = 'sr-anvil-01';
const N1 = 'sr-a01n01';
const N2 = 'sr-a01n02';
const SERVERS = ['srv1', 'srv2'];
const RELAY = { username: 'striker', password: 'relay pass phrase' };
const ADMIN_MAIL = 'admin@rack.example';

let rig: FormationRig;
let lab: ClusterLab;
let sink: SmtpSink;

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

beforeAll(async () => {
  sink = await startSmtpSink(RELAY);
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
      '  power: { loadShedGraceSeconds: 15 }',
      '  thermal: { lastNodeHotSeconds: 30, coolDownBaseSeconds: 20 }',
    ],
    agentConfig: { scancore: { scan: { intervalSeconds: 5 } } },
  });
  lab = rig.lab;
}, 600_000);

afterAll(async () => {
  await rig?.stop();
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
    const { json } = await rig.api<{ alerts: { key: string; level: string; host: string }[] }>('GET', '/api/alerts?limit=50');
    expect(json.alerts).toContainEqual(expect.objectContaining({ key: 'health:migrate-servers', level: 'notice', host: PAIR }));
    // Only this one decision: the servers are where the healthier node is.
    expect((await decisions()).map((d) => d.kind)).toEqual(['migrate-servers']);
  }, 900_000);
});
