import { describe, expect, it } from 'vitest';
import type { Decision, PairMemory } from './decide.js';
import { clearedKeys, decisionAlert, endedConditions } from './decision-alerts.js';
import type { NodeView, PairView } from './pair-view.js';

const node = (name: string, over: Partial<NodeView> = {}): NodeView => ({
  name, hostId: '52-54-00-00-00-01', inCluster: true, power: 'on', servers: [], health: { hostId: 'h', score: 0, reasons: [] } as never, temperature: 'ok', syncSource: false, fresh: true, ...over,
});
const view = (over: Partial<PairView> = {}, a: Partial<NodeView> = {}, b: Partial<NodeView> = {}): PairView => ({ id: 'pair-1', nodes: [node('node1', a), node('node2', b)], upses: [], actionInProgress: false, ...over });
const memory = (over: Partial<PairMemory> = {}): PairMemory => ({ hotSince: {}, poweredOff: {}, thermalShutdowns: [], ...over });

describe('decision alerts', () => {
  it.each<[Decision, string, string, string]>([
    [{ kind: 'migrate-servers', pair: 'pair-1', from: 'node1', to: 'node2', servers: ['srv1'], cause: 'health', reasons: ['node1 scores 5'] }, 'notice', 'scancore.decision.migrate', 'health:migrate-servers'],
    [{ kind: 'withdraw-node', pair: 'pair-1', node: 'node2', to: 'node1', servers: [], cause: 'power', reasons: ['on battery'] }, 'warning', 'scancore.decision.shed_load', 'power:withdraw-node'],
    [{ kind: 'withdraw-node', pair: 'pair-1', node: 'node1', to: 'node2', servers: ['srv1'], cause: 'thermal', reasons: ['node1 hot'] }, 'warning', 'scancore.decision.withdraw', 'thermal:withdraw-node'],
    [{ kind: 'shutdown', pair: 'pair-1', nodes: ['node1', 'node2'], servers: ['srv1'], cause: 'power', reasons: ['below the floor'] }, 'critical', 'scancore.decision.shutdown', 'power:shutdown'],
    [{ kind: 'boot-nodes', pair: 'pair-1', nodes: ['node1', 'node2'], servers: ['srv1'], cause: 'power', reasons: ['mains back'] }, 'notice', 'scancore.decision.boot', 'power:boot-nodes'],
  ])('%o raises %s %s', (decision, level, messageKey, key) => {
    expect(decisionAlert(decision, view({}, { temperature: 'critical' }))).toMatchObject({ op: 'raise', host: 'pair-1', key, level, messageKey });
  });

  it('a thermal withdrawal with both nodes hot is load shedding; the variables carry nodes and reasons', () => {
    const d: Decision = { kind: 'withdraw-node', pair: 'pair-1', node: 'node2', to: 'node1', servers: ['a', 'b'], cause: 'thermal', reasons: ['both hot', 'node1 stays'] };
    expect(decisionAlert(d, view({}, { temperature: 'critical' }, { temperature: 'critical' }), 'not acted: maintenance mode')).toEqual({
      op: 'raise', host: 'pair-1', key: 'thermal:withdraw-node', level: 'warning', messageKey: 'scancore.decision.shed_load',
      variables: { node: 'node2', survivor: 'node1', servers: 'a and b', reason: 'both hot; node1 stays (not acted: maintenance mode)' },
    });
  });

  it('clears the conditions of every cause that has ended once the pair is whole: one clear per cause, closing all its kinds', () => {
    const clears = endedConditions(view(), memory({ imbalance: { healthier: 'node2', since: 0 } }));
    expect(clears.map((c) => c.key.split(':')[0])).toEqual(['power', 'thermal']);
    expect(clears.find((c) => c.key.startsWith('power:'))).toEqual({
      op: 'clear', host: 'pair-1', key: 'power:migrate-servers', with: ['power:withdraw-node', 'power:shutdown', 'power:boot-nodes'],
      messageKey: 'scancore.decision.power_restored', variables: { pair: 'pair-1', nodes: 'node1 and node2' },
    });
  });

  it('power back after load shed, shutdown and boot: one clear closes all three conditions raised', () => {
    const pv = view({}, { temperature: 'ok' });
    const raised = [
      decisionAlert({ kind: 'withdraw-node', pair: 'pair-1', node: 'node2', to: 'node1', servers: ['srv1'], cause: 'power', reasons: ['on battery'] }, pv),
      decisionAlert({ kind: 'shutdown', pair: 'pair-1', nodes: ['node1'], servers: ['srv1'], cause: 'power', reasons: ['below the floor'] }, pv),
      decisionAlert({ kind: 'boot-nodes', pair: 'pair-1', nodes: ['node1', 'node2'], servers: ['srv1'], cause: 'power', reasons: ['mains back'] }, pv),
    ];
    const clears = endedConditions(pv, memory()).filter((c) => raised.some((r) => clearedKeys(c).includes(r.key)));
    expect(clears).toHaveLength(1);
    expect(clears[0]).toMatchObject({ host: 'pair-1', messageKey: 'scancore.decision.power_restored' });
    expect(raised.every((r) => clearedKeys(clears[0]!).includes(r.key))).toBe(true);
  });

  it('a cause that raised one alert still gets its clear', () => {
    const raised = decisionAlert({ kind: 'migrate-servers', pair: 'pair-1', from: 'node1', to: 'node2', servers: ['srv1'], cause: 'health', reasons: ['node1 scores 5'] }, view());
    const clears = endedConditions(view(), memory()).filter((c) => clearedKeys(c).includes(raised.key));
    expect(clears).toEqual([expect.objectContaining({ host: 'pair-1', key: 'health:migrate-servers', messageKey: 'scancore.decision.health_balanced' })]);
  });

  it('clears nothing while an action runs or a node is out of the cluster, nor a cause still active', () => {
    expect(endedConditions(view({ actionInProgress: true }), memory())).toEqual([]);
    expect(endedConditions(view({}, {}, { inCluster: false }), memory())).toEqual([]);
    const held = endedConditions(view(), memory({ onBatterySince: 1, hotSince: { node1: 1 }, imbalance: { healthier: 'node2', since: 0 } }));
    expect(held).toEqual([]);
    const off = endedConditions(view(), memory({ poweredOff: { node2: { cause: 'thermal', at: 0, servers: [] } } }));
    expect(off.some((c) => c.key.startsWith('thermal:'))).toBe(false);
  });
});
