import { describe, expect, it } from 'vitest';
import { nodeReadings, simNode, type SimNode } from '../../test/support/scancore-pair-sim.js';
import { english } from './alerts/message-catalogue.js';
import { conditionChanges, conditionMessageKey, type OpenCondition } from './condition-alerts.js';
import { defaultHealthConditions } from './health-conditions.js';
import { healthScore } from './health-score.js';
import type { PairView, UpsView } from './pair-view.js';
import { stampReadings, type TimedReading } from './reading.js';
import { parseScancoreConfig } from './scancore-config.js';

const config = parseScancoreConfig({});
const now = Date.parse('2026-12-06T12:00:00Z');

/** A node as the service sees it: its readings stamped (the link down since `downSinceS` ago), scored. */
function node(over: Partial<SimNode>, downSinceS = 0) {
  const sim = simNode(`a1n0${over.name ?? '1'}`, { ...over, name: `a1n0${over.name ?? '1'}` });
  const readings: TimedReading[] = stampReadings(sim.name, now, nodeReadings(sim), []).map((r) => (r.metric === 'link.state' && r.status === 'critical' ? { ...r, since: now - downSinceS * 1000 } : r));
  return { sim, readings, health: healthScore({ hostId: sim.name, readings }, now, config) };
}

const ups = (over: Partial<UpsView> = {}): UpsView => ({ name: 'ups1', feeds: ['a1n01', 'a1n02'], fresh: true, onBattery: false, lowBattery: false, chargePct: 100, runtimeS: 3600, ...over });

function changes(n1: ReturnType<typeof node>, open: OpenCondition[], upses: UpsView[] = [ups()], n2 = node({ name: '2' }), fresh = true) {
  const view = {
    id: 'a1',
    nodes: [n1, n2].map(({ sim, health }) => ({ name: sim.name, hostId: sim.name, inCluster: true, power: 'on', servers: [], health, temperature: 'ok', syncSource: false, fresh: true })),
    upses,
    actionInProgress: false,
  } as unknown as PairView;
  const readings = new Map([[n1.sim.name, fresh ? n1.readings : []], [n2.sim.name, n2.readings]]);
  return conditionChanges(view, readings, open);
}

describe('condition alerts', () => {
  it('raises a node\'s health condition at its level, once: an open one is not raised again', () => {
    const sick = node({ fan: 'critical' });
    expect(changes(sick, [])).toEqual([{
      op: 'raise', host: 'a1n01', key: 'fan-failed:FAN1', level: 'warning', messageKey: 'scancore.condition.fan_failed',
      variables: { node: 'a1n01', subject: 'FAN1', detail: 'FAN1 is 300' },
    }]);
    expect(changes(sick, [{ host: 'a1n01', key: 'fan-failed:FAN1' }])).toEqual([]);
    expect(changes(node({ array: 'rebuilding' }), []).map((c) => [c.key, c.op === 'raise' ? c.level : null])).toEqual([['array-rebuilding:/dev/md127', 'notice']]);
  });

  it('waits for a condition\'s own delay: a link down 30 s is nothing yet, 61 s is a warning', () => {
    expect(changes(node({ link: 'down' }, 30), [])).toEqual([]);
    expect(changes(node({ link: 'down' }, 61), []).map((c) => c.key)).toEqual(['link-down:bcn1_link1']);
  });

  it('clears an open condition when a fresh reading of its subject shows it over', () => {
    expect(changes(node({}), [{ host: 'a1n01', key: 'fan-failed:FAN1' }])).toEqual([{
      op: 'clear', host: 'a1n01', key: 'fan-failed:FAN1', with: [], messageKey: 'scancore.condition.cleared',
      variables: { node: 'a1n01', subject: 'FAN1', detail: 'FAN1 is 6000 RPM' },
    }]);
    // A slow fan instead of a failed one: the failure clears, the slow fan is raised.
    expect(changes(node({ fan: 'warning' }), [{ host: 'a1n01', key: 'fan-failed:FAN1' }]).map((c) => [c.op, c.key])).toEqual([['raise', 'fan-warning:FAN1'], ['clear', 'fan-failed:FAN1']]);
  });

  it('leaves a condition open when nothing fresh is known of it (the node off, or the subject gone)', () => {
    expect(changes(node({}), [{ host: 'a1n01', key: 'fan-failed:FAN1' }], [ups()], node({ name: '2' }), false)).toEqual([]);
    expect(changes(node({}), [{ host: 'a1n01', key: 'disk-failing:/dev/sdz' }, { host: 'a1n01', key: 'no-such-condition:x' }])).toEqual([]);
  });

  it('tells a UPS on battery (warning) and low (critical), and clears both with one message when mains is back', () => {
    expect(changes(node({}), [], [ups({ onBattery: true, chargePct: 90, runtimeS: 1800 })])).toEqual([
      { op: 'raise', host: 'a1', key: 'ups1:on_battery', level: 'warning', messageKey: 'scancore.ups.on_battery', variables: { ups: 'ups1', charge: '90', runtime: '1800' } },
    ]);
    expect(changes(node({}), [{ host: 'a1', key: 'ups1:on_battery' }], [ups({ onBattery: true, lowBattery: true, chargePct: 9, runtimeS: null })])).toEqual([
      { op: 'raise', host: 'a1', key: 'ups1:low_battery', level: 'critical', messageKey: 'scancore.ups.low_battery', variables: { ups: 'ups1', charge: '9', runtime: '?' } },
    ]);
    const open = [{ host: 'a1', key: 'ups1:on_battery' }, { host: 'a1', key: 'ups1:low_battery' }];
    expect(changes(node({}), open, [ups()])).toEqual([{ op: 'clear', host: 'a1', key: 'ups1:on_battery', with: ['ups1:low_battery'], messageKey: 'scancore.ups.on_mains', variables: { ups: 'ups1' } }]);
    // A UPS without a fresh reading: nothing raised, nothing cleared.
    expect(changes(node({}), open, [ups({ fresh: false })])).toEqual([]);
  });

  it('every condition with an alert level has an English template with only the variables it is given', () => {
    for (const c of defaultHealthConditions.filter((x) => x.alert !== null)) {
      const template = english[conditionMessageKey(c.id)];
      expect(template, c.id).toBeDefined();
      for (const m of template!.matchAll(/\{([^}]*)\}/g)) expect(['node', 'subject', 'detail'], c.id).toContain(m[1]);
    }
    expect(english['scancore.condition.cleared']).toBeDefined();
  });
});
