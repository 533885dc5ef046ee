/**
 * The decision round on a real database: the engine's memory survives a new service (a restart),
 * an action whose job is still running is not issued again, maintenance mode records decisions
 * without acting, and a pair owned by another Striker is left to it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { siteKeys } from '../../striker/core/secrets/index.js';
import { clearAlert, raiseAlert, renderer, type AlertsDeps } from './alerts/index.js';
import type { CommandRunner } from '../../striker/core/command/run-command.js';
import { insertJob } from '../../striker/jobs/job-store.js';
import { createTestDatabase, quietLogger, type TestDatabase } from '../../test/support/test-database.js';
import { nodeReadings, simNode } from '../../test/support/scancore-pair-sim.js';
import { clusterReadings } from './agents/cluster-agent.js';
import type { Decision } from './decide.js';
import { listDecisions, setMaintenance } from './decisions-store.js';
import { healthHistory, latestReadings, recordScan, saveHealthScore } from './readings-store.js';
import { parseScancoreConfig, type ScancorePair } from './scancore-config.js';
import { actOnDecisions } from './actions.js';
import { maintenanceReason, ScancoreService } from './scancore-service.js';

let t: TestDatabase;
let now = Date.parse('2026-12-01T00:00:00Z');
const config = parseScancoreConfig({});
const noCommands: CommandRunner = async () => {
  throw new Error('no command expected: the pairs have no BMC or UPS configured');
};

const pair = (id: string, n: number): ScancorePair => ({
  id,
  nodes: [{ name: `${id}n01`, hostId: `52-54-00-00-${n}1-01` }, { name: `${id}n02`, hostId: `52-54-00-00-${n}1-02` }],
  upses: [],
});

/** Both nodes report: n01's fan as given, the cluster with vm1 on `vmOn`. */
async function scan(p: ScancorePair, fan: 'ok' | 'critical', vmOn: string): Promise<void> {
  const cluster = clusterReadings({ nodes: p.nodes.map((n) => ({ name: n.name, online: true })), resources: [{ id: 'vm1', agent: 'ocf:heartbeat:VirtualDomain', nodes: [vmOn] }] });
  await t.db.tx(async (tx) => {
    await recordScan(tx, p.nodes[0].hostId, now, [...nodeReadings(simNode(p.nodes[0].name, { fan })), ...cluster]);
    await recordScan(tx, p.nodes[1].hostId, now, [...nodeReadings(simNode(p.nodes[1].name)), ...cluster]);
  });
}

