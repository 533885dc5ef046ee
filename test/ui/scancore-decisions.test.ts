/**
 * The ScanCore page's words for decisions (ui/src/lib/scancore-decisions.ts): each kind and cause
 * in plain words, the nodes it concerns, and what became of it from its outcome and its jobs.
 * Pure, so no browser.
 */
import { describe, expect, it } from 'vitest';
import { causeText, decisionNodes, decisionResult, decisionWords, hostIndex, type ScancoreDecision } from '../../ui/src/lib/scancore-decisions.js';

type Job = ScancoreDecision['jobs'][number];
type D = ScancoreDecision['decision'];
const job = (status: Job['status'], kind = 'servers.migrate'): Job => ({ id: `${kind}-${status}`, kind, status, targetHost: null });

describe('decisionWords and decisionNodes', () => {
  it('tell each kind and cause in plain words, naming the nodes and servers', () => {
    const migrate: D = { kind: 'migrate-servers', pair: 'p', from: 'n1', to: 'n2', servers: ['vm1', 'vm2'], cause: 'health', reasons: [] };
    expect(decisionWords(migrate).title).toBe('Move servers to the healthier node');
    expect(decisionWords(migrate).text).toContain('servers vm1, vm2 move live to n2');
    expect(decisionNodes(migrate)).toEqual({ from: ['n1'], to: ['n2'] });

    const shed: D = { kind: 'withdraw-node', pair: 'p', node: 'n2', to: 'n1', servers: ['vm1'], cause: 'power', reasons: [] };
    expect(decisionWords(shed).title).toBe('Shed load to save battery');
    expect(decisionWords(shed).text).toContain('n1 takes server vm1, and n2 leaves the cluster and powers off');
    expect(decisionNodes(shed)).toEqual({ from: ['n2'], to: ['n1'] });
    expect(decisionWords({ ...shed, cause: 'thermal' }).title).toBe('Take a hot node out');
    expect(decisionWords({ ...shed, cause: 'thermal' }).text).toContain('n2 is too hot');

    const shutdown: D = { kind: 'shutdown', pair: 'p', nodes: ['n1', 'n2'], servers: [], cause: 'power', reasons: [] };
    expect(decisionWords(shutdown).title).toBe('Shut down before the batteries run out');
    expect(decisionWords(shutdown).text).toBe('n1 and n2 power off: the UPSes cannot hold on much longer.');
    expect(decisionNodes(shutdown)).toEqual({ from: ['n1', 'n2'], to: [] });
    expect(decisionWords({ ...shutdown, cause: 'thermal' }).title).toBe('Shut down: still too hot');

    const boot: D = { kind: 'boot-nodes', pair: 'p', nodes: ['n1'], servers: ['vm1'], cause: 'thermal', reasons: [] };
    expect(decisionWords(boot).title).toBe('Cooled down: boot the nodes');
    expect(decisionWords(boot).text).toBe('n1 is powered on through its BMC, then server vm1 starts again.');
    expect(decisionWords({ ...boot, cause: 'power', nodes: ['n1', 'n2'], servers: [] }).text).toBe('n1 and n2 are powered on through their BMCs.');
    expect(decisionWords({ ...shutdown, servers: ['vm1'] }).text).toBe('Server vm1 shuts down cleanly, then n1 and n2 power off: the UPSes cannot hold on much longer.');
    expect(decisionWords({ ...shed, cause: 'health', servers: ['vm1', 'vm2'] }).text).toBe('Servers vm1, vm2 move to n1, and n2 leaves the cluster and powers off.');
    expect(causeText('thermal')).toBe('temperature');
    expect(causeText('power')).toBe('power');
  });
});

describe('decisionResult', () => {
  it('is not acted with its reason, failed once a job failed, acting while one runs, done when all succeeded', () => {
    expect(decisionResult({ outcome: 'not-acted', notActedReason: 'not acted: maintenance mode', jobs: [] })).toEqual({ state: 'not-acted', text: 'not acted: maintenance mode' });
    expect(decisionResult({ outcome: 'not-acted', notActedReason: 'the pair has no BMC', jobs: [] })).toEqual({ state: 'not-acted', text: 'not acted: the pair has no BMC' });
    expect(decisionResult({ outcome: 'acted', notActedReason: null, jobs: [job('succeeded'), job('running', 'node.withdraw')] }).state).toBe('acting');
    expect(decisionResult({ outcome: 'acted', notActedReason: null, jobs: [job('succeeded'), job('failed', 'node.withdraw'), job('queued', 'host.poweroff')] }))
      .toEqual({ state: 'failed', text: 'failed: node.withdraw failed' });
    expect(decisionResult({ outcome: 'acted', notActedReason: null, jobs: [job('cancelled')] }).state).toBe('failed');
    expect(decisionResult({ outcome: 'acted', notActedReason: null, jobs: [job('interrupted')] }).state).toBe('failed');
    expect(decisionResult({ outcome: 'acted', notActedReason: null, jobs: [job('succeeded')] })).toEqual({ state: 'done', text: 'acted' });
  });
});

describe('hostIndex', () => {
  it('finds a node\'s host id by pair and name, and nothing for an unknown one', () => {
    const hostOf = hostIndex([{ pair: 'a', node: 'n1', hostId: 'h-a1' }, { pair: 'b', node: 'n1', hostId: 'h-b1' }]);
    expect(hostOf('a', 'n1')).toBe('h-a1');
    expect(hostOf('b', 'n1')).toBe('h-b1');
    expect(hostOf('a', 'n2')).toBeUndefined();
  });
});