const acted: { decision: Decision; decisionId: string }[] = [];
const service = (pairs: ScancorePair[]) => new ScancoreService({
  db: t.db, config, clock: () => new Date(now), logger: quietLogger, run: noCommands, pairs: async () => pairs,
  act: async (decision, _pair, decisionId) => {
    acted.push({ decision, decisionId });
    const job = await insertJob(t.db, { kind: 'scancore.test-action', payload: {}, maxAttempts: 1, retryOnStale: false });
    return [job.id];
  },
});

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('ScanCore decision round', () => {
  it('keeps the grace period across a restart, acts once, and does not issue the action again while its job runs', async () => {
    const p = pair('an-a01', 1);
    await scan(p, 'critical', p.nodes[0].name);
    expect((await service([p]).round()).decisions).toEqual([]);
    now += 60_000;
    await scan(p, 'critical', p.nodes[0].name);
    expect((await service([p]).round()).decisions).toEqual([]);
    now += 90_000; // 150 s into the gap: past the 120 s grace, with a new service (memory from the database)
    await scan(p, 'critical', p.nodes[0].name);
    const round = await service([p]).round();
    expect(round.decisions).toHaveLength(1);
    expect(round.decisions[0]).toMatchObject({ pairId: 'an-a01', kind: 'migrate-servers', outcome: 'acted' });
    expect(acted.at(-1)!.decision).toMatchObject({ kind: 'migrate-servers', from: 'an-a01n01', to: 'an-a01n02', servers: ['vm1'] });
    const [stored] = await listDecisions(t.db, { limit: 10, pairId: 'an-a01' });
    expect(stored).toMatchObject({ id: acted.at(-1)!.decisionId, outcome: 'acted', jobIds: round.decisions[0]!.jobIds, notActedReason: null });
    expect(stored!.reasons.join(' ')).toContain('an-a01n01');

    // The job is still queued and the servers have not moved: nothing is issued again.
    now += 30_000;
    await scan(p, 'critical', p.nodes[0].name);
    expect((await service([p]).round()).decisions).toEqual([]);
    expect(acted).toHaveLength(1);
  });

  it('in maintenance mode decides and records "not acted", once, and runs no action', async () => {
    const p = pair('an-a02', 2);
    expect(await setMaintenance(t.db, true, 'an-a02')).toEqual(['an-a02']);
    const before = acted.length;
    for (let i = 0; i < 7; i++) {
      await scan(p, 'critical', p.nodes[0].name);
      await service([p]).round();
      now += 30_000;
    }
    const decisions = await listDecisions(t.db, { limit: 10, pairId: 'an-a02' });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ kind: 'migrate-servers', outcome: 'not-acted', notActedReason: maintenanceReason, jobIds: [] });
    expect(acted.length).toBe(before);
    // Maintenance off: the same decision is acted on.
    await setMaintenance(t.db, false);
    await scan(p, 'critical', p.nodes[0].name);
    const round = await service([p]).round();
    expect(round.decisions.map((d) => d.outcome)).toEqual(['acted']);
    expect(acted.length).toBe(before + 1);
  });

  it('leaves a pair owned by another Striker to it', async () => {
    const p = pair('an-a03', 3);
    await t.db.write(`INSERT INTO scancore_memory (pair_id, owner_node) VALUES ('an-a03', 'striker_two')`);
    for (let i = 0; i < 6; i++) {
      await scan(p, 'critical', p.nodes[0].name);
      const round = await service([p]).round();
      expect(round).toMatchObject({ decidedPairs: [], othersPairs: ['an-a03'], decisions: [] });
      now += 30_000;
    }
    expect(await listDecisions(t.db, { limit: 10, pairId: 'an-a03' })).toEqual([]);
  });

  it('records a decision whose jobs could not be queued as not acted, with the reason', async () => {
    const p = pair('an-a04', 4);
    const real = (pairs: ScancorePair[]) => new ScancoreService({ db: t.db, config, clock: () => new Date(now), logger: quietLogger, run: noCommands, pairs: async () => pairs, act: actOnDecisions(t.db, () => new Map()) });
    for (let i = 0; i < 6; i++) {
      await scan(p, 'critical', p.nodes[0].name);
      await real([p]).round();
      now += 30_000;
    }
    const [d] = await listDecisions(t.db, { limit: 10, pairId: 'an-a04' });
    expect(d).toMatchObject({ kind: 'migrate-servers', outcome: 'not-acted', jobIds: [] });
    expect(d!.notActedReason).toMatch(/^not acted: the jobs could not be queued: .*52-54-00-00-41-02/);
  });

  it('counts less RAM than the peer from the nodes\' inventories: the servers go to the node with more', async () => {
    const p = pair('an-a05', 5);
    for (const [n, gib] of [[p.nodes[0], 64], [p.nodes[1], 256]] as const) {
      const inventory = { systemUuid: null, hostName: n.name, cpu: { model: 'x', count: 1 }, memoryBytes: gib * 2 ** 30, disks: [], nics: [] };
      await t.db.write(`INSERT INTO host_agents (host_id, version, instance_id, striker_url, started_at, last_heartbeat_at, inventory, inventory_at)
                        VALUES ($1, 'test', 'i', 'http://s', now(), now(), $2, now())`, [n.hostId, JSON.stringify(inventory)]);
    }
    const before = acted.length;
    for (let i = 0; i < 6; i++) {
      await scan(p, 'ok', p.nodes[0].name);
      await service([p]).round();
      now += 30_000;
    }
    expect(acted.slice(before).map((a) => a.decision)).toMatchObject([{ kind: 'migrate-servers', from: 'an-a05n01', to: 'an-a05n02', servers: ['vm1'] }]);
    expect(acted.at(-1)!.decision.reasons.join(' ')).toMatch(/RAM/);
  });

  it('tells each decision as an alert at its level, and clears it once its cause has ended', async () => {
    const p = pair('an-a06', 6);
    const told: { op: string; key: string; host: string; level?: string; messageKey: string; with?: string[] }[] = [];
    const jobs: string[] = [];
    const s = new ScancoreService({
      db: t.db, config, clock: () => new Date(now), logger: quietLogger, run: noCommands, pairs: async () => [p],
      act: async () => {
        const job = await insertJob(t.db, { kind: 'scancore.test-action', payload: {}, maxAttempts: 1, retryOnStale: false });
        jobs.push(job.id);
        return [job.id];
      },
      alerts: {
        raise: async (a) => void told.push({ op: 'raise', key: a.key, host: a.host, level: a.level, messageKey: a.messageKey }),
        clear: async (a) => void told.push({ op: 'clear', key: a.key, host: a.host, messageKey: a.messageKey, with: a.with }),
      },
    });
    for (let i = 0; i < 6; i++) {
      await scan(p, 'critical', p.nodes[0].name);
      await s.round();
      now += 30_000;
    }
    // The decisions' alerts are the pair's (the failed fan is its node's own condition alert).
    expect(told.filter((a) => a.op === 'raise' && a.host === 'an-a06')).toEqual([{ op: 'raise', key: 'health:migrate-servers', host: 'an-a06', level: 'notice', messageKey: 'scancore.decision.migrate' }]);
    expect(told.some((a) => a.op === 'clear' && a.key === 'health:migrate-servers')).toBe(false);
    // The servers moved and the fan is repaired: the condition ends and its alert is cleared, once.
    await t.db.write(`UPDATE jobs SET status = 'succeeded', progress = 100, finished_at = now() WHERE id = ANY($1)`, [jobs]);
    const cleared = () => told.filter((a) => a.op === 'clear' && a.key === 'health:migrate-servers');
    for (let i = 0; i < 3; i++) {
      await scan(p, 'ok', p.nodes[1].name);
      await s.round();
      now += 30_000;
    }
    // One clear for the cause: its other conditions go with it (the alerts area sends one e-mail).
    expect(cleared()).toEqual([{ op: 'clear', key: 'health:migrate-servers', host: 'an-a06', messageKey: 'scancore.decision.health_balanced', with: ['health:withdraw-node', 'health:shutdown', 'health:boot-nodes'] }]);
    expect(told.filter((a) => a.op === 'clear' && a.key.startsWith('health:'))).toHaveLength(1);
  });

  it('ages out the time series: in the first round, then again once purgeEveryMinutes have passed', async () => {
    const host = '52-54-00-00-71-01';
    const hours = (h: number) => now - h * 3_600_000;
    const fan = (status: 'ok' | 'critical') => nodeReadings(simNode('an-a07n01', { fan: status })).filter((r) => r.metric === 'ipmi.fan' && r.subject === 'FAN1');
    await recordScan(t.db, host, hours(72), fan('ok'));
    await recordScan(t.db, host, hours(50), fan('critical'));
    await recordScan(t.db, host, hours(1), fan('critical'));
    await saveHealthScore(t.db, { hostId: host, score: 5, reasons: [] }, hours(100 * 24));
    await saveHealthScore(t.db, { hostId: host, score: 5, reasons: [] }, hours(1));
    const rows = async () => (await t.db.query<{ at: Date }>('SELECT read_at AS at FROM scan_readings WHERE host_id = $1 ORDER BY read_at', [host])).rows.map((r) => r.at.getTime());
    const s = service([]);

    const first = await s.round();
    expect(first.purged?.readings).toBeGreaterThanOrEqual(2);
    expect(first.purged?.scores).toBeGreaterThanOrEqual(1);
    // Older than 48 h goes; the reading of 1 h ago stays, and keeps the since of the spell it belongs to.
    expect(await rows()).toEqual([hours(1)]);
    expect((await latestReadings(t.db, [host]))[0]).toMatchObject({ status: 'critical', since: hours(50) });
    expect((await healthHistory(t.db, host, 0)).map((h) => h.at)).toEqual([hours(1)]);

    // Within the hour: no purge, however old the rows.
    await recordScan(t.db, host, hours(60), fan('ok'));
    now += 59 * 60_000;
    expect((await s.round()).purged).toBeUndefined();
    expect(await rows()).toHaveLength(2);
    now += 60_000;
    expect((await s.round()).purged?.readings).toBeGreaterThanOrEqual(1);
    expect(await rows()).toHaveLength(1);
  });

  it('tells a node\'s failed fan and a UPS on battery as alerts of their own, and clears them when fresh readings show them over', async () => {
    const p: ScancorePair = { ...pair('an-a08', 8), upses: [{ name: 'ups8', upsName: 'ups8', address: '127.0.0.1', feeds: ['an-a08n01', 'an-a08n02'] }] };
    const deps: AlertsDeps = { db: t.db, keys: siteKeys(mkdtempSync(join(tmpdir(), 'scancore-alerts-'))), clock: () => new Date(now), settings: { holdSeconds: 0, smtpTimeoutSeconds: 5 }, renderer: renderer(), logger: quietLogger };
    // The UPS is read by this Striker (upsc), answered here as NUT's dummy-ups would.
    let upsStatus = 'OB DISCHRG';
    const upsc: CommandRunner = async (argv) => ({ argv, exitCode: 0, stdout: `battery.charge: 88\nbattery.runtime: 1700\nups.status: ${upsStatus}\n`, stderr: '', durationMs: 0 });
    const s = new ScancoreService({
      db: t.db, config, clock: () => new Date(now), logger: quietLogger, run: upsc, pairs: async () => [p],
      act: async () => [],
      alerts: { raise: (a) => raiseAlert(deps, a), clear: (a) => clearAlert(deps, a) },
    });
    const open = async () => (await t.db.query<{ host: string; key: string; level: string; state: string; messageKey: string; clearMessageKey: string | null }>(
      `SELECT host, key, level, state, message_key AS "messageKey", clear_message_key AS "clearMessageKey" FROM alerts WHERE source = 'scancore.condition' AND host IN ('an-a08', 'an-a08n01', 'an-a08n02') ORDER BY raised_at, key`,
    )).rows;

    await scan(p, 'critical', p.nodes[1].name);
    await s.round();
    await scan(p, 'critical', p.nodes[1].name);
    await s.round(); // a second round raises nothing again
    expect((await open()).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { host: 'an-a08n01', key: 'fan-failed:FAN1', level: 'warning', state: 'raised', messageKey: 'scancore.condition.fan_failed', clearMessageKey: null },
      { host: 'an-a08', key: 'ups8:on_battery', level: 'warning', state: 'raised', messageKey: 'scancore.ups.on_battery', clearMessageKey: null },
    ]);

    // node1's readings stop (powered off): its fan is unknown, not repaired — the alert stays open.
    now += (config.readings.staleAfterSeconds + 30) * 1000;
    await t.db.tx((tx) => recordScan(tx, p.nodes[1].hostId, now, nodeReadings(simNode(p.nodes[1].name))));
    await s.round();
    expect((await open()).find((a) => a.key === 'fan-failed:FAN1')?.state).toBe('raised');

    // The fan repaired and mains back: both cleared, each with its message.
    now += 30_000;
    upsStatus = 'OL CHRG';
    await scan(p, 'ok', p.nodes[1].name);
    await s.round();
    expect((await open()).map((a) => [a.key, a.state, a.clearMessageKey]).sort()).toEqual([
      ['fan-failed:FAN1', 'cleared', 'scancore.condition.cleared'],
      ['ups8:on_battery', 'cleared', 'scancore.ups.on_mains'],
    ]);
  });

  it('issues no action while an operator\'s action on the pair runs (a queued host job does not hold it back)', async () => {
    const p = pair('an-a09', 9);
    const before = acted.length;
    const operatorJob = await insertJob(t.db, { kind: 'servers.migrate', payload: { servers: ['vm1'], to: 'an-a09n02' }, targetHost: p.nodes[0].hostId, maxAttempts: 1, retryOnStale: false });
    await t.db.write(`UPDATE jobs SET status = 'running', started_at = now(), heartbeat_at = now() WHERE id = $1`, [operatorJob.id]);
    const bmcJob = await insertJob(t.db, { kind: 'cluster.node-power', payload: { anvil: 'an-a09', node: 'an-a09n01', power: 'on' }, maxAttempts: 1, retryOnStale: false });
    for (let i = 0; i < 6; i++) {
      await scan(p, 'critical', p.nodes[0].name);
      await service([p]).round();
      now += 30_000;
    }
    expect(acted.length).toBe(before);
    // The operator's migration ends; a BMC power job for the pair is still queued: still nothing.
    await t.db.write(`UPDATE jobs SET status = 'succeeded', progress = 100, finished_at = now() WHERE id = $1`, [operatorJob.id]);
    await scan(p, 'critical', p.nodes[0].name);
    expect((await service([p]).round()).decisions).toEqual([]);
    // Only a host job queued for a node is left: ScanCore acts (that job may wait for a node that is off).
    await t.db.write(`UPDATE jobs SET status = 'succeeded', progress = 100, finished_at = now() WHERE id = $1`, [bmcJob.id]);
    // (The engine counts its grace period from the first round not held back.)
    await insertJob(t.db, { kind: 'node.standby', payload: {}, targetHost: p.nodes[1].hostId, maxAttempts: 1, retryOnStale: false });
    const kinds: string[] = [];
    for (let i = 0; i < 6; i++) {
      now += 30_000;
      await scan(p, 'critical', p.nodes[0].name);
      kinds.push(...(await service([p]).round()).decisions.map((d) => d.kind));
    }
    expect(kinds).toEqual(['migrate-servers']);
    expect(acted.length).toBe(before + 1);
  });
});
